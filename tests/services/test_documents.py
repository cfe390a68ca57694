"""The document list service: filters, search, paging, progress and stepping, on a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.domain.model import Span, Status
from annotator.services.documents import DocumentList, DocumentQuery, DocumentSummary
from annotator.services.editing import Editor
from annotator.services.importing import ImportOptions, import_paths
from annotator.store.database import Database


def import_lines(database: Database, folder: Path, lines: list[dict[str, object]]) -> dict[str, int]:
    """Import bare JSONL lines; return the database ids by external id."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "docs.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = import_paths(database, [str(path)], ImportOptions(use_nlp=False))
    assert not report.failed, report.failed
    documents = DocumentList(database, "nobody")
    return {external: found for external in (str(line["id"]) for line in lines) if (found := documents.find(external))}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "docs.sqlite3")
    yield database
    database.close()


@pytest.fixture
def ids(db: Database, tmp_path: Path) -> list[int]:
    """Ten documents d0 … d9, in import order; d3 has a title with markup, d7 one with % and _."""
    lines: list[dict[str, object]] = [
        {"id": f"d{n}", "text": f"Article number {n}. The minister spoke.", "meta": {"title": f"Story {n}"}}
        for n in range(10)
    ]
    lines[3]["meta"] = {"title": "<b>Bold</b> Claims", "date": "2024-05-01"}
    lines[5]["text"] = "Officials in NEW DELHI said little."
    lines[7]["meta"] = {"title": "Growth of 50% in rural_areas"}
    lines[8]["meta"] = {"title": 42}
    by_external = import_lines(db, tmp_path / "in", lines)
    return [by_external[f"d{n}"] for n in range(10)]


def all_rows(documents: DocumentList, query: DocumentQuery) -> list[DocumentSummary]:
    return documents.page(query, 0, 1000)


def test_page_gives_summaries_in_id_order_with_status_new_and_no_claims(db: Database, ids: list[int]) -> None:
    documents = DocumentList(db, "alice")

    rows = all_rows(documents, DocumentQuery())

    assert [row.id for row in rows] == sorted(ids)
    assert all(row.status is Status.NEW and row.claims == 0 for row in rows)
    third = rows[3]
    assert (third.external_id, third.title, third.date) == ("d3", "<b>Bold</b> Claims", "2024-05-01")
    assert rows[8].title is None  # a title that is not a string is no title
    assert documents.count(DocumentQuery()) == 10


def test_the_annotator_is_created_on_first_use(db: Database, ids: list[int]) -> None:
    from annotator.store import repository

    documents = DocumentList(db, "carol")
    with db.read() as session:
        assert repository.annotator_id(session, "carol", create=False) is None

    assert documents.count(DocumentQuery(status=Status.NEW)) == 10
    with db.read() as session:
        assert repository.annotator_id(session, "carol", create=False) is not None


