# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench dist install uninstall clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/annotator

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(BIN)/ruff check annotator tests bench tools
	$(BIN)/ruff format --check annotator tests bench tools
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_article_view.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_document_list.py

dist: $(STAMP)
	$(BIN)/python -m pip install --quiet 'pyinstaller>=6.10,<7'
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/annotator.spec

install: dist
	packaging/install.sh

uninstall:
	packaging/install.sh --uninstall

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
