"""brat standoff folders: the Attribution-event layout, PolNeAR and the brat tutorial, round trips and bad input."""

import re
import shutil
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from native_lines import NOTE, claim, native_lines, span, speaker

from annotator.domain.errors import InputError
from annotator.domain.model import AnnotationSet, Document, Entity, Span, SpeakerKind
from annotator.formats.brat import LAYOUT_MARKER, parse_ann, read_folder, write
from annotator.formats.interchange import ExportLosses, ReadOptions, WriteOptions
from annotator.services.importing import ImportOptions, ImportReport, import_paths
from annotator.services.stats import collect_stats
from annotator.store.database import Database

# ---------------------------------------------------------------- helpers

EMOJI_TEXT = "👨‍👩‍👧 家族 said 你好世界 🇺🇦 today, and Ώ agreed."
CRLF_TEXT = 'First line.\r\nAnna said "a\r\nb" loudly.\r\nEnd.'


def brat_lines() -> list[dict[str, Any]]:
    """The shared native lines, and lines with emoji, CJK, CRLF and a document id that is no safe file name."""
    family, world = span("👨‍👩‍👧 家族", text=EMOJI_TEXT), span("你好世界 🇺🇦", text=EMOJI_TEXT)
    emoji = {
        "id": "emoji/../CJK",
        "text": EMOJI_TEXT,
        "annotator": "alice",
        "entities": [{**span("Ώ", text=EMOJI_TEXT), "label": "PERSON"}],
        "speakers": [speaker("s1", "家族", "group", [family])],
        "claims": [
            claim([world], text=EMOJI_TEXT, speaker={"id": "s1", "mention": family}, cue=span("said", text=EMOJI_TEXT))
        ],
    }
    anna = span("Anna", text=CRLF_TEXT)
    crlf = {
        "id": "crlf",
        "text": CRLF_TEXT,
        "annotator": "bob",
        "speakers": [speaker("s1", "Anna", "person", [anna])],
        "claims": [
            claim(
                [span('"a\r\nb"', text=CRLF_TEXT)],
                text=CRLF_TEXT,
                speaker={"id": "s1", "mention": anna},
                cue=span("said", text=CRLF_TEXT),
            )
        ],
    }
    return [*native_lines(), emoji, crlf]


def import_folder(database: Database, folder: Path, **options: Any) -> ImportReport:
    settings = {"fmt": "brat", "use_nlp": False, **options}
    return import_paths(database, [str(folder)], ImportOptions(**settings))


def parse(text: str, ann: str, annotator: str | None = "alice", **kwargs: Any) -> tuple[AnnotationSet, ReadOptions]:
    options = ReadOptions()
    return parse_ann(text, ann, "doc.ann", options, annotator, **kwargs), options


def texts_of(text: str, spans: list[Span]) -> list[str]:
    return [s.text_in(text) for s in spans]


# ---------------------------------------------------------------- the .ann grammar, checked line by line

_LINE_PATTERNS = {
    "T": re.compile(r"T\d+\t[A-Za-z0-9_-]+ \d+ \d+(?:;\d+ \d+)*\t[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*"),
    "E": re.compile(r"E\d+\tAttribution:T\d+(?: Source:T\d+)?(?: Cue:T\d+)?(?: Content\d*:T\d+)+"),
    "R": re.compile(r"R\d+\t[A-Za-z0-9_-]+ Arg1:T\d+ Arg2:T\d+\t"),
    "A": re.compile(r"A\d+\t(?:Stance E|SpeakerKind T|SpeakerLabel T)\d+ [A-Za-z0-9_-]+"),
    "#": re.compile(r"#\d+\tAnnotatorNotes [TE]\d+\t[^\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*"),
    "*": re.compile(r"\*\tEquiv T\d+(?: T\d+)+"),
}