def test_status_and_claims_are_the_annotators_own(db: Database, ids: list[int]) -> None:
    alice, bob = Editor(db, "alice"), Editor(db, "bob")
    alice.set_status(ids[1], Status.DONE)
    alice.create_claim(ids[2], Span(0, 7))
    alice.create_claim(ids[2], Span(8, 14))
    bob.set_status(ids[1], Status.SKIPPED)
    bob.create_claim(ids[4], Span(0, 7))

    as_alice = {row.id: row for row in all_rows(DocumentList(db, "alice"), DocumentQuery())}
    as_bob = {row.id: row for row in all_rows(DocumentList(db, "bob"), DocumentQuery())}

    assert as_alice[ids[1]].status is Status.DONE and as_bob[ids[1]].status is Status.SKIPPED
    assert as_alice[ids[2]].status is Status.IN_PROGRESS and as_alice[ids[2]].claims == 2
    assert as_bob[ids[2]].status is Status.NEW and as_bob[ids[2]].claims == 0
    assert as_alice[ids[4]].claims == 0 and as_bob[ids[4]].claims == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, list(range(10))),
        (Status.NEW, [0, 3, 5, 7, 8, 9]),
        (Status.IN_PROGRESS, [2, 4]),
        (Status.DONE, [1]),
        (Status.SKIPPED, [6]),
    ],
)
def test_status_filter(db: Database, ids: list[int], status: Status | None, expected: list[int]) -> None:
    alice = Editor(db, "alice")
    alice.set_status(ids[1], Status.DONE)
    alice.create_claim(ids[2], Span(0, 7))
    alice.set_status(ids[4], Status.IN_PROGRESS)
    alice.set_status(ids[6], Status.SKIPPED)
    alice.set_status(ids[3], Status.DONE)
    alice.set_status(ids[3], Status.NEW)  # a state row that says new is new
    Editor(db, "bob").set_status(ids[0], Status.DONE)  # bob's statuses do not count for alice
    documents = DocumentList(db, "alice")
    query = DocumentQuery(status=status)

    rows = all_rows(documents, query)

    assert [row.id for row in rows] == [ids[n] for n in expected]
    assert documents.count(query) == len(expected)
    if status is not None:
        assert {row.status for row in rows} == {status}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("minister", [0, 1, 2, 3, 4, 6, 7, 8, 9]),  # text
        ("MINISTER", [0, 1, 2, 3, 4, 6, 7, 8, 9]),  # case-insensitive
        ("new delhi", [5]),  # text, other case
        ("d7", [7]),  # external id
        ("story 4", [4]),  # title
        ("<b>bold", [3]),  # markup is text
        ("50%", [7]),  # % is literal
        ("0%", [7]),
        ("%", [7]),
        ("_", [7]),  # _ is literal
        ("l_a", [7]),
        ("s_ory", []),  # not a wildcard
        ("/", [3]),  # the escape character is literal too (in "</b>")
        ("b>/", []),
        ("  story 4  ", [4]),  # surrounding spaces are ignored
        ("", list(range(10))),
        ("   ", list(range(10))),
        ("no such words", []),
    ],
)
def test_search(db: Database, ids: list[int], search: str, expected: list[int]) -> None:
    documents = DocumentList(db, "alice")
    query = DocumentQuery(search=search)

    assert [row.id for row in all_rows(documents, query)] == [ids[n] for n in expected]
    assert documents.count(query) == len(expected)


def test_search_and_status_combine(db: Database, ids: list[int]) -> None:
    Editor(db, "alice").set_status(ids[4], Status.DONE)
    documents = DocumentList(db, "alice")

    assert [row.id for row in all_rows(documents, DocumentQuery(Status.DONE, "story"))] == [ids[4]]
    assert documents.count(DocumentQuery(Status.NEW, "story 4")) == 0
    assert documents.count(DocumentQuery(Status.NEW, "story")) == 6


def test_paging_by_offset_and_by_keyset(db: Database, ids: list[int]) -> None:
    documents = DocumentList(db, "alice")
    query = DocumentQuery()

    pages = [documents.page(query, offset, 3) for offset in range(0, 12, 3)]
    assert [[row.id for row in page] for page in pages] == [ids[0:3], ids[3:6], ids[6:9], ids[9:]]
    assert [row.id for row in documents.page(query, 0, 4, after_id=ids[4])] == ids[5:9]
    assert [row.id for row in documents.page(query, 2, 4, after_id=ids[4])] == ids[7:10]
    assert documents.page(query, 0, 0) == []
    assert documents.page(query, 20, 5) == []


def test_paging_a_status_by_keyset(db: Database, ids: list[int]) -> None:
    alice = Editor(db, "alice")
    for n in (1, 3, 5, 7, 8):
        alice.set_status(ids[n], Status.DONE)
    documents = DocumentList(db, "alice")
    done, new = DocumentQuery(Status.DONE), DocumentQuery(Status.NEW)

    assert [row.id for row in documents.page(done, 0, 2)] == [ids[1], ids[3]]
    assert [row.id for row in documents.page(done, 0, 2, after_id=ids[3])] == [ids[5], ids[7]]
    assert [row.id for row in documents.page(done, 1, 10, after_id=ids[3])] == [ids[7], ids[8]]
    assert [row.id for row in documents.page(new, 0, 2, after_id=ids[0])] == [ids[2], ids[4]]
    assert [row.id for row in documents.page(new, 1, 2)] == [ids[2], ids[4]]
    assert [row.id for row in documents.page(new, 1, 2, after_id=ids[2])] == [ids[6], ids[9]]
    searched = DocumentQuery(Status.DONE, search="article")
    assert [row.id for row in documents.page(searched, 1, 2)] == [ids[3], ids[7]]  # d5 does not say "article"
    assert [row.status for row in documents.page(done, 3, 5)] == [Status.DONE, Status.DONE]


def test_summary_of_one_document(db: Database, ids: list[int]) -> None:
    Editor(db, "alice").create_claim(ids[3], Span(0, 7))
    documents = DocumentList(db, "alice")

    summary = documents.summary(ids[3])

    assert summary == DocumentSummary(ids[3], "d3", "<b>Bold</b> Claims", "2024-05-01", Status.IN_PROGRESS, 1)
    assert documents.summary(max(ids) + 100) is None


