"""The File menu's format choices: Qt file-dialog filters built from the format registry, and back."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.services.formats import AUTO, FORMATS, FormatSpec

AUTO_IMPORT_FILTER = "Any supported file, format detected (*.txt *.jsonl *.ndjson *.json *.ann)"
ALL_FILES = "All files (*)"


@dataclass(frozen=True, slots=True)
class FormatChoices:
    """The filters a file dialog offers, and the format each one means."""

    filters: list[str]
    formats: dict[str, str]

    @property
    def filter_string(self) -> str:
        """The filters joined as ``QFileDialog`` wants them."""
        return ";;".join(self.filters)

    def format_of(self, selected: str) -> str:
        """The ``--format`` name of the filter the user chose (``auto`` for one not listed)."""
        return self.formats.get(selected, AUTO)


def import_choices() -> FormatChoices:
    """Filters for File ▸ Import files…: detected first, then each file format that can be read."""
    specs = [spec for spec in FORMATS if spec.reads and not spec.folder]
    return _choices([(AUTO_IMPORT_FILTER, AUTO), *((spec.file_filter, spec.name) for spec in specs), (ALL_FILES, AUTO)])


def export_choices() -> FormatChoices:
    """Filters for File ▸ Export…: each format that can be written (a folder format names the folder to write)."""
    return _choices([(_export_filter(spec), spec.name) for spec in FORMATS if spec.writes])


def default_export_name(fmt: str) -> str:
    """The file (or folder) name an export dialog suggests for ``fmt``."""
    spec = next(spec for spec in FORMATS if spec.name == fmt)
    if spec.folder:
        return f"annotations-{spec.name}"
    suffix = spec.suffixes[0] if spec.suffixes else ""
    return f"annotations-{spec.name}{suffix}" if spec.name != "jsonl" else f"annotations{suffix}"


def _export_filter(spec: FormatSpec) -> str:
    if spec.folder:
        return f"{spec.title}: a new folder (*)"
    return spec.file_filter


def _choices(pairs: list[tuple[str, str]]) -> FormatChoices:
    return FormatChoices(filters=[label for label, _ in pairs], formats=dict(pairs))


__all__ = ["FormatChoices", "default_export_name", "export_choices", "import_choices"]