def read_conf(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        else:
            sections[current].append(line)
    return sections


def check_collection(folder: Path) -> int:
    """Assert that every .ann of a brat collection keeps brat's grammar and rules; returns the lines checked."""
    conf = read_conf(folder / "annotation.conf")
    assert set(conf) == {"entities", "relations", "events", "attributes"}
    entities = set(conf["entities"])
    events = {line.split("\t")[0] for line in conf["events"]}
    relations = {line.split("\t")[0] for line in conf["relations"]}
    attributes = {}
    for line in conf["attributes"]:
        name, spec = line.split("\t")
        attributes[name] = set(spec.split("Value:")[1].split("|"))
    checked = 0
    for ann_path in folder.glob("*.ann"):
        text = ann_path.with_suffix(".txt").read_bytes().decode("utf-8")
        ids: dict[str, str] = {}
        triggers: set[str] = set()
        referenced_by_non_events: set[str] = set()
        for line in ann_path.read_text(encoding="utf-8").split("\n")[:-1]:
            checked += 1
            assert _LINE_PATTERNS[line[0]].fullmatch(line), line
            ann_id, data = line.split("\t")[:2]
            fields = data.split()
            if line[0] == "T":
                assert fields[0] in entities | events, line
                fragments = [tuple(map(int, piece.split())) for piece in data.split(" ", 1)[1].split(";")]
                for (_, end), (start, _) in pairwise(fragments):
                    assert end < start, f"brat refuses touching or overlapping fragments: {line}"
                assert line.split("\t")[2] == " ".join(text[a:b] for a, b in fragments), line
                ids[ann_id] = fields[0]
            elif line[0] == "E":
                trigger = fields[0].split(":")[1]
                assert ids[trigger] == "Attribution"
                triggers.add(trigger)
                for arg in fields[1:]:
                    role, target = arg.split(":")
                    assert ids[target] == role.rstrip("0123456789"), line
                ids[ann_id] = "event"
            elif line[0] == "R":
                assert fields[0] in relations
                referenced_by_non_events.update(arg.split(":")[1] for arg in fields[1:])
            elif line[0] == "A":
                assert fields[2] in attributes[fields[0]], line
                referenced_by_non_events.add(fields[1])
            elif line[0] == "#":
                assert fields[1] in ids
                referenced_by_non_events.add(fields[1])
            else:
                assert all(ids[member] == "Source" for member in fields[1:])
                referenced_by_non_events.update(fields[1:])
        assert not triggers & referenced_by_non_events, "brat: a trigger may be referenced by events only"
    return checked


# ---------------------------------------------------------------- native → brat → native


def test_native_annotations_survive_brat(database: Database, fresh_database: Database, kit: Any) -> None:
    kit.import_lines(database, brat_lines())
    exported = kit.export(database, "brat", "brat")
    out = exported.path
    assert exported.report.lines == 5
    assert sorted(p.name for p in out.iterdir()) == [
        "alice",
        "annotation.conf",
        "article-2.ann",
        "article-2.txt",
        "bob",
    ]
    assert (
        (out / "alice" / "annotation.conf")
        .read_text(encoding="utf-8")
        .startswith(LAYOUT_MARKER + "\n# annotator: alice\n")
    )
    assert (out / "crlf.txt").exists() is False and (out / "bob" / "crlf.txt").read_bytes() == CRLF_TEXT.encode()
    assert sorted(p.name for p in (out / "alice").glob("*.txt")) == ["article-1.txt", "emoji_.._CJK.txt"]
    warnings = exported.warnings()
    for lost in ("speakers without a mention", "document notes", "annotation statuses", "document metadata", "ids"):
        assert lost in warnings
    assert sum(check_collection(folder) for folder in (out, out / "alice", out / "bob")) > 40

    second = import_folder(fresh_database, out)
    assert not second.failed, second.files[0].error

    def carried_by_brat(views: Any) -> Any:
        return kit.carried(views, status=None, notes=False, meta=False, sources=False)

    before, after = carried_by_brat(kit.snapshot(database)), carried_by_brat(kit.snapshot(fresh_database))
    before[("emoji_.._CJK", "alice")] = before.pop(("emoji/../CJK", "alice"))
    assert after.keys() == before.keys()
    for key, line in before.items():
        assert after[key] == line, key
    alice = after[("article-1", "alice")]
    (split,) = [c for c in alice["claims"] if len(c[0]) == 2]
    india, side = span("India,"), span("will not pick a side.")
    assert split[0] == (Span(india["start"], india["end"]), Span(side["start"], side["end"]))
    first = next(c for c in alice["claims"] if c[0][0].start == span("India's")["start"])
    assert first[5] == NOTE


def brat_fragments(text: str, piece: dict[str, Any]) -> list[tuple[int, int]]:
    """How brat splits a span at line breaks: each line's stretch of text, without white space at the break."""
    start = piece["start"]
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\s]+(?:[ \t]+[^\s]+)*", piece["text"])]


