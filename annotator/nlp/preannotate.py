"""Entity pre-annotation: spaCy's named entities as domain :class:`Entity` objects.

Offsets are Python ``str`` indexes into the text given, as spaCy's character
offsets already are. Entities are trimmed of leading/trailing whitespace (the
entity recognizer may end an entity on a whitespace token such as a line break);
one that is only whitespace is dropped, so no span is ever empty.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from annotator.domain.model import Entity, EntitySource
from annotator.nlp.pipeline import model_identity

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["entities_for_texts"]


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
    model_name, model_version = model_identity(nlp)
    source = EntitySource.MODEL
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
        yield entities
