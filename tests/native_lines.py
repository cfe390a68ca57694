"""Hand-made annotator/v1 lines that the format, nlp and service tests share, and spans found by their text.

Test modules import it by name (``from native_lines import ...``): pytest puts ``tests/`` on the import
path for the root conftest. The fixtures that use these lines are in ``tests/formats/conftest.py``.

Every line is written in full, as the native export writes it (every key, claims in text order), so a
test can compare an export with the line it imported.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_ba5382ffd786d442.txt"
"""The sample article, as the command line imports it."""

TEXT = (
    'Ajai Malhotra said India\'s foreign policy is anchored on strategic autonomy. "India," he added, '
    '"will not pick a side." Officials said the visit mattered.\nThe ministry declined to comment on "the new\n'
    'deal" today. Protesters gathered outside. The deal is a turning point. Modi stayed silent.'
)
"""The rich article: quotes, a pronoun, line breaks between sentences and inside a claim."""
OTHER = "A second article that nobody annotated yet, about Delhi."
"""The article only the model has entities on."""
NOTE = "a paraphrase:\nline\ttwo \\n back\\slash"
"""The first claim's note: a line break, a tab and backslashes."""
UNICODE = (
    "Family 👨\u200d👩\u200d👧 and flag 🇮🇳 first.\r\n"
    "東京の記者は言った: 平和が大切だ。\r\n"
    "Priya Sharma 👍🏽 said talks will resume."
)
"""Emoji sequences (UTF-16 pairs, several code points a grapheme), CJK and CRLF line breaks."""


def span(
    piece: str, occurrence: int = 0, text: str = TEXT, *, after: str = "", length: int | None = None
) -> dict[str, Any]:
    """The span object of the ``occurrence``-th match of ``piece`` in ``text`` (from the first ``after`` on).

    ``length`` keeps only the first characters of the match (``span("he added", length=2)`` is "he").
    """
    start = text.index(after) - 1 if after else -1
    for _ in range(occurrence + 1):
        start = text.index(piece, start + 1)
    end = start + (len(piece) if length is None else length)
    return {"start": start, "end": end, "text": text[start:end]}


def entity(found: dict[str, Any], label: str, source: str = "import") -> dict[str, Any]:
    """A native entity on the span ``found``."""
    return {**found, "label": label, "source": source}


def speaker(
    key: str, name: str, kind: str, mentions: list[dict[str, Any]], entity_label: str | None = None
) -> dict[str, Any]:
    """A native speaker with the id ``key``."""
    return {"id": key, "name": name, "kind": kind, "entity_label": entity_label, "mentions": mentions}


def claim(pieces: list[dict[str, Any]], text: str = TEXT, **fields: Any) -> dict[str, Any]:
    """A native claim over ``pieces`` (two or more: a split claim); ``fields`` set speaker, cue, stance, note."""
    first, last = pieces[0], pieces[-1]
    result: dict[str, Any] = {"start": first["start"], "end": last["end"], "text": text[first["start"] : last["end"]]}
    if len(pieces) > 1:
        result["parts"] = pieces
    return {**result, "speaker": None, "cue": None, "stance": None, "note": None, **fields}


def native_lines() -> list[dict[str, Any]]:
    """Two annotators on the rich article, and the model's entities on another one.

    alice (done, with a document note and metadata): entities from every
    source; a speaker with a pronoun mention, an anonymous, an organization,
    a group, a speaker with no claim, and the article as author (no mention);
    claims with cues, a split claim, stance with and without a target (one
    with a line break), notes, a claim across a line break, claims whose
    speaker has no mention, a claim with no speaker; relations between
    entities and from a span that is no entity. bob (in progress): an entity,
    a split claim of his own, a stance, an unknown speaker without a mention.
    """
    meta = {"date": "2025-12-01", "source": "hand-made", "title": None, "tags": ["a", "b"]}
    ajai, he, officials, ministry = span("Ajai Malhotra"), span("he"), span("Officials"), span("The ministry")
    protesters, modi = span("Protesters"), span("Modi")
    alice = {
        "format": "annotator/v1",
        "id": "article-1",
        "text": TEXT,
        "meta": meta,
        "annotator": "alice",
        "status": "done",
        "updated_at": "2026-01-02T03:04:05+00:00",
        "entities": [
            entity(ajai, "PERSON", "model"),
            entity(span("India"), "GPE", "manual"),
            entity(span("India", 1), "GPE"),
            entity(ministry, "ORG"),
        ],
        "speakers": [
            speaker("s1", "Ajai Malhotra", "person", [ajai, he], "PERSON"),
            speaker("s2", "officials", "anonymous", [officials]),
            speaker("s3", "the ministry", "organization", [ministry], "ORG"),
            speaker("s4", "protesters", "group", [protesters]),
            speaker("s5", "the article", "author", []),
            speaker("s6", "Narendra Modi", "person", [modi]),
        ],
        "claims": [
            claim(
                [span("India's foreign policy is anchored on strategic autonomy")],
                speaker={"id": "s1", "mention": ajai},
                cue=span("said"),
                stance={"label": "support", "target": "strategic autonomy"},
                note=NOTE,
            ),
            claim(
                [span("India,"), span("will not pick a side.")],
                speaker={"id": "s1", "mention": he},
                cue=span("added"),
                stance={"label": "neutral", "target": None},
            ),
            claim([span("the visit mattered")], speaker={"id": "s2", "mention": officials}, cue=span("said", 1)),
            claim(
                [span("the new\ndeal")],
                speaker={"id": "s3", "mention": ministry},
                cue=span("declined to comment on"),
                stance={"label": "oppose", "target": "the deal: a\nturn"},
            ),
            claim(
                [span("gathered outside")],
                speaker={"id": "s4", "mention": None},
                stance={"label": "oppose", "target": "the visit"},
            ),
            claim([span("The deal is a turning point.")], speaker={"id": "s5", "mention": None}),
            claim([span("stayed silent")], note="no speaker, no cue"),
        ],
        "relations": [
            {"head": ajai, "child": span("India"), "label": "citizen_of"},
            {"head": officials, "child": ministry, "label": "member_of"},
        ],
        "note": "document note",
    }
    bob = {
        "format": "annotator/v1",
        "id": "article-1",
        "text": TEXT,
        "meta": meta,
        "annotator": "bob",
        "status": "in_progress",
        "entities": [entity(ministry, "ORG", "manual")],
        "speakers": [speaker("s1", "Malhotra", "person", [ajai]), speaker("s2", "someone", "unknown", [])],
        "claims": [
            claim([span('"India,"'), span('"will not pick a side."')], speaker={"id": "s1", "mention": ajai}),
            claim([span("the visit mattered")], stance={"label": "oppose", "target": "the visit"}),
            claim(
                [span("The deal is a turning point.")],
                speaker={"id": "s2", "mention": None},
                stance={"label": "support", "target": "the deal"},
            ),
        ],
        "note": None,
    }
    model = {
        "format": "annotator/v1",
        "id": "article-2",
        "text": OTHER,
        "meta": {"date": "2025-12-02"},
        "annotator": None,
        "status": "new",
        "entities": [entity(span("Delhi", text=OTHER), "GPE", "model")],
        "speakers": [],
        "claims": [],
        "note": None,
    }
    return [alice, bob, model]


