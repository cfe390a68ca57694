"""The list of documents as one annotator sees it: filtered, searched, paged, with their status.

Queries read only the columns a list row shows (the article text only to
search it), join this annotator's ``document_states`` row with a LEFT OUTER
JOIN (no row means :attr:`Status.NEW`) and count their claims with a
correlated subquery over the ``(document_id, annotator_id)`` index.

``documents`` rows are wide (they hold the text), so walking them in id order
is what costs: lazy loading should page by keyset (``after_id``, the last id
it holds), which seeks instead of walking, and counts over an id range are
written ``id + 0 < x`` so that SQLite counts over a narrow covering index
rather than the table. Everything is portable SQL, for SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, func, or_, select
from sqlalchemy.orm import Session

from annotator.domain.model import Status
from annotator.store import repository
from annotator.store.database import Database
from annotator.store.tables import ClaimRow, DocumentRow, DocumentStateRow

FINISHED = (Status.DONE.value, Status.SKIPPED.value)
"""Statuses that the ``not_done`` stepping of :class:`DocumentList` passes over."""


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """One row of the document list: what it shows, without the article text.

    ``title`` and ``date`` are ``meta.title`` and ``meta.date`` when they are
    JSON strings (a number there reads as text on PostgreSQL, as no title on SQLite).
    """

    id: int
    external_id: str
    title: str | None
    date: str | None
    status: Status
    claims: int


@dataclass(frozen=True)
class DocumentQuery:
    """Which documents the list shows.

    ``status`` keeps the documents the annotator has in that status (``None``
    keeps all). ``search`` keeps the documents whose external id,
    ``meta.title`` or text contains it, ignoring case (on SQLite only ASCII
    letters fold case); ``%`` and ``_`` match themselves.
    """

    status: Status | None = None
    search: str = ""

    @property
    def needle(self) -> str:
        """Return the search text without surrounding white space ("" searches nothing)."""
        return self.search.strip()


class DocumentList:
    """Counting, paging and stepping through the documents, with one annotator's statuses and claims.

    The annotator is created in the database on first use when missing. Each
    call is one short read session.
    """

    def __init__(self, database: Database, annotator: str) -> None:
        self.database = database
        self.annotator = annotator
        self._annotator_id: int | None = None
        self._sqlite = database.engine.dialect.name == "sqlite"

    # ------------------------------------------------------------ queries

    def count(self, query: DocumentQuery) -> int:
        """Count the documents ``query`` keeps."""
        person = self._person()
        with self.database.read() as session:
            if not query.needle:
                return _count_without_search(session, person, query.status)
            statement = self._filtered(select(func.count()).select_from(DocumentRow), person, query)
            return int(session.scalar(statement) or 0)

    def page(
        self, query: DocumentQuery, offset: int, limit: int, *, after_id: int | None = None
    ) -> list[DocumentSummary]:
        """Return up to ``limit`` rows that ``query`` keeps, in document id order, after skipping ``offset``.

        With ``after_id`` (the id of the last row the caller holds) the rows
        start after that document and ``offset`` counts from there. Lazy
        loading should pass it: a deep ``offset`` walks every row before it.
        """
        if limit <= 0:
            return []
        person = self._person()
        if offset <= 0 and not _drives_from_states(query):
            # One pass in id order, stopping at ``limit``: nothing to skip, nothing to sort.
            statement = _row_columns(person).outerjoin(DocumentStateRow, _state_join(person))
            statement = self._filtered(statement, person, query, joined=True)
            if after_id is not None:
                statement = statement.where(DocumentRow.id > after_id)
            statement = statement.order_by(DocumentRow.id).limit(limit)
        else:
            # Choose the ids first, so that skipping rows reads only what choosing them needs.
            ids, id_column = self._matching_ids(person, query)
            if after_id is not None:
                ids = ids.where(id_column > after_id)
            chosen = ids.order_by(id_column).offset(max(offset, 0)).limit(limit).subquery("chosen")
            statement = (
                _row_columns(person)
                .join(chosen, chosen.c.id == DocumentRow.id)
                .outerjoin(DocumentStateRow, _state_join(person))
                .order_by(DocumentRow.id)
            )
        with self.database.read() as session:
            return [_summary(row) for row in session.connection().execute(statement)]

    def summary(self, document_id: int) -> DocumentSummary | None:
        """Return the list row of one document (to refresh it after an edit), or ``None`` if it is gone."""
        person = self._person()
        statement = (
            _row_columns(person).outerjoin(DocumentStateRow, _state_join(person)).where(DocumentRow.id == document_id)
        )
        with self.database.read() as session:
            row = session.connection().execute(statement).first()
        return _summary(row) if row is not None else None

    def find(self, external_id: str) -> int | None:
        """Return the database id of the document with ``external_id``, or ``None``."""
        with self.database.read() as session:
            return session.scalar(select(DocumentRow.id).where(DocumentRow.external_id == external_id))

    def position(self, query: DocumentQuery, document_id: int) -> int | None:
        """Return the row index of ``document_id`` among the documents ``query`` keeps, or ``None``."""
        person = self._person()
        ids, id_column = self._matching_ids(person, query)
        with self.database.read() as session:
            if session.scalar(ids.where(id_column == document_id)) is None:
                return None
            before = select(func.count()).select_from(ids.where(id_column + 0 < document_id).subquery())
            return int(session.scalar(before) or 0)

    def status_counts(self) -> dict[Status, int]:
        """Count the documents the annotator has in each status (a document without a state is new)."""
        person = self._person()
        counts = dict.fromkeys(Status, 0)
        with self.database.read() as session:
            total = int(session.scalar(select(func.count()).select_from(DocumentRow)) or 0)
            statement = (
                select(DocumentStateRow.status, func.count())
                .where(DocumentStateRow.annotator_id == person)
                .group_by(DocumentStateRow.status)
            )
            for status, number in session.execute(statement):
                counts[_status(status)] += int(number)
        counts[Status.NEW] += total - sum(counts.values())
        return counts

    def progress(self) -> tuple[int, int]:
        """Return ``(done, total)``: the documents the annotator marked done or skipped, and all documents."""
        return progress_of(self.status_counts())

    # ------------------------------------------------------------ stepping

    def next_document(self, after_id: int, *, not_done: bool = False) -> int | None:
        """Return the first document after ``after_id``, wrapping around to the start when none follows.

        ``not_done`` passes over documents the annotator marked done or
        skipped. The answer may be ``after_id`` itself when it is the only
        candidate; ``None`` means there is no candidate at all.
        """
        return self._step(DocumentRow.id > after_id, ascending=True, not_done=not_done)

    def previous_document(self, before_id: int, *, not_done: bool = False) -> int | None:
        """Return the last document before ``before_id``, wrapping around to the end when none precedes it."""
        return self._step(DocumentRow.id < before_id, ascending=False, not_done=not_done)

    def first_document(self, not_done: bool = True) -> int | None:
        """Return the first document (the first neither done nor skipped, with ``not_done``), or ``None``."""
        statement = self._stepping(not_done).order_by(DocumentRow.id).limit(1)
        with self.database.read() as session:
            return session.scalar(statement)

    # ------------------------------------------------------------ machinery

    def _step(self, beyond: ColumnElement[bool], *, ascending: bool, not_done: bool) -> int | None:
        order = DocumentRow.id if ascending else DocumentRow.id.desc()
        statement = self._stepping(not_done).order_by(order).limit(1)
        with self.database.read() as session:
            found = session.scalar(statement.where(beyond))
            return found if found is not None else session.scalar(statement)

    def _stepping(self, not_done: bool) -> Select[tuple[int]]:
        statement = select(DocumentRow.id)
        if not_done:
            statement = statement.outerjoin(DocumentStateRow, _state_join(self._person())).where(
                or_(DocumentStateRow.status.is_(None), DocumentStateRow.status.not_in(FINISHED))
            )
        return statement

    def _matching_ids(self, person: int, query: DocumentQuery) -> tuple[Select[Any], SQLColumnExpression[int]]:
        """Return the ids ``query`` keeps (a select labelled ``id``) and the column to order them by.

        A status other than new, without a search, is answered from
        ``document_states`` alone, never touching the wide ``documents`` rows.
        """
        if _drives_from_states(query):
            assert query.status is not None
            column = DocumentStateRow.document_id
            statement = select(column.label("id")).where(
                DocumentStateRow.annotator_id == person, DocumentStateRow.status == query.status.value
            )
            return statement, column
        return self._filtered(select(DocumentRow.id), person, query), DocumentRow.id

    def _filtered(
        self, statement: Select[Any], person: int, query: DocumentQuery, *, joined: bool = False
    ) -> Select[Any]:
        """Narrow ``statement`` (over ``documents``) to what ``query`` keeps.

        A status filter joins the annotator's state row; ``joined`` says the
        statement selects from it already.
        """
        if query.status is not None:
            if not joined:
                statement = statement.outerjoin(DocumentStateRow, _state_join(person))
            statement = statement.where(_status_condition(query.status))
        if query.needle:
            statement = statement.where(self._search_condition(query.needle))
        return statement

    def _search_condition(self, needle: str) -> ColumnElement[bool]:
        """Match ``needle`` as a case-insensitive substring of the external id, ``meta.title`` or text.

        SQLite's ``LIKE`` already ignores (ASCII) case, exactly as its
        ``lower()`` does, and skipping ``lower()`` over every text makes the
        scan 2-3 times faster; other databases get ``ILIKE``/``lower()``.
        """
        columns: list[SQLColumnExpression[str]] = [
            DocumentRow.external_id,
            DocumentRow.meta["title"].as_string(),
            DocumentRow.text,
        ]
        if self._sqlite:
            return or_(*(column.contains(needle, autoescape=True) for column in columns))
        return or_(*(column.icontains(needle, autoescape=True) for column in columns))

    def _person(self) -> int:
        """Return the annotator's id, creating the annotator on first use when missing."""
        if self._annotator_id is None:
            with self.database.read() as session:
                person = repository.annotator_id(session, self.annotator, create=False)
            if person is None:
                with self.database.write() as session:
                    person = repository.annotator_id(session, self.annotator)
            assert person is not None
            self._annotator_id = person
        return self._annotator_id