def test_position_under_a_query(db: Database, ids: list[int]) -> None:
    alice = Editor(db, "alice")
    for n in (2, 6, 9):
        alice.set_status(ids[n], Status.DONE)
    documents = DocumentList(db, "alice")

    assert documents.position(DocumentQuery(), ids[0]) == 0
    assert documents.position(DocumentQuery(), ids[7]) == 7
    assert documents.position(DocumentQuery(Status.DONE), ids[6]) == 1
    assert documents.position(DocumentQuery(Status.DONE), ids[5]) is None
    assert documents.position(DocumentQuery(Status.NEW), ids[7]) == 5
    assert documents.position(DocumentQuery(search="story"), ids[9]) == 6
    assert documents.position(DocumentQuery(search="story"), ids[3]) is None
    assert documents.position(DocumentQuery(), max(ids) + 1) is None


def test_progress_and_status_counts(db: Database, ids: list[int]) -> None:
    documents = DocumentList(db, "alice")
    assert documents.progress() == (0, 10)
    alice = Editor(db, "alice")
    alice.set_status(ids[0], Status.DONE)
    alice.set_status(ids[1], Status.DONE)
    alice.set_status(ids[2], Status.SKIPPED)
    alice.create_claim(ids[3], Span(0, 7))
    Editor(db, "bob").set_status(ids[4], Status.DONE)

    assert documents.progress() == (3, 10)
    assert documents.status_counts() == {Status.NEW: 6, Status.IN_PROGRESS: 1, Status.DONE: 2, Status.SKIPPED: 1}
    assert DocumentList(db, "bob").progress() == (1, 10)


def test_next_and_previous_wrap_around(db: Database, ids: list[int]) -> None:
    documents = DocumentList(db, "alice")

    assert documents.next_document(ids[0]) == ids[1]
    assert documents.next_document(ids[9]) == ids[0]
    assert documents.previous_document(ids[5]) == ids[4]
    assert documents.previous_document(ids[0]) == ids[9]
    assert documents.first_document(not_done=False) == ids[0]


def test_next_not_done_skips_done_and_skipped(db: Database, ids: list[int]) -> None:
    alice = Editor(db, "alice")
    for n in (0, 3, 4):
        alice.set_status(ids[n], Status.DONE)
    alice.set_status(ids[5], Status.SKIPPED)
    alice.set_status(ids[6], Status.IN_PROGRESS)
    Editor(db, "bob").set_status(ids[7], Status.DONE)  # not alice's
    documents = DocumentList(db, "alice")

    assert documents.next_document(ids[2], not_done=True) == ids[6]
    assert documents.next_document(ids[2], not_done=False) == ids[3]
    assert documents.next_document(ids[9], not_done=True) == ids[1]  # wraps past done d0
    assert documents.previous_document(ids[6], not_done=True) == ids[2]
    assert documents.first_document() == ids[1]


def test_stepping_when_everything_is_done(db: Database, ids: list[int]) -> None:
    alice = Editor(db, "alice")
    for document_id in ids:
        alice.set_status(document_id, Status.DONE)
    alice.set_status(ids[4], Status.IN_PROGRESS)
    documents = DocumentList(db, "alice")

    assert documents.next_document(ids[4], not_done=True) == ids[4]  # the only one left is itself
    alice.set_status(ids[4], Status.DONE)
    assert documents.next_document(ids[4], not_done=True) is None
    assert documents.first_document() is None
    assert documents.first_document(not_done=False) == ids[0]


def test_an_empty_database(db: Database) -> None:
    documents = DocumentList(db, "alice")

    assert documents.count(DocumentQuery()) == 0
    assert documents.page(DocumentQuery(), 0, 200) == []
    assert documents.progress() == (0, 0)
    assert documents.first_document() is None
    assert documents.next_document(1) is None
    assert documents.previous_document(1) is None
    assert documents.position(DocumentQuery(), 1) is None


def test_text_files_give_date_and_title_from_meta(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("date 2023-02-03 India and Russia met.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Plain article.\n", encoding="utf-8")
    assert not import_paths(db, [str(folder)], ImportOptions(use_nlp=False)).failed

    rows = all_rows(DocumentList(db, "alice"), DocumentQuery())

    assert [(row.external_id, row.date, row.title) for row in rows] == [("a", "2023-02-03", None), ("b", None, None)]
