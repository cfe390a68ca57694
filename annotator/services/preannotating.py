"""The NLP pre-annotator: load the spaCy pipeline once; entities and claim suggestions from one parse."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from annotator.domain.model import Entity, Suggestion
from annotator.store.database import Database

if TYPE_CHECKING:
    from annotator.services.analysing import AnalysisReport

# Texts per nlp.pipe batch (bench/bench_core.py). spaCy hands whole batches to its worker
# processes, so with several jobs small batches keep them all busy to the end of each
# chunk; in one process, batches of 16 to 64 run a little faster than spaCy's 1,000.
BATCH_ONE_PROCESS = 64
BATCH_SEVERAL_PROCESSES = 16


class Annotator:
    """A loaded pre-annotator: the pipeline, its name, how many processes, and whether it suggests claims."""

    def __init__(self, nlp: Any, jobs: int = 1, batch_size: int | None = None, *, suggest: bool = False) -> None:
        from annotator.nlp.pipeline import model_identity

        self.nlp = nlp
        self.jobs = max(1, jobs)
        if batch_size is None:
            batch_size = BATCH_ONE_PROCESS if self.jobs == 1 else BATCH_SEVERAL_PROCESSES
        self.batch_size = batch_size
        name, version = model_identity(nlp)
        self.model = f"{name} {version}"
        self.suggester: str | None = None
        """Model and suggester version stored with suggestions; ``None`` when this annotator does not suggest."""
        self.without_suggestions: str | None = None
        """Why a pipeline asked to suggest cannot (the model has no parser), for a note to the user."""
        if suggest:
            from annotator.services.suggesting import suggester_identity

            self.suggester = suggester_identity(nlp)

    @property
    def max_length(self) -> int:
        """The longest text (characters) the pipeline takes; longer ones are not pre-annotated."""
        return int(self.nlp.max_length)

    def entities(self, texts: Iterable[str]) -> Iterator[list[Entity]]:
        """The entities of each text, in order."""
        for found, _ in self.analyse(texts):
            yield found

    def analyse(self, texts: Iterable[str]) -> Iterator[tuple[list[Entity], list[Suggestion]]]:
        """Each text's entities and (when :attr:`suggester` is set) claim suggestions, in order, from one parse."""
        from annotator.nlp.preannotate import analyse_texts

        return analyse_texts(
            self.nlp,
            texts,
            batch_size=self.batch_size,
            n_process=self.jobs,
            suggest=self.suggester is not None,
        )


def installed_model() -> str:
    """The model pre-annotation would use, with its version ("en_core_web_sm 3.8.0"), without loading spaCy."""
    from importlib import metadata

    from annotator.nlp.pipeline import available_model

    name = available_model()
    if name is None:
        return "none installed (no entity pre-highlighting)"
    try:
        return f"{name} {metadata.version(name.replace('_', '-'))}"
    except metadata.PackageNotFoundError:
        return name


def load_annotator(model: str | None = None, jobs: int = 1, *, suggest: bool = False) -> Annotator | None:
    """Load the pipeline (``model``, or the first installed of DESIGN.md's order); ``None`` without any.

    With ``suggest`` the pipeline also parses, for claim suggestions; a model
    without a parser is loaded for entities alone, and the annotator says why
    in :attr:`Annotator.without_suggestions`.
    """
    from annotator.nlp.pipeline import MissingComponentError, load_pipeline

    if not suggest:
        nlp = load_pipeline(model)
        return Annotator(nlp, jobs=jobs) if nlp is not None else None
    from annotator.nlp.suggest import SUGGEST_COMPONENTS

    try:
        nlp = load_pipeline(model, SUGGEST_COMPONENTS)
    except MissingComponentError as missing:
        nlp = load_pipeline(model)
        if nlp is None:
            return None
        annotator = Annotator(nlp, jobs=jobs)
        annotator.without_suggestions = f"{missing}; no claim suggestions"
        return annotator
    return Annotator(nlp, jobs=jobs, suggest=True) if nlp is not None else None


def preannotate(
    database: Database,
    model: str | None = None,
    *,
    jobs: int = 1,
    suggest: bool = True,
    annotator: Annotator | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> AnalysisReport:
    """(Re)compute the model layer of every document, and its claim suggestions; people's own layers are kept.

    Works in chunks, each its own short write transaction, so a window on the
    same database stays responsive; ``progress(done, total)`` after each chunk.
    The report's ``model`` is ``None`` when no model is installed.
    """
    from annotator.services.analysing import AnalysisReport, EntityLayer, analyse_documents

    annotator = annotator or load_annotator(model, jobs, suggest=suggest)
    if annotator is None:
        return AnalysisReport()
    return analyse_documents(database, annotator, entities=EntityLayer.ALL, progress=progress, cancelled=cancelled)
