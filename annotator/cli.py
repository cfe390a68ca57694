"""The command line: ``annotator [gui|import|preannotate|export|stats]``; thin over services.

Exit status: 0 on success, 1 on a user error (one line on stderr, no
traceback), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack

from annotator import __version__
from annotator.domain.errors import UserError
from annotator.domain.model import Status
from annotator.services.formats import AUTO, EXPORT_FORMATS, IMPORT_FORMATS, OFFSET_UNITS, OffsetUnit

log = logging.getLogger("annotator.cli")
ANNOTATOR_ENV = "ANNOTATOR_NAME"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", default=argparse.SUPPRESS, help="database file or SQLAlchemy URL (default: $ANNOTATOR_DB or user data)"
    )
    common.add_argument("--annotator", default=argparse.SUPPRESS, help="who is annotating (default: $ANNOTATOR_NAME)")
    common.add_argument("--verbose", "-v", action="store_true", default=argparse.SUPPRESS, help="log to stderr too")

    parser = argparse.ArgumentParser(
        prog="annotator", description="Label claims, speakers, cues and stance in news articles.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", parents=[common], help="open the window (the default)")
    gui.add_argument("--doc", help="open the document with this id")
    gui.add_argument(
        "--screenshot", metavar="PNG", help="save the window as an image once it shows an article, then quit"
    )

    imp = commands.add_parser("import", parents=[common], help="import .txt files, folders, JSONL or - (stdin)")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument(
        "--format", default=AUTO, choices=IMPORT_FORMATS, help="input format (default: auto, sniffed from each file)"
    )
    imp.add_argument(
        "--offsets",
        default=OffsetUnit.AUTO.value,
        choices=OFFSET_UNITS,
        help="what the file's offsets count (default: auto, code points unless span texts show UTF-16 or graphemes)",
    )
    imp.add_argument("--no-nlp", action="store_true", help="do not pre-annotate entities")
    imp.add_argument("--model", help="spaCy pipeline for pre-annotation (name or path)")
    imp.add_argument("--add-labels", action="store_true", help="add labels the schema lacks instead of failing")
    imp.add_argument("--jobs", type=_positive_int, default=1, help="processes for pre-annotation")

    pre = commands.add_parser("preannotate", parents=[common], help="(re)run entity pre-annotation")
    pre.add_argument("--model", help="spaCy pipeline (name or path)")
    pre.add_argument("--jobs", type=_positive_int, default=1, help="processes for spaCy")

    exp = commands.add_parser("export", parents=[common], help="write annotator/v1 JSONL or another tool's format")
    exp.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="output file (a folder for brat), or - for stdout"
    )
    exp.add_argument(
        "--format", default=AUTO, choices=EXPORT_FORMATS, help="output format (default: auto, from OUT's name)"
    )
    exp.add_argument(
        "--offsets",
        default=OffsetUnit.CODEPOINTS.value,
        choices=[unit for unit in OFFSET_UNITS if unit != OffsetUnit.AUTO],
        help="what offsets count in the written file (default: codepoints; utf16 for JavaScript tools)",
    )
    exp.add_argument("--status", choices=[s.value for s in Status], help="only documents with this status")

    sug = commands.add_parser("suggest", parents=[common], help="(re)compute claim suggestions for every document")
    sug.add_argument("--model", help="spaCy pipeline with a parser (name or path)")
    sug.add_argument(
        "--accept", action="store_true", help="store every suggestion as --annotator's claims (evaluation, bootstrap)"
    )

    commands.add_parser("stats", parents=[common], help="documents by status, annotations per annotator")

    ev = commands.add_parser(
        "evaluate-suggestions",
        parents=[common],
        help="score the claim suggester against brat attribution files (PolNeAR layout)",
    )
    ev.add_argument(
        "path", metavar="PATH", help="a folder with attributions/ARTICLE_ANNOTATOR.ann and text/ARTICLE.txt"
    )
    ev.add_argument("--limit", type=_positive_int, help="only the first N articles (by name)")
    ev.add_argument("--model", help="spaCy pipeline (name or path; default: the installed one)")
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    from annotator.logs import setup_logging

    log_file = setup_logging(getattr(args, "verbose", False))
    command = args.command or "gui"
    try:
        with ExitStack() as args.cleanup:  # closes the databases the command opened
            return int(_COMMANDS[command](args))
    except UserError as error:
        print(f"annotator: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("annotator: interrupted; nothing half-done was kept", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: log it with its traceback, say where
        log.exception("unexpected error in %s", command)
        where = f"; details in {log_file}" if log_file else ""
        print(f"annotator: internal error: {type(error).__name__}: {error}{where}", file=sys.stderr)
        return 1


def gui_main() -> int:
    """The ``annotator-gui`` entry point (no console on Windows): ``annotator gui`` with the given options."""
    return main(["gui", *sys.argv[1:]])


def _database(args: argparse.Namespace) -> object:
    from annotator.services.database import open_database, upgrade_note

    database = open_database(getattr(args, "db", None))
    args.cleanup.callback(database.close)
    if note := upgrade_note(database):
        print(f"annotator: note: {note}", file=sys.stderr)
    return database


def _annotator_name(args: argparse.Namespace) -> str | None:
    name = getattr(args, "annotator", None) or os.environ.get(ANNOTATOR_ENV) or None
    if name is not None and not name.strip():
        raise UserError("--annotator is empty; give a name")
    return name


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the window (falls back to importing and printing the sample when Qt is unavailable)."""
    try:
        from annotator.ui.app import run_window
    except ImportError as error:
        if "annotator.ui.app" not in str(error) and "PySide6" not in str(error):
            raise
        return _print_sample(args)
    return run_window(
        getattr(args, "db", None), _annotator_name(args), getattr(args, "doc", None), getattr(args, "screenshot", None)
    )


