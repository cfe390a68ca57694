"""The command line: exit codes, one-line errors, and an unchanged database after bad input."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ANNOTATOR = REPO / ".venv" / "bin" / "annotator"

Cli = Callable[..., Any]


def _v1(text: str, **fields: Any) -> dict[str, Any]:
    return {"format": "annotator/v1", "text": text, "annotator": "alice", **fields}


HELLO = "Hello Malhotra, said India."


def _entity(start: int, end: int, label: str = "PERSON", text: str | None = None) -> dict[str, Any]:
    return {"start": start, "end": end, "text": HELLO[start:end] if text is None else text, "label": label}


def _write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _jsonl(*objects: Any) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objects)


# name → (file name, content, expected line or None, problem words)
BAD_INPUTS: dict[str, tuple[str, str | bytes | None, int | None, str]] = {
    "invalid json": ("bad.jsonl", _jsonl({"text": "one"}, {"text": "two"}, '{"text": "three",'), 3, "invalid JSON"),
    "not an object": ("list.jsonl", _jsonl({"text": "one"}, [1, 2]), 2, "must be a JSON object, got list"),
    "missing text": ("notext.jsonl", _jsonl({"id": "x", "meta": {}}), 1, "missing 'text'"),
    "text not a string": ("nonstr.jsonl", _jsonl({"text": ["a"]}), 1, "'text' must be a string, got list"),
    "span out of range": ("range.jsonl", _jsonl(_v1(HELLO, entities=[_entity(6, 99, text="x")])), 1, "out of range"),
    "span reversed": ("rev.jsonl", _jsonl(_v1(HELLO, entities=[_entity(14, 6, text="x")])), 1, "reversed"),
    "span text differs": (
        "text.jsonl",
        _jsonl({"text": "ok"}, _v1(HELLO, entities=[_entity(6, 14, text="Malhotri")])),
        2,
        "has text 'Malhotri' but the document has 'Malhotra' there",
    ),
    "label not in schema": (
        "label.jsonl",
        _jsonl(_v1(HELLO, entities=[_entity(6, 14, "DIPLOMAT")])),
        1,
        "entity labels DIPLOMAT not in the label schema",
    ),
    "txt not utf-8": ("latin.txt", "Première ligne\nDeuxième".encode("latin-1"), 1, "is not UTF-8 text"),
    "jsonl not utf-8": (
        "latin.jsonl",
        _jsonl({"text": "ok"}).encode() + '{"text": "été"}\n'.encode("latin-1"),
        2,
        "is not UTF-8 text",
    ),
    "utf-16 txt": ("wide.txt", "wide text".encode("utf-16"), None, "NUL byte"),
    "empty txt": ("empty.txt", b"", None, "is empty"),
    "empty jsonl": ("empty.jsonl", b"\n\n", None, "is empty"),
    "folder without importable files": ("folder", None, None, "is a folder with no importable files"),
    "missing path": ("missing.txt", None, None, "does not exist"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_fails_cleanly_and_changes_nothing(
    case: str, cli: Cli, tmp_path: Path, db_path: Path, dump: Callable[[Path], list[str]]
) -> None:
    name, content, line, problem = BAD_INPUTS[case]
    path = tmp_path / "input" / name
    path.parent.mkdir()
    if name == "folder":
        path.mkdir()
        _write(path / "readme.md", "# not an article\n")
        _write(path / "data.csv", "a,b\n")
    elif content is not None:
        _write(path, content)
    # Something already in the database, so "unchanged" means more than "empty".
    assert cli("import", "--no-nlp", "--db", db_path, _write(tmp_path / "seed.txt", "Already here.")).code == 0
    before = dump(db_path)

    result = cli("import", "--no-nlp", "--db", db_path, path)

    assert result.code == 1
    assert len(result.err_lines) == 1, result.err
    (message,) = result.err_lines
    where = f"{path}:{line}:" if line is not None else f"{path}:"
    assert message.startswith(f"annotator: error: {where}"), message
    assert problem in message
    assert "Traceback" not in result.err + result.out
    assert f"failed and was not imported: {path}" in result.out
    assert dump(db_path) == before


def test_add_labels_imports_what_failed_before(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    line = _v1(
        HELLO,
        entities=[_entity(6, 14, "DIPLOMAT")],
        claims=[{"start": 16, "end": 26, "text": HELLO[16:26], "stance": {"label": "sarcastic", "target": "India"}}],
    )
    path = _write(tmp_path / "labels.jsonl", _jsonl(line))
    assert cli("import", "--no-nlp", "--db", db_path, path).code == 1
    result = cli("import", "--no-nlp", "--add-labels", "--db", db_path, path)
    assert result.code == 0, result.err
    assert "added labels entity:DIPLOMAT, stance:sarcastic" in result.out
    (exported,) = cli("export", "-o", "-", "--db", db_path).json_lines()
    assert exported["entities"][0]["label"] == "DIPLOMAT"
    assert exported["claims"][0]["stance"] == {"label": "sarcastic", "target": "India"}


def test_one_bad_file_among_good_ones(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    good_txt = _write(tmp_path / "good.txt", "A good article.")
    bad = _write(tmp_path / "mixed.jsonl", _jsonl({"text": "fine line"}, {"text": "fine too"}, "{oops"))
    good_jsonl = _write(tmp_path / "good.jsonl", _jsonl({"text": "Another good one.", "id": "g"}))
    result = cli("import", "--no-nlp", "--db", db_path, good_txt, bad, good_jsonl)
    assert result.code == 1
    assert result.err_lines == [result.err_lines[0]] and result.err_lines[0].startswith(f"annotator: error: {bad}:3:")
    assert "imported 2 documents from 2 files" in result.out
    assert f"1 file failed and was not imported: {bad}" in result.out
    texts = {line["text"] for line in cli("export", "-o", "-", "--db", db_path).json_lines()}
    assert texts == {"A good article.", "Another good one."}  # nothing from the bad file, not even line 1


def test_reimport_says_it_skipped(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    _write(folder / "one.txt", "Article one.")
    _write(folder / "sub" / "two.txt", "Article two.")
    first = cli("import", "--no-nlp", "--db", db_path, folder)
    assert first.code == 0 and first.out.strip() == "imported 2 documents from 2 files"
    again = cli("import", "--no-nlp", "--db", db_path, folder)
    assert again.code == 0 and again.err == ""
    assert again.out.strip() == (
        "imported 0 documents from 2 files; skipped 2 documents already in the database (same text)"
    )


def test_same_id_different_text_is_refused(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    _write(tmp_path / "a.jsonl", _jsonl({"text": "Version one.", "id": "story-7"}))
    _write(tmp_path / "b.jsonl", _jsonl({"text": "Version two.", "id": "story-7"}))
    assert cli("import", "--no-nlp", "--db", db_path, tmp_path / "a.jsonl").code == 0
    result = cli("import", "--no-nlp", "--db", db_path, tmp_path / "b.jsonl")
    assert result.code == 1
    assert result.err_lines == [
        f"annotator: error: {tmp_path / 'b.jsonl'}:1: id 'story-7' is already used by a different text; "
        "give this document another id"
    ]


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_import_from_stdin(cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"A piped article.\r\nSecond line.")
    assert cli("import", "--no-nlp", "--db", db_path, "-").code == 0
    _stdin(monkeypatch, _jsonl({"text": "Piped JSONL.", "id": "p1"}, {"text": "Piped two.", "id": "p2"}).encode())
    result = cli("import", "--no-nlp", "--db", db_path, "-")
    assert result.code == 0 and "imported 2 documents from 1 file" in result.out
    _stdin(monkeypatch, b'{"text": "x"}\n{broken\n')
    result = cli("import", "--no-nlp", "--db", db_path, "-")
    assert result.code == 1 and result.err_lines == [
        "annotator: error: <stdin>:2: invalid JSON (Expecting property name enclosed in double quotes at column 2)"
    ]
    lines = cli("export", "-o", "-", "--db", db_path).json_lines()
    assert sorted(line["text"] for line in lines) == ["A piped article.\nSecond line.", "Piped JSONL.", "Piped two."]


def test_import_assigns_the_annotator(cli: Cli, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = {"text": HELLO, "claims": [{"start": 16, "end": 26, "text": HELLO[16:26]}]}
    path = _write(tmp_path / "nameless.jsonl", _jsonl(line))
    result = cli("import", "--no-nlp", "--db", db_path, path)
    assert result.code == 1 and "--annotator NAME" in result.err
    monkeypatch.setenv("ANNOTATOR_NAME", "erin")
    assert cli("import", "--no-nlp", "--db", db_path, path).code == 0
    (exported,) = cli("export", "-o", "-", "--db", db_path).json_lines()
    assert exported["annotator"] == "erin" and len(exported["claims"]) == 1


def _filled(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    lines = [
        _v1("Doc one.", id="d1", status="done"),
        _v1("Doc one.", id="d1", annotator="bob", status="in_progress"),
        _v1("Doc two.", id="d2", status="skipped", annotator="bob"),
        {"text": "Doc three.", "id": "d3"},
    ]
    assert cli("import", "--no-nlp", "--db", db_path, _write(tmp_path / "in.jsonl", _jsonl(*lines))).code == 0


def test_export_filters_and_stdout(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    _filled(cli, tmp_path, db_path)
    everything = cli("export", "-o", "-", "--db", db_path)
    assert everything.code == 0 and everything.err == ""
    assert [(o["id"], o["annotator"]) for o in everything.json_lines()] == [
        ("d1", "alice"),
        ("d1", "bob"),
        ("d2", "bob"),
        ("d3", None),
    ]
    done = cli("export", "-o", "-", "--status", "done", "--db", db_path).json_lines()
    assert [(o["id"], o["annotator"]) for o in done] == [("d1", "alice")]
    bobs = cli("export", "-o", "-", "--annotator", "bob", "--db", db_path).json_lines()
    assert [(o["id"], o["status"]) for o in bobs] == [("d1", "in_progress"), ("d2", "skipped")]
    out = tmp_path / "out.jsonl"
    result = cli("export", "-o", out, "--annotator", "bob", "--status", "skipped", "--db", db_path)
    assert result.code == 0 and result.out.strip() == f"wrote 1 annotation set (1 document) as jsonl to {out}"
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == ["d2"]


def test_each_command_closes_the_database_it_opened(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    """An in-process command leaves no open connection behind (SQLite removes its -wal file at the last close)."""
    import gc

    gc.disable()  # a connection left to the garbage collector would keep the files until it runs
    try:
        _filled(cli, tmp_path, db_path)
        for args in (("export", "-o", tmp_path / "o.jsonl"), ("stats",), ("suggest",)):
            assert cli(*args, "--db", db_path).code == 0, args
            sidecars = sorted(p.name for p in tmp_path.glob(db_path.name + "-*"))
            assert sidecars == [], (args, sidecars)
    finally:
        gc.enable()


def test_export_to_a_missing_folder(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    result = cli("export", "-o", tmp_path / "nope" / "out.jsonl", "--db", db_path)
    assert result.code == 1 and len(result.err_lines) == 1 and "does not exist" in result.err
    assert not (tmp_path / "nope").exists()


def test_stats(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    _filled(cli, tmp_path, db_path)
    text = HELLO
    annotated = _v1(
        text,
        id="d4",
        annotator="carol",
        status="done",
        entities=[_entity(6, 14), _entity(21, 26, "GPE")],
        speakers=[{"id": "s1", "name": "Malhotra", "mentions": [{"start": 6, "end": 14, "text": "Malhotra"}]}],
        claims=[{"start": 0, "end": 14, "text": text[:14], "speaker": {"id": "s1"}}],
    )
    assert cli("import", "--no-nlp", "--db", db_path, _write(tmp_path / "c.jsonl", _jsonl(annotated))).code == 0
    result = cli("stats", "--db", db_path)
    assert result.code == 0 and result.err == ""
    lines = result.out_lines
    assert lines[0] == "documents: 4 (1 not opened by anyone)"
    assert lines[1] == "model entities: 0"
    assert lines[2].split() == ["annotator", "new", "in_progress", "done", "skipped", "entities", "speakers", "claims"]
    rows = {row.split()[0]: row.split()[1:] for row in lines[3:]}
    assert rows == {
        "alice": ["0", "0", "1", "0", "0", "0", "0"],
        "bob": ["0", "1", "0", "1", "0", "0", "0"],
        "carol": ["0", "0", "1", "0", "2", "1", "1"],
    }


def test_stats_of_an_empty_database(cli: Cli, db_path: Path) -> None:
    result = cli("stats", "--db", db_path)
    assert result.out_lines == ["documents: 0 (0 not opened by anyone)", "model entities: 0", "no annotators yet"]


# ------------------------------------------------------------------ --db


def test_db_as_an_sqlalchemy_url(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "by-url.sqlite3"
    article = _write(tmp_path / "a.txt", "By URL.")
    assert cli("import", "--no-nlp", "--db", f"sqlite:///{path}", article).code == 0
    assert path.exists()
    assert cli("stats", "--db", path).out_lines[0] == "documents: 1 (1 not opened by anyone)"


def test_annotator_db_overrides_the_default(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env" / "db.sqlite3"
    path.parent.mkdir()
    monkeypatch.setenv("ANNOTATOR_DB", str(path))
    assert cli("import", "--no-nlp", _write(tmp_path / "a.txt", "Via the environment.")).code == 0
    assert path.exists()
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT text FROM documents").fetchall() == [("Via the environment.",)]
    connection.close()
    # --db wins over the environment.
    other = tmp_path / "explicit.sqlite3"
    assert cli("stats", "--db", other).out_lines[0] == "documents: 0 (0 not opened by anyone)"


def test_a_non_sqlite_db_is_refused_untouched(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.txt", "My notes, not a database.\n")
    result = cli("stats", "--db", path)
    assert result.code == 1
    assert result.err_lines == [
        f"annotator: error: {path}: is not an annotator database (not an SQLite file); choose another --db"
    ]
    assert path.read_text() == "My notes, not a database.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_newer_database_is_refused_untouched(cli: Cli, db_path: Path) -> None:
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE alembic_version SET version_num = '0042'")
    connection.commit()
    connection.close()
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    result = cli("import", "--no-nlp", "--db", db_path, "-")
    assert result.code == 1 and len(result.err_lines) == 1
    assert "newer version of annotator (schema 0042)" in result.err
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == digest


# ------------------------------------------------------------------ real processes


def _run(*args: str | os.PathLike[str], stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ANNOTATOR), *map(str, args)],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )


def test_process_exit_codes_and_one_line_errors(tmp_path: Path, db_path: Path) -> None:
    good = _run("import", "--no-nlp", "--db", db_path, "-", stdin=_jsonl({"text": "From a pipe.", "id": "p"}).encode())
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines() == ["<stdin>: read as jsonl", "imported 1 document from 1 file"]
    assert good.stderr == ""

    bad = _run("import", "--no-nlp", "--db", db_path, _write(tmp_path / "bad.jsonl", '{"text": 1}\n'))
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == [
        f"annotator: error: {tmp_path / 'bad.jsonl'}:1: 'text' must be a string, got int"
    ]
    assert "Traceback" not in bad.stderr + bad.stdout

    notdb = _write(tmp_path / "plain.txt", "hello\n")
    refused = _run("stats", "--db", notdb)
    assert refused.returncode == 1 and len(refused.stderr.splitlines()) == 1
    assert "not an SQLite file" in refused.stderr and "Traceback" not in refused.stderr
    assert notdb.read_text() == "hello\n"

    usage = _run("import", "--no-nlp", "--jobs", "0", "x.txt")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert _run("frobnicate").returncode == 2

    exported = _run("export", "-o", "-", "--db", db_path)
    assert exported.returncode == 0 and json.loads(exported.stdout)["text"] == "From a pipe."
