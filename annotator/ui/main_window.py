"""The annotation window: article view in the middle, documents left, claims and speakers right.

Every edit goes through :meth:`MainWindow.run_edit`: the service commits it,
an undo command records it, and only then does the view show it. An edit the
database cannot take now (disk full, read-only file, another program holding
the lock for long) is kept pending in memory, in order: the status bar says
so in red with a *Retry saving* button (Ctrl+S), the window retries every few
seconds and before the next edit, and shows each edit once it is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.errors import UserError
from annotator.domain.model import AnnotationSet, Claim, Document, Span, SpeakerKind, Status
from annotator.services.database import Database, StorageError
from annotator.services.documents import DocumentList
from annotator.services.editing import Editor, EditResult
from annotator.ui import dialogs
from annotator.ui.article_view import ArticleView
from annotator.ui.claims_panel import ClaimsPanel, excerpt
from annotator.ui.commands import EditCommand
from annotator.ui.document_list import DocumentPanel
from annotator.ui.find_bar import FindBar
from annotator.ui.inline_editor import InlineEditor
from annotator.ui.keymap import BINDINGS
from annotator.ui.legend import Legend
from annotator.ui.pickers import LabelPicker, SpeakerPicker
from annotator.ui.speakers_panel import SpeakersPanel
from annotator.ui.suggestion_actions import SuggestionController
from annotator.ui.theme import apply_theme
from annotator.ui.workers import BackgroundJob

log = logging.getLogger(__name__)
SAVED = "All edits saved"
TARGET, NOTE = "target", "note"
EDIT_WAIT_MS = 1_000
"""How long a key press waits for another program's write lock before its edit is kept pending."""
RETRY_WAIT_MS = 100
"""How long an automatic retry of pending edits waits for the lock (the window stays responsive)."""
RETRY_INTERVAL_MS = 3_000
"""How often pending edits are retried while there are any."""
UNDO_LIMIT = 200
"""Undo steps kept; a long session's memory stays bounded."""
NOT_SAVED_STYLE = "QLabel { color: white; background: #b00020; padding: 0 6px; font-weight: bold; }"


@dataclass(slots=True)
class PendingEdit:
    """An edit the database could not take yet: the service call to run again, with its arguments."""

    description: str
    document_id: int
    operation: Callable[..., EditResult]
    args: tuple[object, ...]


