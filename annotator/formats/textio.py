"""Decoding input bytes into text, with one-line errors for what is not UTF-8 text."""

from __future__ import annotations

from annotator.domain.errors import InputError

BOM = "\ufeff"


def decode_utf8(data: bytes, path: str) -> str:
    """Decode ``data`` as UTF-8 (a leading BOM is dropped); refuse binary and other encodings."""
    if b"\x00" in data:
        where = data.index(b"\x00")
        raise InputError(
            f"contains a NUL byte at byte {where}: not a UTF-8 text file (binary, or UTF-16/32); save it as UTF-8",
            path,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} at byte {error.start}); save it as UTF-8", path, line
        ) from None
    return text[1:] if text.startswith(BOM) else text


def check_text(text: str, what: str = "text") -> None:
    """Refuse text that cannot be stored as UTF-8 (lone surrogates from JSON escapes) or holds NUL."""
    if "\x00" in text:
        raise InputError(f"{what} contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError(
            f"{what} contains a lone surrogate (U+{ord(text[error.start]):04X} at {error.start}); "
            "it is not valid Unicode"
        ) from None
