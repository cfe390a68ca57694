"""The layer rule of DESIGN.md, checked on the source: each package imports only what its row allows."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "annotator"

# DESIGN.md, "Layers": the annotator packages each layer may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "store": {"domain"},
    "nlp": {"domain"},
    "formats": {"domain"},
    "services": {"domain", "store", "nlp", "formats"},
    "ui": {"services", "domain", "logs"},
    # The command line opens the window for `annotator [gui]` (lazily: see test_headless_imports).
    "cli": {"services", "domain.errors", "domain.model", "logs", "ui.app"},
}
# Third-party packages and the only layers that may import them.
THIRD_PARTY_HOMES: dict[str, set[str]] = {
    "PySide6": {"ui"},
    "shiboken6": {"ui"},
    "sqlalchemy": {"store", "services"},
    "alembic": {"store"},
    "spacy": {"nlp"},
    "thinc": {"nlp"},
}


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _modules(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement in ``path`` names (at any depth: functions, TYPE_CHECKING too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(("annotator", *path.relative_to(PACKAGE).parent.parts))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "annotator":  # from annotator import x: x may be a sub-package or a name (__version__)
                found.extend(
                    (node.lineno, f"annotator.{alias.name}" if _is_submodule(alias.name) else "annotator")
                    for alias in node.names
                )
            else:
                found.append((node.lineno, module))
    return found


def _is_submodule(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


SOURCES = sorted(PACKAGE.rglob("*.py"))


def _violations(path: Path) -> list[str]:
    layer = _layer(path)
    problems = []
    for line, module in _modules(path):
        where = f"{path.relative_to(PACKAGE.parent)}:{line}: {layer} imports {module}"
        top = module.split(".")[0]
        if top == "annotator":
            parts = module.split(".")[1:]
            if not parts or parts[0] in {"__init__", layer}:
                continue  # the package root (its version) or the layer itself
            target = parts[0]
            if target == "resources" and layer == "domain":
                continue  # data files, read with importlib.resources
            allowed = ALLOWED.get(layer)
            if allowed is None:
                continue  # __init__/__main__ of the top package
            dotted = ".".join(parts[:2])
            if target not in allowed and dotted not in allowed:
                problems.append(f"{where} (allowed: {', '.join(sorted(allowed)) or 'nothing'})")
            continue
        homes = THIRD_PARTY_HOMES.get(top)
        if homes is not None and layer not in homes:
            problems.append(f"{where} (only {', '.join(sorted(homes))} may)")
        if layer == "domain" and top not in sys.stdlib_module_names:
            problems.append(f"{where} (domain imports only the standard library)")
    return problems


def test_the_sources_are_found() -> None:
    layers = {_layer(path) for path in SOURCES}
    assert {"domain", "store", "nlp", "formats", "services", "cli"} <= layers
    assert len(SOURCES) > 20


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(PACKAGE)) for p in SOURCES])
def test_layer_rule(path: Path) -> None:
    assert _violations(path) == []


def test_the_checker_catches_violations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule is not vacuous: known-bad imports are reported."""
    fake = tmp_path / "annotator"
    (fake / "domain").mkdir(parents=True)
    (fake / "formats").mkdir()
    (fake / "domain" / "bad.py").write_text("import sqlalchemy\nfrom annotator.store import tables\n")
    (fake / "formats" / "bad.py").write_text(
        "def f():\n    from PySide6 import QtCore\n    import spacy\n    from ..services import importing\n"
    )
    (fake / "cli.py").write_text(
        "from annotator.store.database import Database\nfrom annotator.domain.errors import E\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert len(_violations(fake / "domain" / "bad.py")) == 3  # sqlalchemy twice over (home, stdlib), store
    assert len(_violations(fake / "formats" / "bad.py")) == 3
    assert len(_violations(fake / "cli.py")) == 1


def test_headless_imports_load_neither_qt_nor_spacy() -> None:
    """Importing the core and the command line pulls in no PySide6 and no spaCy (they load on demand)."""
    code = (
        "import sys\n"
        "import annotator.cli, annotator.domain.spans, annotator.services.formats, annotator.nlp.pipeline\n"
        "import annotator.nlp.preannotate, annotator.services.importing, annotator.services.exporting\n"
        "import annotator.services.stats, annotator.services.preannotating, annotator.store.repository\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'spacy', 'thinc'})\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
