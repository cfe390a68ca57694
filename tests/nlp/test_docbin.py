"""spaCy DocBin export: entities as ents and a span group, claims/speakers/cues as span groups, the rest user_data."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import spacy
from native_lines import entity, import_seed, seed_claims_line, span
from spacy.tokens import Doc, DocBin

from annotator.domain.model import AnnotationSet, Claim, Document, Entity, Span, Speaker, Stance, Status
from annotator.formats import claim_layout
from annotator.formats.interchange import ExportLosses, WriteOptions
from annotator.nlp import docbin as spacy_docbin

Cli = Callable[..., Any]


def _claims_line(doc_id: str, text: str) -> dict[str, Any]:
    """alice's claims on the sample article, with entities that overlap ("Malhotra" inside "Ajai Malhotra")."""
    line = seed_claims_line(doc_id, text)
    line["entities"] = [
        entity(span("Vladimir Putin", text=text), "PERSON", "manual"),
        entity(span("Ajai Malhotra", text=text), "PERSON", "manual"),
        entity(span("Malhotra", text=text, after="Ajai"), "PERSON", "manual"),  # inside "Ajai Malhotra"
        entity(span("India's foreign", text=text, length=5), "GPE", "model"),  # "India" of "India's"
    ]
    return line


def _load(path: Path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def _chars(spans: Any) -> list[tuple[int, int, str]]:
    return [(span.start_char, span.end_char, span.text) for span in spans]


def test_sample_article_with_claims_exports_to_a_loadable_docbin(
    cli: Cli, db_path: Path, tmp_path: Path, jsonl: Callable[..., Path]
) -> None:
    doc_id, text = import_seed(cli, db_path)
    line = _claims_line(doc_id, text)
    native = jsonl(tmp_path / "alice.jsonl", [line])
    assert cli("import", "--no-nlp", "--format", "jsonl", "--db", db_path, native).code == 0
    out = tmp_path / "out.spacy"

    result = cli("export", "-o", out, "--db", db_path)  # the format from the suffix

    assert result.code == 0, result.err
    assert "as spacy to" in result.out
    assert result.err_lines == [
        "annotator: warning: spaCy DocBin cannot carry overlapping entities (kept in doc.spans['entities']): "
        "1 not written (see docs/formats.md)"
    ]
    (doc,) = _load(out)
    assert doc.text == text
    where = lambda item: (item["start"], item["end"], item["text"])  # noqa: E731
    putin, ajai, malhotra, india = (where(e) for e in line["entities"])
    assert sorted(_chars(doc.ents)) == sorted([putin, ajai, india])  # the longer of two overlapping ones
    assert [e.label_ for e in sorted(doc.ents, key=lambda e: e.start)] == ["PERSON", "PERSON", "GPE"]
    assert sorted(_chars(doc.spans["entities"])) == sorted([putin, ajai, malhotra, india])
    assert {token.ent_iob_ for token in doc} == {"B", "I", "O"}  # the annotator's entities are the whole layer

    claims = doc.spans["claims"]
    expected_parts = [where(part) for c in line["claims"] for part in c.get("parts") or [c]]
    assert _chars(claims) == expected_parts
    assert [span.id_ for span in claims] == ["c1", "c2", "c3", "c4", "c4"]  # a split claim's parts share its id
    assert {span.label_ for span in claims} == {"CLAIM"}
    speakers = doc.spans["speakers"]
    assert _chars(speakers) == sorted(where(m) for m in line["speakers"][0]["mentions"])
    assert {(span.label_, span.id_) for span in speakers} == {("SOURCE", "s1")}
    cues = doc.spans["cues"]
    assert _chars(cues) == [where(c["cue"]) for c in line["claims"]]
    assert [span.id_ for span in cues] == ["c1", "c2", "c3", "c4"] and {span.label_ for span in cues} == {"CUE"}
    assert len(doc.spans["sc"]) == len(claims) + len(speakers) + len(cues)

    data = doc.user_data["annotator"]
    assert data["id"] == doc_id and data["annotator"] == "alice" and data["status"] == "done"
    first = data["claims"][0]
    assert first["speaker"] == "Ajai Malhotra" and first["speaker_id"] == "s1"
    assert first["stance"] == "support" and first["target"] == "strategic autonomy" and first["note"] == "clear case"
    assert tuple(first["mention"]) == where(line["claims"][0]["speaker"]["mention"])[:2]
    assert tuple(first["cue"]) == where(line["claims"][0]["cue"])[:2]
    assert [tuple(part) for part in data["claims"][3]["parts"]] == [where(p)[:2] for p in line["claims"][3]["parts"]]
    (speaker,) = data["speakers"]
    assert speaker["name"] == "Ajai Malhotra" and speaker["kind"] == "person" and len(speaker["mentions"]) == 5
    assert [e["source"] for e in data["entities"]] == ["manual", "manual", "manual", "model"]


def test_format_spacy_by_name_and_stdout_is_refused(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    import_seed(cli, db_path)
    out = tmp_path / "corpus.bin"
    result = cli("export", "-o", out, "--format", "spacy", "--db", db_path)
    assert result.code == 0, result.err
    (doc,) = _load(out)
    assert doc.user_data["annotator"]["annotator"] is None  # nobody annotated it: the model's (empty) layer
    assert not doc.has_annotation("ENT_IOB")  # no entities: unknown, not "none here"
    assert list(doc.spans["claims"]) == []

    refused = cli("export", "-o", "-", "--format", "spacy", "--db", db_path)
    assert refused.code == 1
    assert refused.err_lines == [
        "annotator: error: the spaCy DocBin format cannot be written to standard output; give a file name"
    ]
    assert refused.out == ""


def test_spacy_debug_data_accepts_the_export(
    cli: Cli, db_path: Path, tmp_path: Path, jsonl: Callable[..., Path]
) -> None:
    """``spacy debug data`` on an ner + spancat config with the export as train and dev exits 0.

    It fails a blank pipeline with fewer than 100 training documents, so the
    sample article goes in 100 times, each with a different last line.
    """
    _, text = import_seed(cli, db_path)
    copies = [_claims_line(f"copy-{number}", f"{text}\n\nCopy {number}.") for number in range(100)]
    native = jsonl(tmp_path / "copies.jsonl", copies)
    assert cli("import", "--no-nlp", "--format", "jsonl", "--db", db_path, native).code == 0
    out = tmp_path / "train.spacy"
    assert cli("export", "-o", out, "--annotator", "alice", "--db", db_path).code == 0
    assert len(_load(out)) == 100
    config = tmp_path / "config.cfg"
    python = sys.executable
    made = subprocess.run(
        [python, "-m", "spacy", "init", "config", "-l", "en", "-p", "ner,spancat", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, made.stderr

    debug = subprocess.run(
        [python, "-m", "spacy", "debug", "data", str(config), "--paths.train", str(out), "--paths.dev", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert "Corpus is loadable" in debug.stdout
    assert "No entities consisting of or starting/ending with whitespace" in debug.stdout


# ---------------------------------------------------------------- units


def test_span_edges_inside_tokens_split_them_and_keep_exact_offsets() -> None:
    text = '記者会見で👨‍👩‍👧‍👦 Malhotra\'s aide said:\r\n"India 🇮🇳 stays neutral"  then  left.'
    nlp = spacy.blank("en")
    wanted = [
        Span(text.index("会見"), text.index("会見") + 2),  # inside a CJK run
        Span(text.index("Malhotra") + 4, text.index("Malhotra") + 8),  # "otra"
        Span(text.index("aide") - 1, text.index("aide") + 4),  # starts on the space before "aide"
        Span(text.index("said"), text.index("said") + 6),  # "said:\r" ends inside the line break
        Span(text.index("🇮🇳"), text.index("🇮🇳") + 2),
        Span(text.index("then") - 1, text.index("then") + 5),  # " then " with a space at each end
    ]
    doc = spacy_docbin.aligned_doc(nlp, text, wanted)
    assert doc.text == text
    for edge in wanted:
        aligned = doc.char_span(edge.start, edge.end)
        assert aligned is not None, edge
        assert aligned.text == text[edge.start : edge.end]
    plain = spacy_docbin.aligned_doc(nlp, text, [])
    assert [t.text for t in plain] == [t.text for t in nlp.make_doc(text)]  # no edges: spaCy's own tokens


def test_make_doc_with_unicode_text_loses_nothing_but_overlaps() -> None:
    text = "記者会見でAjai Malhotra said 中国 matters 👍🏽.\r\nHe added more."
    nlp = spacy.blank("en")
    ajai = Span(text.index("Ajai"), text.index("Malhotra") + 8)
    he = Span(text.index("He"), text.index("He") + 2)
    speaker = Speaker("Ajai Malhotra", mentions=[ajai, he])
    content = Span(text.index("中国"), text.index("👍🏽") + 2)
    aset = AnnotationSet(
        annotator="bob",
        status=Status.IN_PROGRESS,
        entities=[Entity(ajai.start, ajai.end, "PERSON"), Entity(ajai.start, ajai.start + 4, "PERSON")],
        speakers=[speaker],
        claims=[
            Claim(
                content.start,
                content.end,
                speaker=speaker,
                mention=ajai,
                cue=Span(text.index("said"), text.index("said") + 4),
                stance=Stance(None, "China"),
            )
        ],
        note="check",
    )
    losses = ExportLosses("spaCy DocBin")
    doc = spacy_docbin.make_doc(nlp, Document("u1", text, {"date": "2025-12-01"}), aset, losses)
    assert dict(losses.counts) == {spacy_docbin.LOSS_OVERLAPPING: 1}
    assert _chars(doc.ents) == [(ajai.start, ajai.end, "Ajai Malhotra")]
    assert _chars(doc.spans["claims"]) == [(content.start, content.end, "中国 matters 👍🏽")]
    data = doc.user_data["annotator"]
    assert data["meta"] == {"date": "2025-12-01"} and data["note"] == "check" and data["status"] == "in_progress"
    assert data["claims"][0]["stance"] is None and data["claims"][0]["target"] == "China"

    docbin = DocBin(store_user_data=True)
    docbin.add(doc)
    (loaded,) = DocBin().from_bytes(docbin.to_bytes()).get_docs(spacy.blank("en").vocab)
    assert loaded.text == text and _chars(loaded.spans["speakers"]) == _chars(doc.spans["speakers"])
    assert loaded.user_data["annotator"]["claims"][0]["target"] == "China"


@pytest.mark.parametrize("count", [0, 3])
def test_write_gives_one_doc_per_pair(count: int) -> None:
    import io

    pairs = [(Document(f"d{n}", f"Text number {n}."), AnnotationSet(annotator="a")) for n in range(count)]
    sink = io.BytesIO()
    spacy_docbin.write(pairs, sink, WriteOptions(losses=ExportLosses("spaCy DocBin")))
    docs = list(DocBin().from_bytes(sink.getvalue()).get_docs(spacy.blank("en").vocab))
    assert [d.user_data["annotator"]["id"] for d in docs] == [f"d{n}" for n in range(count)]


def test_span_labels_are_the_claim_layouts() -> None:
    assert (spacy_docbin.CLAIM, spacy_docbin.SOURCE, spacy_docbin.CUE) == (
        claim_layout.CLAIM,
        claim_layout.SOURCE,
        claim_layout.CUE,
    )