def progress_of(counts: Mapping[Status, int]) -> tuple[int, int]:
    """Return ``(done, total)`` from :meth:`DocumentList.status_counts`; skipped documents count as done."""
    return counts.get(Status.DONE, 0) + counts.get(Status.SKIPPED, 0), sum(counts.values())


def _state_join(person: int) -> ColumnElement[bool]:
    return and_(DocumentStateRow.document_id == DocumentRow.id, DocumentStateRow.annotator_id == person)


def _status_condition(status: Status) -> ColumnElement[bool]:
    if status is Status.NEW:
        return or_(DocumentStateRow.status.is_(None), DocumentStateRow.status == Status.NEW.value)
    return DocumentStateRow.status == status.value


def _drives_from_states(query: DocumentQuery) -> bool:
    """Tell whether ``document_states`` alone can choose the rows: a status other than new, no search."""
    return query.status is not None and query.status is not Status.NEW and not query.needle


def _row_columns(person: int) -> Select[Any]:
    """Select a list row's columns (title and date read out of ``meta`` by the database)."""
    claims = (
        select(func.count())
        .select_from(ClaimRow)
        .where(ClaimRow.document_id == DocumentRow.id, ClaimRow.annotator_id == person)
        .correlate(DocumentRow)
        .scalar_subquery()
    )
    return select(
        DocumentRow.id,
        DocumentRow.external_id,
        DocumentRow.meta["title"].as_string(),
        DocumentRow.meta["date"].as_string(),
        DocumentStateRow.status,
        claims,
    ).select_from(DocumentRow)