def unicode_line() -> dict[str, Any]:
    """alice's entities, speaker and claims on :data:`UNICODE`, with a stance target holding an emoji."""
    priya = span("Priya Sharma", text=UNICODE)
    return {
        "format": "annotator/v1",
        "id": "unicode",
        "text": UNICODE,
        "annotator": "alice",
        "status": "done",
        "entities": [
            entity(span("🇮🇳", text=UNICODE), "GPE"),
            entity(span("東京", text=UNICODE), "GPE"),
            entity(priya, "PERSON"),
        ],
        "speakers": [speaker("s1", "Priya Sharma", "person", [priya])],
        "claims": [
            claim([span("平和が大切だ", text=UNICODE)], text=UNICODE, cue=span("言った", text=UNICODE)),
            claim(
                [span("talks will resume", text=UNICODE)],
                text=UNICODE,
                speaker={"id": "s1", "mention": priya},
                cue=span("said", text=UNICODE),
                stance={"label": "support", "target": "talks 👍🏽"},
            ),
        ],
    }


def utf16(text: str, index: int) -> int:
    """The UTF-16 code unit offset of the code point offset ``index`` of ``text``."""
    return len(text[:index].encode("utf-16-le")) // 2


# ---------------------------------------------------------------- the sample article


def import_seed(cli: Callable[..., Any], db_path: Path) -> tuple[str, str]:
    """Import the sample article (no model) with the command line; its external id and its text as stored."""
    assert cli("import", "--no-nlp", "--db", db_path, SEED).code == 0
    result = cli("export", "-o", "-", "--db", db_path)
    assert result.code == 0, result.err
    (line,) = result.json_lines()
    return line["id"], line["text"]


def seed_claims_line(doc_id: str, text: str) -> dict[str, Any]:
    """alice's annotations on the sample article's ``text``, offsets found by searching it.

    One speaker with five mentions (two of them pronouns), four claims with
    cues in text order (the last split around "he added"), a stance with a
    target and a note, one entity.
    """
    ajai = span("Ajai Malhotra", text=text)
    malhotra = span("Malhotra stated", text=text, length=len("Malhotra"))
    he = span("He pointed", text=text, length=2)
    he_added = span("he added", text=text, length=2)
    diplomat = span("The diplomat", text=text)
    return {
        "format": "annotator/v1",
        "id": doc_id,
        "text": text,
        "annotator": "alice",
        "status": "done",
        "entities": [entity(ajai, "PERSON", "manual")],
        "speakers": [speaker("s1", "Ajai Malhotra", "person", [ajai, malhotra, he, diplomat, he_added])],
        "claims": [
            claim(
                [
                    span(
                        "India's foreign policy is currently anchored on strategic autonomy and multi-alignment",
                        text=text,
                    )
                ],
                text,
                speaker={"id": "s1", "mention": malhotra},
                cue=span("stated", text=text),
                stance={"label": "support", "target": "strategic autonomy"},
                note="clear case",
            ),
            claim(
                [span("diversified international partnerships have strengthened India's position", text=text)],
                text,
                speaker={"id": "s1", "mention": he},
                cue=span("pointed out", text=text),
            ),
            claim(
                [span("the main priority should always be national interest", text=text)],
                text,
                speaker={"id": "s1", "mention": diplomat},
                cue=span("suggested", text=text),
            ),
            claim(
                [
                    span("The focus, he added", text=text, length=len("The focus")),
                    span("should remain on fostering dialogue and diplomacy", text=text),
                ],
                text,
                speaker={"id": "s1", "mention": he_added},
                cue=span("added", text=text, after="The focus"),
            ),
        ],
    }