class MainWindow(QMainWindow):
    """One annotator's window over one database."""

    def __init__(self, database: Database, annotator: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.annotator = annotator
        self.editor = Editor(database, annotator, wait_ms=EDIT_WAIT_MS)
        self.documents = DocumentList(database, annotator)
        self.schema = self.editor.schema()
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)  # each step holds two snapshots of a layer: bounded, not forever
        self.document: Document | None = None
        self.annotations = AnnotationSet(annotator=annotator)
        self.current_claim_id: int | None = None
        self._listed: tuple[Status, int] | None = None  # the open document's status and claims, as listed
        self.job: BackgroundJob | None = None
        self.pending: list[PendingEdit] = []
        self.closing = False
        self.pending_reason = ""
        self.picker: SpeakerPicker | LabelPicker | None = None
        self.actions_by_id: dict[str, QAction] = {}
        self.dark = QSettings().value("ui/dark") in (True, "true")

        self.view = ArticleView(self)
        self.legend = Legend(self)
        self.find_bar = FindBar(self)
        self.find_bar.attach(self.view)
        self.inline_editor = InlineEditor(self)
        self.suggesting = SuggestionController(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.inline_editor)
        self.setCentralWidget(central)

        self.document_panel = DocumentPanel(self.documents, self)
        self.claims_panel = ClaimsPanel(self)
        self.speakers_panel = SpeakersPanel(self)
        documents_dock = self._dock("Documents", self.document_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        claims_dock = self._dock("Claims", self.claims_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        speakers_dock = self._dock("Speakers", self.speakers_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.missed_dock = self._dock("Missed claims", self.suggesting.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(speakers_dock, self.missed_dock)
        speakers_dock.raise_()
        self.resizeDocks([documents_dock, claims_dock], [260, 460], Qt.Orientation.Horizontal)
        self.resizeDocks([claims_dock, speakers_dock], [500, 260], Qt.Orientation.Vertical)

        self.saved_label = QLabel(SAVED, self)
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
        self.retry_button = QPushButton("Retry saving", self)
        self.retry_button.setToolTip("Save the edits kept in memory now (Ctrl+S)")
        self.retry_button.hide()
        self.retry_button.clicked.connect(lambda: self._guarded(self.retry_saving))
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(RETRY_INTERVAL_MS)
        self.retry_timer.timeout.connect(self._retry_automatically)
        self.job_progress = QProgressBar(self)
        self.job_progress.setMaximumWidth(200)
        self.job_cancel = QPushButton("Cancel", self)
        for widget in (self.job_progress, self.job_cancel):
            widget.hide()
            self.statusBar().addPermanentWidget(widget)
        who = QLabel(f"annotator: {annotator}", self)
        who.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(who)
        self.statusBar().addPermanentWidget(self.saved_label)
        self.statusBar().addPermanentWidget(self.retry_button)
        self.job_cancel.clicked.connect(self.cancel_job)

        self._build_actions()
        self._build_menus()
        self._connect_panels()
        self.legend.set_schema(self.schema)
        self.resize(1400, 860)
        self._update_title()

    # ------------------------------------------------------------------ layout

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "find": self.find_bar.open,
            "new_claim": self.new_claim,
            "add_claim_part": self.add_claim_part,
            "set_speaker": self.set_speaker_from_selection,
            "set_cue": self.set_cue_from_selection,
            "clear_stance": lambda: self.set_stance_by_position(0),
            "edit_target": self.edit_target,
            "new_entity": self.new_entity,
            "next_claim": lambda: self.step_claim(1),
            "previous_claim": lambda: self.step_claim(-1),
            "delete": self.delete_current,
            "note": self.edit_note,
            "undo": self.undo,
            "redo": self.redo,
            "done_next": self.mark_done_and_next,
            "next_document": lambda: self.step_document(1),
            "previous_document": lambda: self.step_document(-1),
            "quit": self.close,
            "help": self.show_shortcuts,
            "accept_suggestion": self.suggesting.accept,
            "reject_suggestion": self.suggesting.reject,
            "accept_all_suggestions": self.suggesting.accept_all,
            "next_suggestion": lambda: self.suggesting.step(True),
            "previous_suggestion": lambda: self.suggesting.step(False),
        }
        for number in range(1, 10):
            handlers[f"stance_{number}"] = partial(self.set_stance_by_position, number)
        for item in BINDINGS:
            if item.builtin:
                continue
            action = QAction(item.description.split(":")[0].capitalize(), self)
            action.setShortcuts(item.sequences())
            action.setObjectName(item.action)
            action.setToolTip(item.description)
            handler = handlers[item.action]
            action.triggered.connect(lambda _checked=False, h=handler: self._guarded(h))
            if item.view_only:
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                self.view.addAction(action)
            else:
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                self.addAction(action)
            self.actions_by_id[item.action] = action
        self.undo_stack.canUndoChanged.connect(self.actions_by_id["undo"].setEnabled)
        self.undo_stack.canRedoChanged.connect(self.actions_by_id["redo"].setEnabled)
        self.actions_by_id["undo"].setEnabled(False)
        self.actions_by_id["redo"].setEnabled(False)

    def _menu_action(self, menu_text: str, handler: Callable[[], object], shortcut: str | None = None) -> QAction:
        action = QAction(menu_text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: self._guarded(handler))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._menu_action("Import files…", self.import_files_dialog, "Ctrl+I"))
        file_menu.addAction(self._menu_action("Import folder…", self.import_folder_dialog))
        file_menu.addAction(self._menu_action("Export…", self.export_dialog, "Ctrl+E"))
        file_menu.addAction(self._menu_action("Open database…", self.open_database_dialog, "Ctrl+O"))
        self.retry_action = self._menu_action("&Retry saving", self.retry_saving, "Ctrl+S")
        self.retry_action.setEnabled(False)
        file_menu.addAction(self.retry_action)
        file_menu.addSeparator()
        file_menu.addAction(self._named("quit", "&Quit"))

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self._named("undo", "&Undo"))
        edit_menu.addAction(self._named("redo", "&Redo"))
        edit_menu.addSeparator()
        edit_menu.addAction(self._named("delete", "&Delete"))

        annotate = bar.addMenu("&Annotate")
        for action_id, text in (
            ("new_claim", "New &claim from selection"),
            ("add_claim_part", "Add selection as claim &part"),
            ("set_speaker", "&Speaker mention from selection"),
            ("set_cue", "C&ue from selection"),
            ("edit_target", "Stance &target…"),
            ("note", "&Note…"),
            ("new_entity", "&Entity from selection…"),
            ("next_claim", "Next claim"),
            ("previous_claim", "Previous claim"),
            ("accept_suggestion", "&Accept suggestion"),
            ("reject_suggestion", "&Reject suggestion"),
            ("accept_all_suggestions", "Accept all suggestions"),
            ("next_suggestion", "Next suggestion"),
            ("previous_suggestion", "Previous suggestion"),
        ):
            annotate.addAction(self._named(action_id, text))
        stance_menu = annotate.addMenu("Stance")
        for position, label in enumerate(self.schema.names("stance")[:9], start=1):
            stance_menu.addAction(self._named(f"stance_{position}", menu_text(label)))
        stance_menu.addAction(self._named("clear_stance", "Clear stance"))
        annotate.addSeparator()
        annotate.addAction(self._menu_action("Accept model entities", self.accept_entities))
        annotate.addAction(self._menu_action("Pre-annotate all documents", self.preannotate_all))

        document_menu = bar.addMenu("&Document")
        document_menu.addAction(self._named("done_next", "&Done, open next"))
        document_menu.addAction(self._menu_action("&Skip", self.mark_skipped))
        document_menu.addAction(self._named("next_document", "&Next"))
        document_menu.addAction(self._named("previous_document", "&Previous"))

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self._menu_action("Zoom &in", self.view.zoom_in, "Ctrl++"))
        view_menu.addAction(self._menu_action("Zoom &out", self.view.zoom_out, "Ctrl+-"))
        view_menu.addAction(self._named("find", "&Find…"))
        theme = self._menu_action("&Dark theme", self.toggle_theme)
        theme.setCheckable(True)
        theme.setChecked(self.dark)
        view_menu.addAction(theme)
        missed = self.missed_dock.toggleViewAction()
        missed.setText("&Missed claims")
        view_menu.addAction(missed)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._named("help", "&Shortcuts"))
        help_menu.addAction(self._menu_action("&Guidelines", lambda: dialogs.show_guidelines(self)))
        help_menu.addAction(self._menu_action("&About", lambda: dialogs.show_about(self, self.database)))

    def _named(self, action_id: str, text: str) -> QAction:
        action = self.actions_by_id[action_id]
        action.setText(text)
        return action

    def _connect_panels(self) -> None:
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_menu(pos).popup(self.view.mapToGlobal(pos))
        )
        self.document_panel.documentActivated.connect(lambda doc_id: self._guarded(lambda: self.open_document(doc_id)))
        self.claims_panel.claimSelected.connect(self._on_claim_selected)
        self.claims_panel.stanceChosen.connect(
            lambda cid, label: self._guarded(
                lambda: self.run_edit(f"stance {label or 'cleared'}", self.editor.set_stance, cid, label)
            )
        )
        self.claims_panel.targetEdited.connect(
            lambda cid, text: self._guarded(lambda: self.run_edit("stance target", self.editor.set_target, cid, text))
        )
        self.claims_panel.noteEdited.connect(
            lambda cid, text: self._guarded(lambda: self.run_edit("claim note", self.editor.set_claim_note, cid, text))
        )
        self.claims_panel.speakerChosen.connect(self._on_panel_speaker)
        self.claims_panel.deleteRequested.connect(
            lambda cid: self._guarded(lambda: self.run_edit("delete claim", self.editor.delete_claim, cid))
        )
        self.speakers_panel.renamed.connect(
            lambda sid, name: self._guarded(
                lambda: self.run_edit("rename speaker", self.editor.rename_speaker, sid, name)
            )
        )
        self.speakers_panel.kindChanged.connect(
            lambda sid, kind: self._guarded(
                lambda: self.run_edit("speaker kind", self.editor.set_speaker_kind, sid, SpeakerKind(kind))
            )
        )
        self.speakers_panel.mergeRequested.connect(
            lambda keep, gone: self._guarded(
                lambda: self.run_edit("merge speakers", self.editor.merge_speakers, keep, gone)
            )
        )
        self.speakers_panel.speakerSelected.connect(self._on_speaker_selected)
        self.inline_editor.submitted.connect(self._on_inline_submitted)
        self.inline_editor.closed.connect(self.view.setFocus)

    # ------------------------------------------------------------------ documents

    def open_document(self, document_id: int) -> None:
        """Show a document with this annotator's annotations."""
        document, annotations = self.editor.load(document_id)
        self.document, self.annotations = document, annotations
        self._listed = (annotations.status, len(annotations.claims))
        self.current_claim_id = None
        self.inline_editor.hide()
        self.view.set_document(document.text, annotations, self.schema)
        self._refresh_panels()
        self.document_panel.show_document(document_id)
        self._update_title()
        self.view.setFocus()

    def open_first(self, external_id: str | None = None) -> None:
        """Open ``external_id``, else the first document not done, else the first one."""
        if external_id is not None:
            found = self.documents.find(external_id)
            if found is None:
                raise UserError(f"no document with id {external_id!r} in {self.database.describe()}")
            self.open_document(found)
            return
        first = self.documents.first_document(not_done=True) or self.documents.first_document(not_done=False)
        if first is not None:
            self.open_document(first)

    def step_document(self, step: int) -> None:
        """Open the next (``step`` 1) or previous (-1) document."""
        if self.document is None or self.document.id is None:
            self.open_first()
            return
        if step > 0:
            target = self.documents.next_document(self.document.id, not_done=False)
        else:
            target = self.documents.previous_document(self.document.id)
        if target is not None:
            self.open_document(target)

    def mark_done_and_next(self) -> None:
        """Mark the document done and open the next one not done."""
        document_id = self._require_document()
        self.run_edit("mark done", self.editor.set_status, Status.DONE)
        following = self.documents.next_document(document_id, not_done=True)
        if following is None or following == document_id:
            self.statusBar().showMessage("Every document is done or skipped", 5000)
            return
        self.open_document(following)

    def mark_skipped(self) -> None:
        """Mark the document skipped and open the next one not done."""
        document_id = self._require_document()
        self.run_edit("skip document", self.editor.set_status, Status.SKIPPED)
        following = self.documents.next_document(document_id, not_done=True)
        if following is not None and following != document_id:
            self.open_document(following)

    # ------------------------------------------------------------------ edits

    def run_edit(self, description: str, operation: Callable[..., EditResult], *args: object) -> EditResult | None:
        """Run an editing service on the open document, record it for undo, then show it.

        Returns ``None`` when the edit is kept pending (see the module docstring):
        it, and every edit after it, is saved in order once the database takes writes.
        """
        edit = PendingEdit(description, self._require_document(), operation, args)
        if self.pending and not self.retry_saving(quiet=True):
            self._keep_pending(edit, None)
            return None
        try:
            result = operation(edit.document_id, *args)
        except StorageError as error:
            self._keep_pending(edit, error)
            return None
        self._saved(edit, result)
        return result

    def retry_saving(self, quiet: bool = False) -> bool:
        """File ▸ Retry saving (Ctrl+S): save the pending edits, oldest first; True when none is left.

        An edit that can no longer apply (its claim was deleted elsewhere) is
        dropped with a message; a storage failure stops the retry, keeping the rest.
        """
        dropped: list[str] = []
        while self.pending:
            edit = self.pending[0]
            try:
                result = edit.operation(edit.document_id, *edit.args)
            except StorageError as error:
                self.pending_reason = _reason(error)
                self._update_pending()
                if not quiet:
                    self.statusBar().showMessage(f"Still not saved: {error}", 6000)
                return False
            except UserError as error:
                self.pending.pop(0)
                dropped.append(f"{edit.description}: {error}")
                continue
            self.pending.pop(0)
            self._saved(edit, result)
        self._update_pending()
        if dropped:
            dialogs.show_plain_message(self, "Edits not saved", "These edits no longer apply:\n" + "\n".join(dropped))
        return True

    def _retry_automatically(self) -> None:
        """The retry timer: try again without freezing the window for long."""
        if not self.pending:
            self.retry_timer.stop()
            return
        self.editor.wait_ms = RETRY_WAIT_MS
        try:
            self._guarded(lambda: self.retry_saving(quiet=True))
        finally:
            self.editor.wait_ms = EDIT_WAIT_MS

    def _keep_pending(self, edit: PendingEdit, error: StorageError | None) -> None:
        self.pending.append(edit)
        if error is not None:
            self.pending_reason = _reason(error)
        self._update_pending()
        self.statusBar().showMessage(f"Not saved yet: {self.pending_reason}", 8000)

    def _update_pending(self) -> None:
        """Show, in red, how many edits are kept in memory and why; or that everything is saved."""
        count = len(self.pending)
        self.retry_action.setEnabled(bool(count))
        self.retry_button.setVisible(bool(count))
        if count:
            edits = "1 edit" if count == 1 else f"{count} edits"
            self.saved_label.setText(
                f"{edits} NOT saved yet (kept in memory; retrying) — {self.pending_reason} — Retry saving: Ctrl+S"
            )
            self.saved_label.setStyleSheet(NOT_SAVED_STYLE)
            if not self.retry_timer.isActive():
                self.retry_timer.start()
        else:
            self.pending_reason = ""
            self.saved_label.setStyleSheet("")
            self.retry_timer.stop()
        self._update_title()

    def _saved(self, edit: PendingEdit, result: EditResult) -> None:
        """An edit is committed: record it for undo and show it (if its document is open)."""
        command = EditCommand(self.editor, result, edit.description, self._show_restored)
        self.undo_stack.push(command)
        annotations = result.annotations
        if self.document is not None and self.document.id == edit.document_id:
            self._show(annotations, result.claim_id if result.claim_id is not None else self.current_claim_id)
        else:
            self.document_panel.refresh_document(edit.document_id, (annotations.status, len(annotations.claims)))
        if not self.pending:
            self.saved_label.setText(f"{SAVED} — last: {edit.description}")

    def undo(self) -> None:
        """Ctrl+Z: commit the undo, then move the undo stack (a failed write leaves both as they were)."""
        self._step_undo_stack(undo=True)

    def redo(self) -> None:
        """Ctrl+Shift+Z: commit the redo, then move the undo stack."""
        self._step_undo_stack(undo=False)

    def _step_undo_stack(self, undo: bool) -> None:
        if self.pending and not self.retry_saving(quiet=True):
            raise UserError(f"{'undo' if undo else 'redo'} waits until the pending edits are saved; retry with Ctrl+S")
        stack = self.undo_stack
        if not (stack.canUndo() if undo else stack.canRedo()):
            return
        command = stack.command(stack.index() - 1 if undo else stack.index())
        if isinstance(command, EditCommand):
            command.prepare(undo)
        if undo:
            stack.undo()
        else:
            stack.redo()

    def _show_restored(self, document_id: int, annotations: AnnotationSet, claim_id: int | None) -> None:
        if self.document is None or self.document.id != document_id:
            self.open_document(document_id)
            annotations = self.editor.annotations(document_id)
        self._show(annotations, claim_id)
        self.saved_label.setText(f"{SAVED} — undo/redo applied")

    def _show(self, annotations: AnnotationSet, claim_id: int | None) -> None:
        self.annotations = annotations
        if claim_id is not None and not any(c.id == claim_id for c in annotations.claims):
            claim_id = None
        self.current_claim_id = claim_id
        self.view.refresh_annotations(annotations)
        self.view.set_current_claim(self._claim(claim_id))
        self._refresh_panels()
        listed = (annotations.status, len(annotations.claims))  # what the document list shows of it
        if self.document is not None and self.document.id is not None and listed != self._listed:
            self._listed = listed
            self.document_panel.refresh_document(self.document.id, listed)

    def new_claim(self) -> None:
        """C: the selection becomes a new claim, the current one."""
        span = self._require_selection("a claim")
        self.run_edit("new claim", self.editor.create_claim, span)

    def add_claim_part(self) -> None:
        """Shift+C: the selection becomes another part of the current claim."""
        claim_id = self._require_claim()
        span = self._require_selection("the claim's other part")
        self.run_edit("claim part", self.editor.add_claim_part, claim_id, span)

    def set_speaker_from_selection(self) -> None:
        """S: the selection becomes the current claim's speaker mention (joining, creating, or asking)."""
        claim_id = self._require_claim()
        span = self._require_selection("the speaker mention")
        assert self.document is not None
        guess = self.editor.guess_speaker(self.document, self.annotations, span)
        if guess.join is not None:
            self.run_edit(f"speaker {guess.join.name}", self.editor.set_speaker, claim_id, span, guess.join.id)
        elif guess.create is not None:
            self.run_edit(f"speaker {guess.create.name}", self.editor.set_speaker, claim_id, span, guess.create)
        else:
            picker = SpeakerPicker(guess.text, self.suggesting.order_candidates(span, guess.candidates), self)
            picker.chosen.connect(
                lambda choice: self._guarded(
                    lambda: self.run_edit("speaker mention", self.editor.set_speaker, claim_id, span, choice)
                )
            )
            self._open_picker(picker)

    def set_cue_from_selection(self) -> None:
        """Q: the selection becomes the current claim's cue."""
        claim_id = self._require_claim()
        span = self._require_selection("the cue")
        self.run_edit("cue", self.editor.set_cue, claim_id, span)

    def set_stance_by_position(self, position: int) -> None:
        """1…9: the stance label at that schema position; 0 clears it."""
        claim_id = self._require_claim()
        names = self.schema.names("stance")
        if position == 0:
            self.run_edit("clear stance", self.editor.set_stance, claim_id, None)
            return
        if position > len(names):
            raise UserError(f"the label schema has no stance label {position}")
        self.run_edit(f"stance {names[position - 1]}", self.editor.set_stance, claim_id, names[position - 1])

    def edit_target(self) -> None:
        """T: edit the current claim's stance target (completion from earlier targets; Enter saves)."""
        claim = self._claim(self._require_claim())
        current = claim.stance.target if claim and claim.stance and claim.stance.target else ""
        self.inline_editor.edit(TARGET, "Stance target:", current, self.editor.stance_targets())

    def edit_note(self) -> None:
        """N: note on the current claim (Enter saves)."""
        claim = self._claim(self._require_claim())
        self.inline_editor.edit(NOTE, "Note on claim:", claim.note or "" if claim else "")

    def new_entity(self) -> None:
        """E: the selection becomes an entity; a label picker follows."""
        span = self._require_selection("an entity")
        picker = LabelPicker(span.text_in(self.view.text()), self.schema.names("entity"), self)
        picker.chosen.connect(
            lambda label: self._guarded(lambda: self.run_edit(f"entity {label}", self.editor.add_entity, span, label))
        )
        self._open_picker(picker)

    def relabel_entity(self, span: Span, old_label: str, new_label: str) -> None:
        """Give the entity at ``span`` another label."""
        self.run_edit(f"entity {new_label}", self.editor.relabel_entity, span, old_label, new_label)

    def delete_entity(self, span: Span, label: str) -> None:
        """Delete the entity at ``span`` from this annotator's layer."""
        self.run_edit("delete entity", self.editor.delete_entity, span, label)

    def accept_entities(self) -> None:
        """Take the model's entities as they are, as this annotator's own."""
        self.run_edit("accept entities", self.editor.accept_entities)

    def delete_current(self) -> None:
        """Delete: the selected entity when the selection is one, else the current claim."""
        span = self.view.selected_span()
        if span is not None:
            for entity in self.annotations.entities:
                if entity.span == span:
                    self.delete_entity(span, entity.label)
                    return
        claim_id = self._require_claim()
        self.run_edit("delete claim", self.editor.delete_claim, claim_id)

    def step_claim(self, step: int) -> None:
        """Tab / Shift+Tab: the next or previous claim in text order becomes current."""
        claims = sorted(self.annotations.claims, key=lambda c: (c.start, c.end, c.id or 0))
        if not claims:
            self.statusBar().showMessage("This document has no claims yet", 3000)
            return
        ids = [c.id for c in claims]
        if self.current_claim_id in ids:
            index = (ids.index(self.current_claim_id) + step) % len(ids)
        else:
            caret = self.view.caret_offset()
            following = [i for i, c in enumerate(claims) if c.start >= caret]
            index = (following[0] if following else 0) if step > 0 else (following[0] - 1 if following else -1)
        self._make_current(claims[index].id)

    def context_menu(self, pos: QPoint) -> QMenu:
        """The article view's menu at ``pos``: the key actions, and the entity or claims under the pointer."""
        menu = QMenu(self)
        for action_id in ("new_claim", "set_speaker", "set_cue", "new_entity"):
            menu.addAction(self.actions_by_id[action_id])
        offset = self.view.offset_map().from_qt(self.view.cursorForPosition(pos).position())
        for entity in (e for e in self.annotations.entities if e.start <= offset < e.end):
            name = self.view.text()[entity.start : entity.end]
            menu.addSeparator()
            relabel = menu.addMenu(menu_text(f"Relabel “{excerpt(name, 30)}” ({entity.label})"))
            for label in self.schema.names("entity"):
                if label != entity.label:
                    action = relabel.addAction(menu_text(label))
                    action.triggered.connect(
                        partial(self._guarded, partial(self.relabel_entity, entity.span, entity.label, label))
                    )
            delete = menu.addAction(menu_text(f"Delete entity “{excerpt(name, 30)}”"))
            delete.triggered.connect(partial(self._guarded, partial(self.delete_entity, entity.span, entity.label)))
        for claim in (c for c in self.annotations.claims if c.start <= offset < c.end):
            menu.addSeparator()
            text = excerpt(self.view.text()[claim.start : claim.end], 40)
            current = menu.addAction(menu_text(f"Make current: “{text}”"))
            current.triggered.connect(partial(self._make_current, claim.id))
            delete = menu.addAction(menu_text(f"Delete claim “{text}”"))
            delete.triggered.connect(
                partial(self._guarded, partial(self.run_edit, "delete claim", self.editor.delete_claim, claim.id))
            )
        return menu

    # ------------------------------------------------------------------ panels

    def _refresh_panels(self) -> None:
        text = self.document.text if self.document else ""
        self.claims_panel.set_claims(self.annotations, text, self.schema.names("stance"), self.current_claim_id)
        self.speakers_panel.set_speakers(self.annotations, text)
        self.suggesting.refresh()

    def _make_current(self, claim_id: int | None) -> None:
        self.current_claim_id = claim_id
        claim = self._claim(claim_id)
        self.view.set_current_claim(claim)
        self.claims_panel.select_claim(claim_id)
        if claim is not None:
            self.view.select_span(claim.span)

    def _on_claim_selected(self, claim_id: int) -> None:
        self._make_current(claim_id)

    def _on_speaker_selected(self, speaker_id: int) -> None:
        for speaker in self.annotations.speakers:
            if speaker.id == speaker_id and speaker.mentions:
                self.view.select_span(speaker.mentions[0])

    def _on_panel_speaker(self, claim_id: int, speaker_id: int | None) -> None:
        claim = self._claim(claim_id)
        mention = claim.mention if claim is not None else None
        if speaker_id is not None and mention is not None:
            owner = next((s for s in self.annotations.speakers if mention in s.mentions), None)
            if owner is not None and owner.id != speaker_id:
                mention = None
        self._guarded(lambda: self.run_edit("claim speaker", self.editor.set_speaker, claim_id, mention, speaker_id))

    def _on_inline_submitted(self, purpose: str, text: str) -> None:
        claim_id = self.current_claim_id
        if claim_id is None:
            return
        if purpose == TARGET:
            self._guarded(lambda: self.run_edit("stance target", self.editor.set_target, claim_id, text))
        elif purpose == NOTE:
            self._guarded(lambda: self.run_edit("claim note", self.editor.set_claim_note, claim_id, text))

    # ------------------------------------------------------------------ files

    def import_files_dialog(self) -> None:
        """File ▸ Import files…: choose files, and their format (detected unless chosen)."""
        from annotator.ui.file_formats import import_choices

        choices = import_choices()
        paths, selected = QFileDialog.getOpenFileNames(self, "Import files", "", choices.filter_string)
        if paths:
            self.start_import(paths, fmt=choices.format_of(selected))

    def import_folder_dialog(self) -> None:
        """File ▸ Import folder…: a folder of articles or files, or a brat folder (detected)."""
        folder = QFileDialog.getExistingDirectory(self, "Import folder")
        if folder:
            self.start_import([folder])

    def start_import(self, paths: list[str], *, fmt: str = "auto", open_when_done: bool = False) -> BackgroundJob:
        """Import in the background with progress and Cancel; the window stays responsive.

        Annotations in files that do not say who made them are imported as the
        window's annotator's.
        """
        from annotator.services.importing import ImportOptions, import_paths

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            report = import_paths(
                self.database,
                paths,
                ImportOptions(fmt=fmt, annotator=self.annotator),
                progress=lambda done: progress(done, 0),
                cancelled=cancelled,
                analysis_progress=progress,
            )
            return report

        return self._start_job("Importing", job, lambda report: self._import_finished(report, open_when_done))

    def _import_finished(self, report: object, open_when_done: bool) -> None:
        from annotator.services.importing import ImportReport

        assert isinstance(report, ImportReport)
        self.document_panel.reload()
        added = f"{report.added} document{'' if report.added == 1 else 's'}"
        lines = [f"Imported {added}; skipped {report.skipped} already present."]
        if report.analysis is not None and report.analysis.suggester is not None:
            suggested = report.analysis.suggestions
            lines[0] += f" {suggested} claim{'' if suggested == 1 else 's'} suggested."
        if report.cancelled:
            lines[0] = f"Import cancelled: {lines[0]} The file being imported was rolled back."
        if report.model_note:
            lines.append(report.model_note)
        lines.extend(f.error for f in report.failed if f.error)
        notes = [f"{f.path}: {note}" for f in report.files if not f.failed for note in f.notes]
        self.statusBar().showMessage(" ".join(lines[:2]), 8000)
        if report.failed or notes:
            dialogs.show_plain_message(self, "Import", "\n".join([*lines, *notes]))
        if open_when_done or self.document is None:
            self.open_first()

    def preannotate_all(self) -> None:
        """Annotate ▸ Pre-annotate all documents, in the background."""
        from annotator.services.preannotating import preannotate

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return preannotate(self.database, progress=progress, cancelled=cancelled)

        def finished(report: object) -> None:
            from annotator.services.analysing import AnalysisReport

            assert isinstance(report, AnalysisReport)
            self.statusBar().showMessage(f"Pre-annotated {report.describe()}", 8000)
            if self.document is not None and self.document.id is not None:
                self.open_document(self.document.id)

        self._start_job("Pre-annotating", job, finished)

    def export_dialog(self) -> None:
        """File ▸ Export…: choose a format by its filter and a file (or, for brat, a new folder)."""
        from annotator.ui.file_formats import default_export_name, export_choices

        choices = export_choices()
        dialog = QFileDialog(self, "Export annotations", default_export_name("jsonl"), choices.filter_string)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setObjectName("export-dialog")
        dialog.filterSelected.connect(
            lambda selected: dialog.selectFile(default_export_name(choices.format_of(selected)))
        )
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return
        self.export_to(dialog.selectedFiles()[0], choices.format_of(dialog.selectedNameFilter()))

    def export_to(self, path: str, fmt: str) -> None:
        """Export every annotation set to ``path`` in ``fmt``; what the format cannot carry is shown, not dropped."""
        from annotator.services.exporting import export_annotations

        report = export_annotations(self.database, path, fmt=fmt)
        message = (
            f"Wrote {report.lines} annotation sets ({report.documents} documents) as {report.fmt} to {report.path}"
        )
        self.statusBar().showMessage(message, 8000)
        if report.warnings:
            dialogs.show_plain_message(self, "Export", "\n".join([message, "", *report.warnings]))

    def open_database_dialog(self) -> None:
        """File ▸ Open database…: a new window on another database file."""
        path, _ = QFileDialog.getOpenFileName(self, "Open database", "", "Databases (*.sqlite3 *.sqlite *.db);;All (*)")
        if not path:
            return
        database = Database.open(path)
        window = MainWindow(database, self.annotator)
        window.show()
        window.open_first()
        self.close()

    def _start_job(self, verb: str, job: Callable[..., object], done: Callable[[object], None]) -> BackgroundJob:
        if self.job is not None and self.job.is_running():
            raise UserError("another background job is running; wait for it or cancel it")
        background = BackgroundJob(job, self)
        self.job = background
        self.job_progress.setRange(0, 0)
        self.job_progress.setFormat(f"{verb} %v")
        self.job_progress.show()
        self.job_cancel.show()
        self.statusBar().showMessage(f"{verb}…")

        def progressed(value: int, total: int) -> None:
            self.job_progress.setRange(0, total)
            self.job_progress.setValue(value)

        def finished(result: object) -> None:
            self._job_ended()
            if not self.closing:  # a job stopped by closing the window reports nothing more
                done(result)

        def failed(message: str, is_bug: bool) -> None:
            self._job_ended()
            if self.closing and not is_bug:
                return
            if is_bug:
                dialogs.show_bug(self, message)
            else:
                dialogs.show_plain_message(self, verb, message)

        background.progressed.connect(progressed)
        background.finished.connect(finished)
        background.failed.connect(failed)
        background.start()
        return background

    def _job_ended(self) -> None:
        self.job_progress.hide()
        self.job_cancel.hide()
        self.statusBar().clearMessage()

    def cancel_job(self) -> None:
        """Cancel the running background job."""
        if self.job is not None:
            self.job.cancel()
            self.statusBar().showMessage("Cancelling…")

    # ------------------------------------------------------------------ misc

    def toggle_theme(self) -> None:
        """Switch between the light and dark theme."""
        self.dark = not self.dark
        apply_theme(self.dark)
        QSettings().setValue("ui/dark", self.dark)

    def show_shortcuts(self) -> None:
        """F1: the generated shortcut sheet."""
        dialogs.show_shortcuts(self, self.schema)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        """Save pending edits (or ask before losing them); stop a background job cleanly (its file is rolled back)."""
        if self.pending and not self.retry_saving(quiet=True) and not self._confirm_losing_pending():
            event.ignore()
            return
        self.retry_timer.stop()
        self.closing = True
        if self.job is not None and self.job.is_running():
            self.statusBar().showMessage("Stopping the background job (the file being imported is rolled back)…")
            while not self.job.wait():  # never leave a thread running: Qt would abort the program
                log.warning("the background job has not stopped yet; still waiting")
        QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)

    def _confirm_losing_pending(self) -> bool:
        """Ask whether to close although edits could not be saved; True to close."""
        count = len(self.pending)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Edits not saved",
            f"{count} edit{'' if count == 1 else 's'} could not be saved: {self.pending_reason}\n\n"
            "Close anyway and lose them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Discard

    def _open_picker(self, picker: SpeakerPicker | LabelPicker) -> None:
        self.picker = picker
        picker.finished.connect(lambda _result: self.view.setFocus())
        picker.start()

    def _update_title(self) -> None:
        name = self.document.title or self.document.external_id if self.document else "no document"
        name = name.replace("[*]", "[*][*]")  # "[*]" alone is Qt's placeholder for "modified", not shown
        unsaved = f" — {len(self.pending)} NOT saved" if self.pending else ""
        self.setWindowTitle(f"{name}{unsaved} — annotator")

    def _claim(self, claim_id: int | None) -> Claim | None:
        return next((c for c in self.annotations.claims if c.id == claim_id), None) if claim_id is not None else None

    def _require_document(self) -> int:
        if self.document is None or self.document.id is None:
            raise UserError("no document is open; import one with File ▸ Import")
        return self.document.id

    def _require_claim(self) -> int:
        if self.current_claim_id is None:
            raise UserError("no current claim: select its text and press C, or Tab to one")
        return self.current_claim_id

    def _require_selection(self, what: str) -> Span:
        span = self.view.selected_span()
        if span is None:
            raise UserError(f"select the text of {what} first")
        return span

    def _guarded(self, handler: Callable[[], object]) -> None:
        """Run a user action: a user error shows one line in the status bar, never a traceback."""
        try:
            handler()
        except UserError as error:
            self.statusBar().showMessage(str(error), 6000)


def _reason(error: StorageError) -> str:
    """Why an edit is pending, in the window's words (another program's lock is a wait, not an error)."""
    if error.busy:
        return "another program is writing to the database (an import?); saved as soon as it is done"
    return str(error)


def menu_text(text: str) -> str:
    """``text`` for a menu or action: shown literally (``&`` is otherwise a mnemonic marker)."""
    return text.replace("&", "&&")