def test_a_span_across_lines_is_split_as_brat_splits_it_and_read_back_whole() -> None:
    text = 'He said "one\n  two\r\n\nthree" and "four\nfive" then.'
    quote, other = span('"one\n  two\r\n\nthree"', text=text), span('"four\nfive"', text=text)
    fragments = brat_fragments(text, quote) + brat_fragments(text, other)
    assert len(fragments) == 5
    offsets = ";".join(f"{a} {b}" for a, b in fragments)
    covered = " ".join(text[a:b] for a, b in fragments)
    ann = f"T1\tContent {offsets}\t{covered}\nT2\tAttribution 3 7\tsaid\nE1\tAttribution:T2 Content:T1\n"
    aset, options = parse(text, ann)
    assert aset.claims[0].pieces == [Span(quote["start"], quote["end"]), Span(other["start"], other["end"])]
    assert options.report() == []


def test_a_span_text_written_with_raw_line_breaks_or_as_spaces_is_read() -> None:
    text = "Intro.\nShe said the plan\nworks well.\n\nEnd."
    she, plan, end = span("She", text=text), span("the plan\nworks well", text=text), span("\n\nEnd", text=text)
    raw = "".join(f"T{i}\tORG {s['start']} {s['end']}\t{s['text']}\n" for i, s in enumerate([she, plan, end], 1))
    aset, options = parse(text, raw)
    assert texts_of(text, [e.span for e in aset.entities]) == ["She", "the plan\nworks well", "\n\nEnd"]
    assert any("several .ann lines" in note for note in options.report())
    spaced, options = parse(text, f"T1\tORG {plan['start']} {plan['end']}\tthe plan works well\n")
    assert texts_of(text, [e.span for e in spaced.entities]) == ["the plan\nworks well"]
    assert any("line breaks written as spaces" in note for note in options.report())


@pytest.mark.parametrize("text", [EMOJI_TEXT, CRLF_TEXT, "日本語のテキスト。\r\n彼は言った。"])
def test_offsets_count_code_points_of_the_raw_text(text: str) -> None:
    pieces = [m for m in re.finditer(r"\S+", text)]
    ann = "".join(f"T{i}\tX {m.start()} {m.end()}\t{m.group()}\n" for i, m in enumerate(pieces, 1))
    aset, options = parse(text, ann)
    assert [text[e.start : e.end] for e in aset.entities] == [m.group() for m in pieces]
    assert options.report() == []