def _print_sample(args: argparse.Namespace) -> int:
    from annotator.services.exporting import export_jsonl
    from annotator.services.importing import ImportOptions, import_paths
    from annotator.services.samples import sample_folder

    database = _database(args)
    folder = sample_folder()
    if folder is None:
        raise UserError("the window is not available and there is no sample article folder (seeds/) to show")
    import_paths(database, [str(folder)], ImportOptions())  # type: ignore[arg-type]
    export_jsonl(database, "-")  # type: ignore[arg-type]
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """``annotator import``: import files and print what was added, skipped and why."""
    from annotator.services.importing import ImportOptions, import_paths

    database = _database(args)
    options = ImportOptions(
        fmt=args.format,
        offsets=OffsetUnit(args.offsets),
        use_nlp=not args.no_nlp,
        model=args.model,
        annotator=_annotator_name(args),
        add_labels=args.add_labels,
        jobs=args.jobs,
    )
    with _Progress("importing", unit="documents") as progress:
        report = import_paths(
            database,  # type: ignore[arg-type]
            args.paths,
            options,
            progress=progress.update,
            analysis_progress=progress.then("pre-annotating"),
        )
    for outcome in report.files:
        if outcome.error:
            print(f"annotator: error: {outcome.error}", file=sys.stderr)
            continue
        if args.format == AUTO and outcome.fmt and not _named_by_suffix(outcome.path, outcome.fmt):
            print(f"{outcome.path}: read as {outcome.fmt}")
        if outcome.labels_added:
            print(f"{outcome.path}: added labels {', '.join(outcome.labels_added)}")
        for note in outcome.notes:
            print(f"{outcome.path}: {note}")
    if report.model_note:
        print(f"note: {report.model_note}", file=sys.stderr)
    good = [f for f in report.files if not f.failed]
    parts = [f"imported {_plural(report.added, 'document')} from {_plural(len(good), 'file')}"]
    if report.skipped:
        parts.append(f"skipped {_plural(report.skipped, 'document')} already in the database (same text)")
    annotations = sum(f.annotations_added for f in report.files)
    if annotations:
        parts.append(f"added {_plural(annotations, 'annotation set')}")
    if report.model and report.added:
        parts.append(f"entities by {report.model}")
    if report.analysis is not None and report.analysis.suggester is not None:
        parts.append(f"{_plural(report.analysis.suggestions, 'claim')} suggested")
    if report.failed:  # each failure already has its one line on stderr; the summary names them too
        names = ", ".join(f.path for f in report.failed)
        parts.append(
            f"{_plural(len(report.failed), 'file')} failed and {'was' if len(report.failed) == 1 else 'were'} "
            f"not imported: {names}"
        )
    print("; ".join(parts))
    return 1 if report.failed else 0


def _named_by_suffix(path: str, fmt: str) -> bool:
    """True when a file's name alone says its format (``.txt`` text, ``.jsonl`` native): no need to say it."""
    lower = path.lower()
    return (fmt == "text" and lower.endswith(".txt")) or (fmt == "jsonl" and lower.endswith((".jsonl", ".ndjson")))