def _count_without_search(session: Session, person: int, status: Status | None) -> int:
    """Count from the narrowest indexes, never walking the ``documents`` rows."""
    total = int(session.scalar(select(func.count()).select_from(DocumentRow)) or 0)
    if status is None:
        return total
    states = select(func.count()).select_from(DocumentStateRow).where(DocumentStateRow.annotator_id == person)
    if status is Status.NEW:
        return total - int(session.scalar(states.where(DocumentStateRow.status != Status.NEW.value)) or 0)
    return int(session.scalar(states.where(DocumentStateRow.status == status.value)) or 0)


def _summary(row: Any) -> DocumentSummary:
    document_id, external_id, title, date, status, claims = row
    return DocumentSummary(
        id=int(document_id),
        external_id=str(external_id),
        title=title if isinstance(title, str) else None,
        date=date if isinstance(date, str) else None,
        status=_status(status),
        claims=int(claims or 0),
    )


_STATUSES = {status.value: status for status in Status}


def _status(value: str | None) -> Status:
    """Map a stored status to :class:`Status` (no state, or an unknown word, is new)."""
    return _STATUSES.get(value, Status.NEW) if value is not None else Status.NEW


__all__ = ["FINISHED", "DocumentList", "DocumentQuery", "DocumentSummary", "progress_of"]