def test_a_byte_order_mark_counts_as_brat_counts_it(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_bytes("\ufeffAnna said hi.".encode())
    (tmp_path / "doc.ann").write_text("T1\tPERSON 1 5\tAnna\n", encoding="utf-8")
    (record,) = read_folder(tmp_path, ReadOptions())
    assert record.document.text == "Anna said hi."
    assert [(e.start, e.end) for e in record.annotations[0].entities] == [(0, 4)]


# ---------------------------------------------------------------- the Attribution layout read


def test_attribution_events_become_claims() -> None:
    text = "Flynn said the rubble remark was right, Flynn added, and nobody cared. Officials agreed."
    ann = (
        "T1\tSource 0 5\tFlynn\n"
        "T2\tCue 6 10\tsaid\n"
        "T3\tContent 11 38;53 69\tthe rubble remark was right and nobody cared\n"
        "T4\tAttribution 6 10\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "T5\tAttribution 46 51\tadded\n"
        "T6\tCue 46 51\tadded\n"
        "E2\tAttribution:T5 Source:T1 Cue:T6 Content:T7 Content2:T8\n"
        "T7\tContent 15 21\trubble\n"
        "T8\tContent 22 28\tremark\n"
        "A1\tStance E1 support\n"
        "#1\tAnnotatorNotes T3\tTarget: the remark\n"
        "#2\tAnnotatorNotes E1\tchecked\n"
        "T9\tSource 71 80\tOfficials\n"
        "T10\tCue 81 87\tagreed\n"
        "T11\tAttribution-no-source 81 87\tagreed\n"
        "E3\tAttribution-no-source:T11 Cue:T10 Content:T12\n"
        "T12\tContent 71 80\tOfficials\n"
    )
    aset, options = parse(text, ann)
    first, second, third = sorted(aset.claims, key=lambda c: (c.start, c.end))
    assert texts_of(text, first.pieces) == ["the rubble remark was right", "and nobody cared"]
    assert first.cue == Span(6, 10) and first.mention == Span(0, 5) and first.speaker is second.speaker
    assert first.note == "checked"
    assert first.stance is not None and (first.stance.label, first.stance.target) == ("support", "the remark")
    assert texts_of(text, second.pieces) == ["rubble", "remark"] and second.cue == Span(46, 51)
    assert third.speaker is None and third.cue == Span(81, 87)
    assert {s.name for s in aset.speakers} == {"Flynn", "Officials"}
    assert aset.entities == [] and options.report() == []


def test_our_own_speaker_layout_reads_back() -> None:
    text = "Ajai Malhotra spoke. He said yes."
    ann = (
        "T1\tSource 0 13\tAjai Malhotra\n"
        "#1\tAnnotatorNotes T1\tSpeaker: Dr A\\tMalhotra\n"
        "A1\tSpeakerKind T1 organization\n"
        "A2\tSpeakerLabel T1 PERSON\n"
        "T2\tSource 21 23\tHe\n"
        "*\tEquiv T1 T2\n"
        "T3\tContent 29 32\tyes\n"
        "T4\tAttribution 24 28\tsaid\n"
        "E1\tAttribution:T4 Source:T2 Content:T3\n"
    )
    aset, _ = parse(text, ann, escaped_notes=True)
    (speaker,) = aset.speakers
    assert (speaker.name, speaker.kind, speaker.entity_label) == ("Dr A\tMalhotra", SpeakerKind.ORGANIZATION, "PERSON")
    assert speaker.mentions == [Span(0, 13), Span(21, 23)]
    assert aset.claims[0].speaker is speaker and aset.claims[0].mention == Span(21, 23)
    literal, _ = parse(text, ann)
    assert literal.speakers[0].name == "Dr A\\tMalhotra"


# ---------------------------------------------------------------- real samples


def test_brat_tutorial_round_trip(samples: Path, database: Database, fresh_database: Database, kit: Any) -> None:
    news = samples / "brat-news"
    report = import_folder(database, news, fmt="auto", annotator="x", add_labels=True)
    assert not report.failed, report.files[0].error
    notes = "\n".join(report.files[0].notes)
    for skipped in ("events of type Merge-org", "attributes Confidence", "normalizations", "equivalences (Alias)"):
        assert skipped in notes
    out = kit.export(database, "brat", "out").path
    check_collection(out / "x")

    def spans_and_relations(ann: str) -> tuple[set[tuple[str, str]], set[tuple[str, ...]]]:
        lines = [line.split("\t") for line in ann.splitlines() if line]
        triggers = {fields[1].split()[0].split(":")[1] for fields in lines if fields[0][0] == "E"}
        bounds = {f[0]: (f[1].split()[0], f[1].split(" ", 1)[1]) for f in lines if f[0][0] == "T"}
        entities = {bound for ann_id, bound in bounds.items() if ann_id not in triggers}
        relations = {
            (f[1].split()[0], *(bounds[arg.split(":")[1]][1] for arg in f[1].split()[1:]))
            for f in lines
            if f[0][0] == "R"
        }
        return entities, relations

    compared = 0
    for original in sorted(news.glob("*.ann")):
        written = out / "x" / original.name
        if not written.exists():
            assert not spans_and_relations(original.read_text(encoding="utf-8"))[0]
            continue
        assert spans_and_relations(written.read_text(encoding="utf-8")) == spans_and_relations(
            original.read_text(encoding="utf-8")
        )
        compared += 1
    assert compared == 9
    again = import_folder(fresh_database, out, add_labels=True)
    assert not again.failed and again.files[0].notes == []


def copy_polnear(samples: Path, target: Path, articles: list[str]) -> None:
    dev = samples / "polnear" / "dev"
    (target / "text").mkdir(parents=True)
    (target / "attributions").mkdir()
    for article in articles:
        shutil.copy(dev / "text" / f"{article}.txt", target / "text")
        for ann in (dev / "attributions").glob(f"{article}_*.ann"):
            shutil.copy(ann, target / "attributions")


FLYNN = "politico_2016-09-08_flynn-says-trump-absolutely-righ"


def test_polnear_articles_import_with_one_annotator_per_suffix(
    samples: Path, database: Database, db_path: Path, tmp_path: Path, cli: Callable[..., Any], kit: Any
) -> None:
    copy_polnear(samples, tmp_path / "polnear", [FLYNN, "breitbart_2016-09-12_stealth-over-health-hillary-clin"])
    result = cli("import", tmp_path / "polnear", "--db", db_path, "--no-nlp", "--add-labels")
    assert result.code == 0, result.err
    assert "read as brat" in result.out and "imported 2 documents" in result.out and "7 annotation sets" in result.out
    lines = {(line["id"], line["annotator"]): line for line in kit.export(database, "jsonl").lines()}
    assert {a for doc, a in lines if doc == FLYNN} == {"4b22", "4e07", "5fec", "6b86", "d473", "ef2d"}
    flynn = lines[(FLYNN, "4b22")]
    assert flynn["meta"] == {"source": f"{FLYNN}.txt"}
    split = next(c for c in flynn["claims"] if c.get("parts"))
    assert [(p["start"], p["end"]) for p in split["parts"]] == [(256, 377), (463, 616)]
    assert split["cue"]["text"] == "said Thursday morning"
    speaker = next(s for s in flynn["speakers"] if s["id"] == split["speaker"]["id"])
    assert split["speaker"]["mention"]["text"] == "Flynn, a top Trump surrogate," and speaker["mentions"] == [
        split["speaker"]["mention"]
    ]
    mook = [c for c in flynn["claims"] if c["speaker"] and c["speaker"]["mention"]["start"] == 829]
    assert len(mook) == 2 and mook[0]["speaker"]["id"] == mook[1]["speaker"]["id"]  # one Source span, two events


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("ann", "problem"),
    [
        ("T1\tPERSON 0 4\tAnne\n", r"doc\.ann:1: T1 \(PERSON\) \[0, 4\) has text 'Anne' but the document has 'Anna'"),
        ("\nT1\tPERSON 0 400\tAnna\n", r"doc\.ann:2: T1 \(PERSON\) \[0, 400\) is out of range"),
        (
            "T1\tPERSON 0 4\tAnna\nR1\tknows Arg1:T1 Arg2:T9\t\n",
            r"doc\.ann:2: R1 refers to T9, which is not in this file",
        ),
        ("T1\tAttribution 5 9\tsaid\nE1\tAttribution:T1 Content:T7\n", r"doc\.ann:2: E1 refers to T7"),
        ("E1\tAttribution:T3 Content:T1\nT1\tContent 0 4\tAnna\n", r"doc\.ann:1: E1 refers to T3"),
        ("T1 PERSON 0 4 Anna\n", r"doc\.ann:1: malformed line 'T1 PERSON 0 4 Anna'"),
        ("T1\tPERSON zero 4\tAnna\n", r"doc\.ann:1: malformed text-bound T1"),
        ("T1\tPERSON 0 4\tAnna\nT1\tORG 0 4\tAnna\n", r"doc\.ann:2: id T1 is used twice"),
        ("T1\tSource 0 4\tAnna\nA1\tSpeakerKind T1 alien\n", r"doc\.ann:2: A1: speaker kind 'alien' is not one of"),
        ("X1\tPERSON 0 4\tAnna\n", r"doc\.ann:1: unknown annotation id 'X1'"),
    ],
)
def test_bad_ann_files_fail_the_whole_folder(database: Database, tmp_path: Path, ann: str, problem: str) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a-good.txt").write_text("Bob said hi.", encoding="utf-8")
    (folder / "a-good.ann").write_text("T1\tPERSON 0 3\tBob\n", encoding="utf-8")
    (folder / "doc.txt").write_text("Anna said hi.", encoding="utf-8")
    (folder / "doc.ann").write_text(ann, encoding="utf-8")
    report = import_folder(database, folder, annotator="x")
    (failure,) = report.failed
    assert failure.error is not None and "\n" not in failure.error
    assert re.match(rf"^{re.escape(str(folder))}/{problem}", failure.error), failure.error
    assert collect_stats(database).documents == 0


