"""Hostile and broken input, table-driven (issue 5): each case gets its clear error or is taken and shown literally.

Refused files: the real command line (in-process) exits 1 with one line on
stderr that names the file (and line) and says what is wrong, and the
database is exactly as before. Accepted files: what they hold comes back out
unchanged. The window's literal display of markup, ``javascript:`` links and
U+202E everywhere is ``test_markup_and_bidi_controls_are_shown_literally_everywhere``;
the very large inputs (50 MB article, 1,000,000 lines, 100,000 spans) are the
``slow`` tests at the end.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from annotator.services import formats as registry

TEXT = "Officials in Paris said the talks failed. Critics disagree."
BIG_LINES = int(os.environ.get("ANNOTATOR_BIG_LINES", "1000000"))


def line(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


def annotated(**changes: Any) -> dict[str, Any]:
    """A valid annotated line (a claim with speaker, cue and stance, an entity) with ``changes`` applied."""
    base: dict[str, Any] = {
        "format": "annotator/v1",
        "id": "doc",
        "text": TEXT,
        "annotator": "alice",
        "entities": [{"start": 13, "end": 18, "text": "Paris", "label": "GPE"}],
        "speakers": [{"id": "s1", "name": "Officials", "mentions": [{"start": 0, "end": 9, "text": "Officials"}]}],
        "claims": [
            {
                "start": 24,
                "end": 40,
                "text": "the talks failed",
                "speaker": {"id": "s1", "mention": {"start": 0, "end": 9, "text": "Officials"}},
                "cue": {"start": 19, "end": 23, "text": "said"},
                "stance": {"label": "oppose", "target": "talks"},
                "note": "checked",
            }
        ],
    }
    base.update(changes)
    return base


def with_claim(**changes: Any) -> dict[str, Any]:
    data = annotated()
    data["claims"][0].update(changes)
    return data


def with_entity(**changes: Any) -> dict[str, Any]:
    data = annotated()
    data["entities"][0].update(changes)
    return data


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + zlib.compress(bytes(range(256)) * 40)


@dataclass
class Refused:
    """A file (or files) the import must refuse, and what the one-line message must say."""

    files: dict[str, bytes]
    says: list[str]
    args: list[str] = field(default_factory=list)
    line: int | None = None


REFUSED: dict[str, Refused] = {
    "NUL byte in a text file": Refused({"a.txt": b"Officials\x00said so."}, ["NUL byte", "UTF-8"]),
    "NUL escaped in JSON text": Refused({"a.jsonl": b'{"text": "a\\u0000b"}\n'}, ["NUL character"], line=1),
    "lone surrogate escaped in JSON": Refused({"a.jsonl": b'{"text": "a \\ud800 b"}\n'}, ["lone surrogate"], line=1),
    "lone surrogate as bytes (CESU-8)": Refused({"a.txt": b"abc \xed\xa0\x80 def"}, ["is not UTF-8", "0xed"]),
    "UTF-16 LE text without BOM": Refused({"a.txt": "Officials said so.".encode("utf-16-le")}, ["NUL byte", "UTF-16"]),
    "UTF-16 BE JSONL without BOM": Refused(
        {"a.jsonl": json.dumps({"text": TEXT}).encode("utf-16-be") + b"\x00\n"}, ["NUL byte", "UTF-16"], line=1
    ),
    "UTF-16 text with BOM": Refused({"a.txt": "\ufeffOfficials said so.".encode("utf-16-le")}, ["UTF-16", "UTF-8"]),
    "UTF-32 text": Refused({"a.txt": "Officials said so.".encode("utf-32")}, ["NUL byte", "UTF-8"]),
    "binary (PNG) named .txt": Refused({"picture.txt": png_bytes()}, ["UTF-8"]),
    "binary (PNG) named .jsonl": Refused({"picture.jsonl": png_bytes()}, ["UTF-8"], line=1),
    "Latin-1 text": Refused({"a.txt": "Le café est fermé.".encode("latin-1")}, ["is not UTF-8", "0xe9"]),
    "empty text file": Refused({"a.txt": b""}, ["is empty"]),
    "blank JSONL": Refused({"a.jsonl": b"\n  \n\t\n"}, ["is empty"]),
    "truncated JSON": Refused({"a.jsonl": line({"text": "one"}) + b'{"text": "tw'}, ["invalid JSON"], line=2),
    "a JSON array instead of an object": Refused({"a.jsonl": b"[1, 2, 3]\n"}, ["JSON object", "list"], line=1),
    "deeply nested arrays": Refused(
        {"a.jsonl": b"[" * 100_000 + b"]" * 100_000 + b"\n"}, ["nested too deeply"], line=1
    ),
    "deeply nested meta": Refused(
        {"a.jsonl": b'{"text": "x y", "meta": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}\n"},
        ["nested too deeply"],
        line=1,
    ),
    "text is a number": Refused({"a.jsonl": line({"text": 5})}, ["'text' must be a string, got int"], line=1),
    "id is a number": Refused({"a.jsonl": line({"id": 7, "text": TEXT})}, ["'id' must be a non-empty string"], line=1),
    "label is a number": Refused({"a.jsonl": line(with_entity(label=3))}, ["entities[0]", "label"], line=1),
    "speaker name is a number": Refused(
        {"a.jsonl": line(annotated(speakers=[{"id": "s1", "name": 4, "mentions": []}], claims=[]))},
        ["speakers[0]", "name"],
        line=1,
    ),
    "note is a number": Refused({"a.jsonl": line(with_claim(note=5))}, ["note"], line=1),
    "offset is a string": Refused({"a.jsonl": line(with_entity(start="13"))}, ["entities[0]", "integers"], line=1),
    "offset is a boolean": Refused({"a.jsonl": line(with_entity(start=True))}, ["entities[0]", "integers"], line=1),
    "offset past the end": Refused({"a.jsonl": line(with_entity(end=999))}, ["entities[0]"], line=1),
    "span text does not match": Refused({"a.jsonl": line(with_entity(text="Lyon"))}, ["entities[0]", "'Lyon'"], line=1),
    "NaN in meta": Refused({"a.jsonl": b'{"text": "x y", "meta": {"score": NaN}}\n'}, ["NaN"], line=1),
    "number too large for a float": Refused(
        {"a.jsonl": b'{"text": "x y", "meta": {"n": 1e400}}\n'}, ["too large"], line=1
    ),
    "duplicate id with another text, across batches": Refused(
        {
            "a.jsonl": line({"id": "same", "text": "First text."})
            + b"".join(line({"id": f"filler-{i}", "text": f"Filler {i}."}) for i in range(300))
            + line({"id": "same", "text": "Another text."})
        },
        ["'same' is already used by a different text"],
        line=302,
    ),
    "duplicate speaker ids": Refused(
        {"a.jsonl": line(annotated(speakers=[{"id": "s1", "name": "A"}, {"id": "s1", "name": "B"}], claims=[]))},
        ["repeats speaker id 's1'"],
        line=1,
    ),
    "control characters in a label": Refused(
        {"a.jsonl": line(with_entity(label="PER\x1b[31m\nX"))},
        ["contains control characters", "\\x1b"],
        ["--add-labels"],
        1,
    ),
    "control characters in the annotator": Refused(
        {"a.jsonl": line(annotated(annotator="alice\nbob"))}, ["annotator name", "control characters"], line=1
    ),
    "markup label not in the schema": Refused(
        {"a.jsonl": line(with_entity(label="<b>X</b>"))},
        ["entity labels <b>X</b> not in the label schema", "--add-labels"],
        line=1,
    ),
    "claims without an annotator": Refused(
        {"a.jsonl": line(annotated(annotator=None))}, ["no annotator", "--annotator"], line=1
    ),
    "unknown stance label": Refused({"a.jsonl": line(with_claim(stance={"label": "maybe"}))}, ["maybe"], line=1),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_hostile_file_is_refused_with_one_clear_line(case: str, cli, db_path: Path, tmp_path: Path, dump) -> None:
    spec = REFUSED[case]
    for name, content in spec.files.items():
        (tmp_path / name).write_bytes(content)
    target = tmp_path / next(iter(spec.files))
    fmt = ["--format", "jsonl"] if target.suffix == ".jsonl" else []  # no sniffing needed to get the error
    before = dump(db_path)
    result = cli("import", "--db", db_path, "--no-nlp", *fmt, *spec.args, target)
    assert result.code == 1, result.out + result.err
    errors = [e for e in result.err_lines if e.startswith("annotator: error:")]
    assert len(errors) == 1 and len(result.err_lines) == 1, result.err
    message = errors[0]
    where = f"{target}:{spec.line}:" if spec.line is not None else f"{target}:"
    assert where in message, message
    for needle in spec.says:
        assert needle in message, message
    assert "Traceback" not in result.err and "\x1b" not in result.err
    assert dump(db_path) == before  # nothing of it was stored


@dataclass
class Taken:
    """A file the import must take; ``check`` gets the exported lines."""

    files: dict[str, bytes]
    check: Callable[[list[dict[str, Any]]], None]
    args: list[str] = field(default_factory=list)


def _overlapping(lines: list[dict[str, Any]]) -> None:
    (exported,) = lines
    texts = sorted(c["text"] for c in exported["claims"])
    assert texts == sorted(["the talks failed", "said the talks", "talks", "Critics disagree"])


def _literal_label(lines: list[dict[str, Any]]) -> None:
    assert [e["label"] for e in lines[0]["entities"]] == ['<img src="file:///etc/passwd">']


def _same_id_twice(lines: list[dict[str, Any]]) -> None:
    assert [e["id"] for e in lines] == ["same"]


def _crlf_lines(lines: list[dict[str, Any]]) -> None:
    assert [e["text"] for e in lines] == ["one\r\ntwo", "three"]


def _span(text: str, needle: str) -> dict[str, Any]:
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "text": needle}


TAKEN: dict[str, Taken] = {
    "overlapping and nested claims": Taken(
        {
            "a.jsonl": line(
                annotated(
                    speakers=[],
                    claims=[
                        _span(TEXT, "the talks failed"),
                        _span(TEXT, "said the talks"),  # overlaps it
                        _span(TEXT, "talks"),  # nested in both
                        _span(TEXT, "Critics disagree"),
                    ],
                )
            )
        },
        _overlapping,
    ),
    "markup as a label, added on request": Taken(
        {"a.jsonl": line(with_entity(label='<img src="file:///etc/passwd">'))}, _literal_label, ["--add-labels"]
    ),
    "the same id and text twice": Taken(
        {"a.jsonl": line({"id": "same", "text": TEXT}) + line({"id": "same", "text": TEXT})}, _same_id_twice
    ),
    "CRLF between JSON lines and inside texts": Taken(
        {"a.jsonl": b'{"text": "one\\r\\ntwo"}\r\n\r\n{"text": "three"}\r\n'}, _crlf_lines
    ),
}


@pytest.mark.parametrize("case", list(TAKEN), ids=list(TAKEN))
def test_odd_but_valid_file_is_taken_as_it_is(case: str, cli, db_path: Path, tmp_path: Path) -> None:
    spec = TAKEN[case]
    for name, content in spec.files.items():
        (tmp_path / name).write_bytes(content)
    target = tmp_path / next(iter(spec.files))
    result = cli("import", "--db", db_path, "--no-nlp", "--format", "jsonl", *spec.args, target)
    assert result.code == 0, result.err
    out = tmp_path / "out.jsonl"
    assert cli("export", "--db", db_path, "-o", out).code == 0
    spec.check([json.loads(raw) for raw in out.read_text(encoding="utf-8").splitlines()])


# ------------------------------------------------------------------ paths


def test_export_paths_with_dot_dot(cli, db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    assert cli("import", "--db", db_path, "--no-nlp", tmp_path / "a.txt").code == 0
    (tmp_path / "sub").mkdir()
    written = cli("export", "--db", db_path, "-o", f"{tmp_path}/sub/../out.jsonl")
    assert written.code == 0 and (tmp_path / "out.jsonl").is_file(), written.err
    refused = cli("export", "--db", db_path, "-o", f"{tmp_path}/missing/../out2.jsonl")
    assert refused.code == 1 and len(refused.err_lines) == 1 and "does not exist" in refused.err
    assert not (tmp_path / "out2.jsonl").exists()


HOSTILE_IDS = ["../../escape", "..", "a/b/c", "/etc/passwd-copy", "x\ny", "CON", "\u202etxt.exe"]


@pytest.mark.skipif("brat" not in registry.BY_NAME, reason="the brat format module is not there yet")
def test_document_ids_that_are_paths_stay_inside_a_folder_export(cli, db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b"".join(line({"id": i, "text": f"Text {n} of a hostile id."}) for n, i in enumerate(HOSTILE_IDS))
    )
    assert cli("import", "--db", db_path, "--no-nlp", "--format", "jsonl", source).code == 0
    box = tmp_path / "box"
    box.mkdir()
    session_folder = tmp_path.parent
    before = set(session_folder.rglob("*"))
    result = cli("export", "--db", db_path, "--format", "brat", "-o", box / "export")
    assert result.code == 0, result.err
    new = set(session_folder.rglob("*")) - before
    outside = [p for p in new if p != box / "export" and box / "export" not in p.parents]
    assert outside == [], outside
    assert not Path("/etc/passwd-copy").exists()
    texts = sorted(p.read_text(encoding="utf-8") for p in (box / "export").rglob("*.txt"))
    assert len(texts) == len(HOSTILE_IDS)
    assert "not safe file names" in result.err  # renamed, and said so


@pytest.mark.skipif("brat" not in registry.BY_NAME, reason="the brat format module is not there yet")
def test_brat_lines_pointing_at_missing_ids_are_refused(cli, db_path: Path, tmp_path: Path, dump) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tPERSON 0 9\tOfficials\nR1\tSOURCE Arg1:T1 Arg2:T9\nA1\tStance T7 support\n#1\tAnnotatorNotes T8\thi\n",
        encoding="utf-8",
    )
    before = dump(db_path)
    result = cli("import", "--db", db_path, "--no-nlp", "--annotator", "alice", "--add-labels", folder)
    assert result.code == 1, result.out
    (message,) = [e for e in result.err_lines if e.startswith("annotator: error:")]
    assert "a.ann" in message and "T9" in message, message
    assert dump(db_path) == before