def cmd_preannotate(args: argparse.Namespace) -> int:
    """``annotator preannotate``: recompute the model's entities and the claim suggestions of every document."""
    from annotator.services.preannotating import preannotate

    database = _database(args)
    with _Progress("pre-annotating", unit="documents") as progress:
        report = preannotate(database, args.model, jobs=args.jobs, progress=progress.update_total)  # type: ignore[arg-type]
    if report.model is None:
        raise UserError("no spaCy model is installed; install en_core_web_sm or pass --model")
    print(
        f"pre-annotated {_plural(report.documents, 'document')}: {_plural(report.entities, 'entity')} by {report.model}"
    )
    if report.suggester is not None:
        print(f"suggested {_plural(report.suggestions, 'claim')} by {report.suggester}")
    elif report.without_suggestions:
        print(f"note: {report.without_suggestions}", file=sys.stderr)
    if report.too_long:
        print(f"note: {_plural(report.too_long, 'document')} longer than the model takes left as they were")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """``annotator export``: write the chosen format atomically; warn about what it cannot carry."""
    from annotator.services.exporting import export_annotations

    database = _database(args)
    status = Status(args.status) if args.status else None
    report = export_annotations(
        database,  # type: ignore[arg-type]
        args.output,
        fmt=args.format,
        status=status,
        annotator=_annotator_name(args),
        offsets=args.offsets,
    )
    for warning in report.warnings:
        print(f"annotator: warning: {warning}", file=sys.stderr)
    if args.output != "-":
        print(
            f"wrote {_plural(report.lines, 'annotation set')} ({_plural(report.documents, 'document')}) "
            f"as {report.fmt} to {report.path}"
        )
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    """``annotator suggest``: recompute suggestions; with ``--accept``, make them an annotator's claims."""
    from annotator.services.suggesting import accept_all_suggestions, compute_suggestions

    database = _database(args)
    annotator = _annotator_name(args)
    if args.accept and annotator is None:
        raise UserError("--accept stores the suggestions as someone's claims; name them with --annotator NAME")
    with _Progress("suggesting", unit="documents") as progress:
        report = compute_suggestions(database, args.model, progress=progress.update_total)  # type: ignore[arg-type]
    print(
        f"suggested {_plural(report.suggestions, 'claim')} in {_plural(report.documents, 'document')} "
        f"by {report.suggester}"
    )
    if report.too_long:
        print(f"note: {_plural(report.too_long, 'document')} longer than the model takes left without suggestions")
    if args.accept:
        assert annotator is not None
        accepted = accept_all_suggestions(database, annotator)  # type: ignore[arg-type]
        print(f"accepted {_plural(accepted, 'suggestion')} as claims of {annotator}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """``annotator stats``: documents by status, annotations per annotator."""
    from annotator.services.stats import STATUS_ORDER, collect_stats

    stats = collect_stats(_database(args))  # type: ignore[arg-type]
    print(f"documents: {stats.documents} ({stats.untouched} not opened by anyone)")
    print(f"model entities: {stats.model_entities}")
    if not stats.annotators:
        print("no annotators yet")
        return 0
    header = ["annotator", *STATUS_ORDER, "entities", "speakers", "claims"]
    rows = [
        [a.name, *(str(a.statuses.get(s, 0)) for s in STATUS_ORDER), str(a.entities), str(a.speakers), str(a.claims)]
        for a in stats.annotators
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    return 0


def cmd_evaluate_suggestions(args: argparse.Namespace) -> int:
    """``annotator evaluate-suggestions``: P/R/F1 of the suggestions (exact and overlap), pronoun resolution."""
    from annotator.services.evaluating import evaluate_folder

    with _Progress("evaluating", unit="articles") as progress:
        report = evaluate_folder(args.path, limit=args.limit, model=args.model, progress=progress.update_total)
    print("\n".join(report.lines()))
    return 0


_COMMANDS = {
    "gui": cmd_gui,
    "import": cmd_import,
    "preannotate": cmd_preannotate,
    "export": cmd_export,
    "suggest": cmd_suggest,
    "stats": cmd_stats,
    "evaluate-suggestions": cmd_evaluate_suggestions,
}


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count:,} {plural}"


class _Progress:
    """A one-line progress display on stderr, shown only on a terminal and only after a second."""

    def __init__(self, verb: str, unit: str) -> None:
        self.verb, self.unit = verb, unit
        self.start = time.monotonic()
        self.shown = False
        self.enabled = sys.stderr.isatty()

    def __enter__(self) -> _Progress:
        return self

    def update(self, done: int) -> None:
        """Show ``done`` items so far."""
        self._show(f"{self.verb}: {done:,} {self.unit}")

    def update_total(self, done: int, total: int) -> None:
        """Show a bar for ``done`` of ``total`` items."""
        width = 30
        filled = width * done // total if total else width
        self._show(f"{self.verb} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {self.unit}")

    def then(self, verb: str) -> Callable[[int, int], None]:
        """An ``update_total`` for the next stage: the first call ends this stage's line and starts ``verb``'s."""

        def update(done: int, total: int) -> None:
            if self.verb != verb:
                self._end_line()
                self.verb, self.start, self.shown = verb, time.monotonic(), False
            self.update_total(done, total)

        return update

    def _show(self, line: str) -> None:
        if self.enabled and (self.shown or time.monotonic() - self.start > 1.0):
            self.shown = True
            sys.stderr.write("\r" + line)
            sys.stderr.flush()

    def __exit__(self, *_exc: object) -> None:
        self._end_line()

    def _end_line(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
