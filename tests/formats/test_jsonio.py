"""JSON syntax errors as one readable line, located in the file."""

import io

import pytest

from annotator.domain.errors import InputError
from annotator.formats import citron
from annotator.formats.interchange import ReadOptions
from annotator.formats.jsonio import load_json


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"text": "abc', "invalid JSON (Unterminated string starting at column 10)"),
        ('{"text": "a" "b"}', "invalid JSON (Expecting ',' delimiter at column 14)"),
        ('{"text": "a", "x": [1,\n', "invalid JSON (Expecting value: the text ends before the JSON value does)"),
        ('{"text": "abc\n', "invalid JSON (Invalid control character: the text ends before the JSON value does)"),
        ('{"text": 1e999}', "invalid JSON (the number 1e999 is too large)"),
    ],
)
def test_syntax_errors_read_as_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        load_json(text)
    assert message in raised.value.problem
    assert "at at" not in raised.value.problem and "\n" not in raised.value.problem


def test_citron_refuses_nan_with_file_and_line() -> None:
    lines = b'{"quotes": []}\n{"quotes": [], "x": NaN}\n'
    with pytest.raises(InputError) as raised:
        list(citron.read(io.BytesIO(lines), "q.json", ReadOptions()))
    assert raised.value.path == "q.json" and raised.value.line == 2 and "NaN" in raised.value.problem
