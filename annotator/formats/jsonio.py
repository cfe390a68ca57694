"""Reading JSON input, for the formats stored as JSON: lines with their numbers, values with their lines, checks.

Every function raises :class:`~annotator.domain.errors.InputError` with one
line saying what is wrong; the readers (:func:`read_json_lines`,
:func:`json_values`) add the file and the line, the checks leave that to
their caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterable, Iterator
from datetime import datetime
from typing import Any

from annotator.domain.errors import InputError
from annotator.formats.records import Record
from annotator.formats.textio import BOM, check_text

NESTED_TOO_DEEPLY = "JSON is nested too deeply"


# ---------------------------------------------------------------- reading files


def decode_line(raw: bytes, path: str, number: int) -> str:
    """Line ``number`` of a JSON lines file as text: UTF-8 only, a byte order mark dropped from the first line."""
    nul = raw.find(b"\x00")
    if nul >= 0:  # valid UTF-8, but no JSON text holds one: UTF-16 or UTF-32 without a BOM, or binary
        raise InputError(
            f"contains a NUL byte at byte {nul} of the line: not UTF-8 text (binary, or UTF-16/32); save it as UTF-8",
            path,
            number,
        )
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8", path, number) from None
    return line[1:] if number == 1 and line.startswith(BOM) else line


def _no_constant(name: str) -> Any:
    raise InputError(f"invalid JSON ({name} is not a JSON number; write a number or null)")


def _finite(literal: str) -> float:
    number = float(literal)
    if number in (float("inf"), float("-inf")):
        raise InputError(f"invalid JSON (the number {literal[:40]} is too large)")
    return number


def json_error(error: json.JSONDecodeError) -> str:
    """One line for a JSON syntax error: ``invalid JSON (Expecting value at column 7)``.

    Python's messages for strings say "starting at"; the column follows
    them directly. An error past the last character of the text (a line
    cut short) says so instead of naming a column that is not there.
    """
    if not error.doc[error.pos :].strip():
        return f"invalid JSON ({error.msg.removesuffix(' at')}: the text ends before the JSON value does)"
    where = f"column {error.colno}" if error.msg.endswith(" at") else f"at column {error.colno}"
    return f"invalid JSON ({error.msg} {where})"


def parse_json(text: str) -> Any:
    """``json.loads`` refusing ``NaN``, ``Infinity`` and overflowing numbers (:class:`InputError`, no location).

    Syntax errors stay :class:`json.JSONDecodeError`, for callers that
    locate them (see :func:`json_error`).
    """
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite)


def load_json(line: str) -> Any:
    """The JSON value of ``line``; :class:`InputError` (no location) when it is not valid JSON.

    Python's ``json`` accepts ``NaN``, ``Infinity`` and numbers too large for
    a float (read as infinity); no other JSON reader does, and an export would
    carry them on, so they are refused here.
    """
    try:
        return parse_json(line)
    except json.JSONDecodeError as error:
        raise InputError(json_error(error)) from None


def load_object(line: str, what: str = "a JSON object") -> dict[str, Any]:
    """The JSON object of ``line``; :class:`InputError` when it is not valid JSON or not an object (``what``)."""
    data = load_json(line)
    if not isinstance(data, dict):
        raise InputError(f"each line must be {what}, got {type(data).__name__}")
    return data


def read_json_lines(
    lines: Iterable[bytes], path: str, parse: Callable[[str], Record | None], what: str
) -> Iterator[Record]:
    """Yield the record ``parse`` makes of each non-blank line of a JSON lines file, with its line number.

    Lines are numbered from 1 and decoded by :func:`decode_line`; ``parse``
    returns ``None`` for a line to skip, and raises :class:`InputError`
    without a location, which this adds. A file with no line but blank ones
    is refused as empty ("no ``what`` to import").
    """
    seen_any = False
    for number, raw in enumerate(lines, start=1):
        line = decode_line(raw, path, number)
        if not line.strip():
            continue
        seen_any = True
        try:
            record = parse(line)
        except InputError as error:
            raise error.located(path, number) from None
        except RecursionError:
            raise InputError(NESTED_TOO_DEEPLY, path, number) from None
        if record is None:
            continue
        record.line = number
        yield record
    if not seen_any:
        raise InputError(f"is empty: no {what} to import", path)


def json_values(text: str, path: str) -> Iterator[tuple[Any, int]]:
    """Each top-level JSON value of ``text`` (the elements of a top-level array), with the line it starts on.

    Reads a JSON array, one JSON object, or several concatenated values;
    raises :class:`InputError` with the line of the first JSON error.
    """
    decoder = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
    counted, line = 0, 1

    def line_at(index: int) -> int:
        nonlocal counted, line
        line += text.count("\n", counted, index)
        counted = index
        return line

    def skip(index: int) -> int:
        while index < len(text) and text[index] in " \t\r\n":
            index += 1
        return index

    def decode(index: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            raise InputError(json_error(error), path, error.lineno) from None
        except RecursionError:
            raise InputError(NESTED_TOO_DEEPLY, path, line_at(index)) from None
        except InputError as error:  # NaN, Infinity, a number too large
            raise error.located(path, line_at(index)) from None

    position = skip(0)
    if position == len(text):
        raise InputError("is empty: no JSON to import", path)
    while position < len(text):
        if text[position] != "[":
            start = line_at(position)
            value, position = decode(position)
            yield value, start
            position = skip(position)
            continue
        position = skip(position + 1)
        if position < len(text) and text[position] == "]":
            position = skip(position + 1)
            continue
        while True:
            start = line_at(position)
            value, position = decode(position)
            yield value, start
            position = skip(position)
            if position < len(text) and text[position] == ",":
                position = skip(position + 1)
            elif position < len(text) and text[position] == "]":
                position = skip(position + 1)
                break
            else:
                raise InputError("invalid JSON (expected ',' or ']' after an array element)", path, line_at(position))


# ---------------------------------------------------------------- checking values


def json_type(value: object) -> str:
    """The name of a decoded JSON value's type for a message: ``null`` for None, else the Python type's name."""
    return "null" if value is None else type(value).__name__


def json_object(value: object, what: str) -> dict[str, Any]:
    """``value`` as an object; :class:`InputError` naming ``what`` when it is anything else."""
    if not isinstance(value, dict):
        raise InputError(f"{what} must be an object, got {json_type(value)}")
    return value


def json_list(value: object, what: str) -> list[Any]:
    """``value`` as a list, ``[]`` when it is absent (None); :class:`InputError` naming ``what`` when not a list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"'{what}' must be a list, got {json_type(value)}")
    return value


