"""Entity pre-annotation: load the spaCy pipeline once, run it over stored documents."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from annotator.domain.model import Entity
from annotator.domain.schema import ENTITY
from annotator.store import labels, repository
from annotator.store.database import Database
from annotator.store.tables import DocumentRow

CHUNK = 256
# Texts per nlp.pipe batch (bench/bench_core.py). spaCy hands whole batches to its worker
# processes, so with several jobs small batches keep them all busy to the end of each
# import batch; in one process, batches of 16 to 64 run a little faster than spaCy's 1,000.
BATCH_ONE_PROCESS = 64
BATCH_SEVERAL_PROCESSES = 16


class Annotator:
    """A loaded entity pre-annotator: the pipeline, its name, and how many processes to use."""

    def __init__(self, nlp: Any, jobs: int = 1, batch_size: int | None = None) -> None:
        from annotator.nlp.pipeline import model_identity

        self.nlp = nlp
        self.jobs = max(1, jobs)
        if batch_size is None:
            batch_size = BATCH_ONE_PROCESS if self.jobs == 1 else BATCH_SEVERAL_PROCESSES
        self.batch_size = batch_size
        name, version = model_identity(nlp)
        self.model = f"{name} {version}"

    @property
    def max_length(self) -> int:
        """The longest text (characters) the pipeline takes; longer ones are not pre-annotated."""
        return int(self.nlp.max_length)

    def entities(self, texts: Iterable[str]) -> Iterator[list[Entity]]:
        """The entities of each text, in order."""
        from annotator.nlp.preannotate import entities_for_texts

        return entities_for_texts(self.nlp, texts, batch_size=self.batch_size, n_process=self.jobs)


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


def load_annotator(model: str | None = None, jobs: int = 1) -> Annotator | None:
    """Load the pipeline (``model``, or the first installed of DESIGN.md's order); ``None`` without any."""
    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline(model)
    return Annotator(nlp, jobs=jobs) if nlp is not None else None


@dataclass(slots=True)
class PreannotateReport:
    """What a pre-annotation run did."""

    documents: int = 0
    entities: int = 0
    model: str | None = None
    too_long: int = 0
    """Documents longer than the model takes, left without a model layer."""


def preannotate(
    database: Database,
    model: str | None = None,
    *,
    jobs: int = 1,
    annotator: Annotator | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PreannotateReport:
    """(Re)compute the model layer of every document; people's own entity layers are kept.

    Works in chunks, each its own short write transaction, so a window on the
    same database stays responsive; ``progress(done, total)`` after each chunk.
    """
    annotator = annotator or load_annotator(model, jobs)
    report = PreannotateReport(model=annotator.model if annotator else None)
    if annotator is None:
        return report
    with database.read() as session:
        total = session.scalar(select(func.count()).select_from(DocumentRow)) or 0
    last_id = 0
    while True:
        if cancelled is not None and cancelled():
            break
        with database.read() as session:
            chunk = list(
                session.execute(
                    select(DocumentRow.id, DocumentRow.text)
                    .where(DocumentRow.id > last_id)
                    .order_by(DocumentRow.id)
                    .limit(CHUNK)
                )
            )
        if not chunk:
            break
        last_id = chunk[-1][0]
        taken = [(doc_id, text) for doc_id, text in chunk if len(text) <= annotator.max_length]
        report.too_long += len(chunk) - len(taken)
        results = list(annotator.entities(text for _, text in taken))
        with database.write() as session:
            labels.ensure_labels(session, ENTITY, {entity.label for entities in results for entity in entities})
            for (doc_id, _), entities in zip(taken, results, strict=True):
                repository.replace_model_entities(session, doc_id, entities, annotator.model)
        report.documents += len(taken)
        report.entities += sum(len(e) for e in results)
        if progress is not None:
            progress(report.documents, total)
    return report
