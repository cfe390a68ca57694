"""Entity pre-annotation: spaCy's named entities as domain :class:`Entity` objects.

Offsets are Python ``str`` indexes into the text given, as spaCy's character
offsets already are. Entities are trimmed of leading/trailing whitespace (the
entity recognizer may end an entity on a whitespace token such as a line break);
one that is only whitespace is dropped, so no span is ever empty.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from annotator.domain.model import Entity, EntitySource, Suggestion
from annotator.nlp.pipeline import model_identity

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["analyse_texts", "entities_for_texts"]


def entities_for_texts(
    nlp: Language, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
) -> Iterator[list[Entity]]:
    """Run ``nlp`` over ``texts`` and yield, in order, each text's entities.

    Texts are processed lazily in batches of ``batch_size`` through
    ``nlp.pipe``; ``n_process > 1`` uses spaCy's worker processes (which fork
    on Linux). Every entity has ``source=EntitySource.MODEL`` and the model's
    name and version (:func:`~annotator.nlp.pipeline.model_identity`). A
    pipeline without an entity recognizer yields an empty list per text.
    """
    for entities, _ in analyse_texts(nlp, texts, batch_size=batch_size, n_process=n_process, suggest=False):
        yield entities


def analyse_texts(
    nlp: Language, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1, suggest: bool = True
) -> Iterator[tuple[list[Entity], list[Suggestion]]]:
    """One pass of ``nlp`` over ``texts``: each text's entities and, with ``suggest``, its claim suggestions.

    Entities are as :func:`entities_for_texts` gives them; suggestions need a
    pipeline with :data:`~annotator.nlp.suggest.SUGGEST_COMPONENTS` (without
    ``suggest`` the list is empty). Parsing once for both is what makes an
    import with suggestions cost one parse per document.
    """
    model_name, model_version = model_identity(nlp)
    suggester: Callable[[Doc], list[Suggestion]] | None = None
    if suggest:
        from annotator.nlp.suggest import suggest as suggest_claims

        suggester = suggest_claims
    # The texts nlp.pipe has taken but whose doc is not back yet, oldest first:
    # docs come back in input order, so each doc's own text is the leftmost.
    pending: deque[str] = deque()
    take_text = pending.popleft

    def feed() -> Iterator[str]:
        for text in texts:
            pending.append(text)
            yield text

    for doc in nlp.pipe(feed(), batch_size=batch_size, n_process=n_process):
        text = take_text()
        yield _entities(doc, text, model_name, model_version), suggester(doc) if suggester is not None else []


def _entities(doc: Doc, text: str, model_name: str, model_version: str) -> list[Entity]:
    """The doc's entities, trimmed of surrounding whitespace (whitespace-only ones dropped)."""
    source = EntitySource.MODEL
    entities: list[Entity] = []
    for ent in doc.ents:
        start = ent.start_char
        end = ent.end_char
        if text[start].isspace() or text[end - 1].isspace():
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start == end:
                continue
        entities.append(Entity(start, end, ent.label_, source, model_name, model_version))
    return entities