def list_field(obj: dict[str, Any], key: str) -> list[Any]:
    """The list ``obj[key]`` (``[]`` when absent or null); :class:`InputError` when it is not a list."""
    return json_list(obj.get(key), key)


def require_keys(obj: dict[str, Any], what: str, *keys: str) -> None:
    """Refuse ``obj`` (named ``what``) when one of ``keys`` is missing from it."""
    for key in keys:
        if key not in obj:
            raise InputError(f"{what} is missing '{key}'")


def text_field(data: dict[str, Any], others: Container[str], name: Callable[[str], str], missing: str) -> str:
    """The key of the field of ``data`` that holds a document's text, checked.

    That is ``text``, else the one string field whose key is not in
    ``others``; the text must be a string, not blank, and storable.
    ``name`` names a field in a message (``'text'``, ``'data.text'``);
    ``missing`` is the message when no field or several could be the text,
    with ``{hint}`` where the candidates are listed.
    """
    if "text" in data:
        if not isinstance(data["text"], str):
            raise InputError(f"{name('text')} must be a string, got {json_type(data['text'])}")
        key = "text"
    else:
        found = [k for k, v in data.items() if isinstance(v, str) and k not in others]
        if len(found) != 1:
            hint = f" (one of the string fields {', '.join(map(repr, found))} may be it)" if found else ""
            raise InputError(missing.format(hint=hint))
        key = found[0]
    if not data[key].strip():
        raise InputError(f"{name(key)} is empty")
    check_text(data[key], name(key))
    return key


def optional_str(value: object, what: str) -> str | None:
    """``value`` as a string or None; refuses other types, and strings that cannot be stored (see check_text)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be a string or null, got {value!r}")
    check_text(value, what)
    return value


def iso_timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp string as a datetime; None for anything else (a timestamp is never worth a refusal)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


__all__ = [
    "NESTED_TOO_DEEPLY",
    "decode_line",
    "iso_timestamp",
    "json_list",
    "json_object",
    "json_type",
    "json_values",
    "list_field",
    "load_json",
    "load_object",
    "optional_str",
    "read_json_lines",
    "require_keys",
    "text_field",
]