def test_an_ann_without_its_text_is_refused_before_anything_is_read(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Bob said hi.", encoding="utf-8")
    (tmp_path / "b.ann").write_text("T1\tPERSON 0 3\tBob\n", encoding="utf-8")
    report = import_folder(database, tmp_path, annotator="x")
    assert report.failed[0].error == f"{tmp_path / 'b.ann'}: " + (
        "has no text: brat needs b.txt beside it (or ../text/ARTICLE.txt for ARTICLE_ANNOTATOR.ann, as in PolNeAR); "
        "add the text or remove the .ann"
    )
    assert collect_stats(database).documents == 0
    with pytest.raises(InputError, match="has no text"):
        list(read_folder(tmp_path / "b.ann", ReadOptions()))


def test_overlapping_claim_parts_are_refused() -> None:
    text = "Anna said the plan works well."
    ann = "T1\tContent 10 18\tthe plan\nT2\tContent 14 24\tplan works\nT3\tAttribution 5 9\tsaid\n"
    with pytest.raises(InputError, match=r"^doc\.ann:4: E1: its Content spans \[10, 18\) and \[14, 24\) overlap"):
        parse(text, ann + "E1\tAttribution:T3 Content:T1 Content2:T2\n")


# ---------------------------------------------------------------- what cannot be carried, and files


def test_foreign_labels_are_renamed_and_reported(database: Database, kit: Any) -> None:
    text = "Anna met Bob in Rome."
    line = {
        "id": "x",
        "text": text,
        "annotator": "a b/c",
        "entities": [{"start": 0, "end": 4, "label": "PERSON"}, {"start": 9, "end": 12, "label": "PERSON"}],
        "relations": [{"head": span("Anna", text=text), "child": span("Bob", text=text), "label": "met with"}],
    }
    kit.import_lines(database, [line])
    exported = kit.export(database, "brat", "out")
    out = exported.path
    assert "labels with characters" in exported.warnings()
    assert (out / "a b_c" / "x.ann").read_text(encoding="utf-8").endswith("R1\tmet_with Arg1:T1 Arg2:T2\t\n")
    (record,) = read_folder(out, ReadOptions())
    assert record.annotations[0].annotator == "a b/c"


def test_written_names_are_safe_and_unique(tmp_path: Path) -> None:
    sets = [
        (Document("a/b", "Anna met Bob.", id=1), AnnotationSet("annotation.conf", entities=[Entity(0, 4, "Source")])),
        (Document("a_b", "Bob met Anna.", id=2), AnnotationSet("annotation.conf", entities=[Entity(0, 3, "PERSON")])),
        (Document("CON", "Carl.", id=3), AnnotationSet(None, entities=[Entity(0, 4, "PERSON")])),
    ]
    options = WriteOptions(losses=ExportLosses("brat"))
    write(sets, tmp_path, options)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_CON.ann", "_CON.txt", "annotation.conf", "annotation.conf_"]
    assert sorted(p.name for p in (tmp_path / "annotation.conf_").glob("*.ann")) == ["a_b-2.ann", "a_b.ann"]
    assert (tmp_path / "annotation.conf_" / "a_b.ann").read_text(encoding="utf-8") == ""
    assert any("names the layout reserves" in message for message in options.losses.messages())
    assert any("document ids" in message and ": 3 not written" in message for message in options.losses.messages())
    records = {record.document.external_id: record for record in read_folder(tmp_path, ReadOptions())}
    assert records["a_b-2"].annotations[0].annotator == "annotation.conf"
    assert records["_CON"].annotations[0].annotator is None


# ---------------------------------------------------------------- command line


def test_command_line_import_and_export(tmp_path: Path, cli: Callable[..., Any], samples: Path, db_path: Path) -> None:
    copy_polnear(samples, tmp_path / "corpus", [FLYNN])
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "note.txt").write_text("Anna said hi.", encoding="utf-8")
    (plain / "note.ann").write_text("T1\tPERSON 0 4\tAnna\nT2\tCue 5 9\tsaid\n", encoding="utf-8")
    result = cli("import", plain, "--format", "brat", "--annotator", "x", "--db", db_path, "--no-nlp")
    assert result.code == 0, result.err
    assert "brat: Cue spans outside an Attribution event not imported" in result.out
    auto = cli("import", tmp_path / "corpus", "--db", db_path, "--no-nlp", "--add-labels")
    assert auto.code == 0 and f"{tmp_path / 'corpus'}: read as brat" in auto.out

    out = tmp_path / "export"
    first = cli("export", "-o", out, "--format", "brat", "--db", db_path)
    assert first.code == 0, first.err
    assert (out / "x" / "note.ann").read_text(encoding="utf-8") == "T1\tPERSON 0 4\tAnna\n"
    (out / "x" / "stale.ann").write_text("", encoding="utf-8")
    second = cli("export", "-o", out, "--format", "brat", "--db", db_path)
    assert second.code == 0 and not (out / "x" / "stale.ann").exists()
    assert len(list((out / "4b22").glob("*.ann"))) == 1

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    refused = cli("export", "-o", foreign, "--format", "brat", "--db", db_path)
    assert refused.code == 1 and "not empty" in refused.err and (foreign / "keep.txt").exists()
    single = cli("import", out / "x" / "note.ann", "--db", tmp_path / "other.sqlite3", "--no-nlp")
    assert single.code == 0 and "read as brat" in single.out
