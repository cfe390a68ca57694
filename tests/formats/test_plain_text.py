"""Plain .txt articles, and choosing a reader by name, suffix or content."""

import io

import pytest

from annotator.domain.errors import InputError, UserError
from annotator.domain.model import text_sha256
from annotator.formats.interchange import ReadOptions
from annotator.formats.plain_text import read_text
from annotator.services.formats import JSONL, TEXT, read_records, sniff


def test_date_prefix_becomes_meta_and_is_not_text() -> None:
    record = read_text(b"date 2025-12-01 Russian President Vladimir Putin's visit.\n", "/x/000_abc.txt")
    assert record.document.meta == {"source": "000_abc.txt", "date": "2025-12-01"}
    assert record.document.text == "Russian President Vladimir Putin's visit."
    assert record.document.external_id == "000_abc"


def test_date_prefix_on_its_own_line() -> None:
    record = read_text(b"date 2024-02-29\nBody text.\n", "a.txt")
    assert record.document.meta["date"] == "2024-02-29" and record.document.text == "Body text."


def test_a_date_that_is_article_text_stays() -> None:
    record = read_text(b"dated 2024 papers say so.", "a.txt")
    assert "date" not in record.document.meta and record.document.text == "dated 2024 papers say so."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"one\r\ntwo\r\n\r\nthree", "one\ntwo\n\nthree"),
        (b"one\rtwo\r\rthree", "one\ntwo\n\nthree"),
        (b"a\r\nb\rc\n", "a\nb\nc"),
    ],
)
def test_line_breaks_are_normalised_and_flagged(raw: bytes, expected: str) -> None:
    record = read_text(raw, "a.txt")
    assert record.document.text == expected
    assert record.document.meta["newlines_normalized"] is True


def test_lf_text_is_not_flagged() -> None:
    assert "newlines_normalized" not in read_text(b"one\ntwo\n", "a.txt").document.meta


def test_bom_is_dropped() -> None:
    record = read_text("\ufeffcafé".encode(), "a.txt")
    assert record.document.text == "café"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("first line\ncafé".encode("latin-1"), r"^bad\.txt:2: is not UTF-8 text \(byte 0xe9"),
        ("utf-16 text".encode("utf-16"), r"^bad\.txt: contains a NUL byte"),
        (b"", r"^bad\.txt: is empty"),
        (b" \n\r\n\t", r"^bad\.txt: is empty"),
        (b"date 2025-12-01\n", r"^bad\.txt: is empty"),
    ],
)
def test_bad_text_files(raw: bytes, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        read_text(raw, "bad.txt")


def test_stdin_text_gets_a_hash_id() -> None:
    for name in ("-", "<stdin>"):
        record = read_text(b"from a pipe", name)
        assert record.document.external_id == text_sha256("from a pipe")[:16]
        assert record.document.meta["source"] == "stdin"


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        ("a.txt", b'{"text": "x"}', TEXT),
        ("a.TXT", b"", TEXT),
        ("a.jsonl", b"plain", JSONL),
        ("a.ndjson", b"", JSONL),
        ("<stdin>", b'\xef\xbb\xbf \n{"text": 1}', JSONL),
        ("<stdin>", b"Plain words", TEXT),
        ("<stdin>", b"", TEXT),
    ],
)
def test_sniff(path: str, head: bytes, expected: str) -> None:
    assert sniff(path, head) == expected


def test_read_records_refuses_an_unknown_format() -> None:
    with pytest.raises(UserError, match="unknown format 'xml'"):
        read_records(io.BytesIO(b""), "a.xml", "xml", ReadOptions())


@pytest.mark.parametrize("stream_type", [io.BytesIO, lambda data: io.BufferedReader(io.BytesIO(data))])
def test_read_records_sniffs_streams_with_and_without_peek(stream_type: object) -> None:
    data = b'{"text": "one", "id": "1"}\n{"text": "two", "id": "2"}\n'
    fmt, records = read_records(stream_type(data), "<stdin>", "auto", ReadOptions())  # type: ignore[operator]
    assert fmt == JSONL
    assert [r.document.text for r in records] == ["one", "two"]
    fmt, records = read_records(stream_type(b"An article."), "<stdin>", "auto", ReadOptions())  # type: ignore[operator]
    assert fmt == TEXT and [r.document.text for r in records] == ["An article."]
