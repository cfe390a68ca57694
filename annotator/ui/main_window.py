"""The annotation window: article view in the middle, documents left, claims and speakers right.

Every edit goes through :meth:`MainWindow.run_edit`: the service commits it,
an undo command records it, and only then does the view show it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.errors import UserError
from annotator.domain.model import AnnotationSet, Claim, Document, Span, SpeakerKind, Status
from annotator.services.database import Database
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
from annotator.ui.theme import apply_theme
from annotator.ui.workers import BackgroundJob

log = logging.getLogger(__name__)
SAVED = "All edits saved"
TARGET, NOTE = "target", "note"


class MainWindow(QMainWindow):
    """One annotator's window over one database."""

    def __init__(self, database: Database, annotator: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.annotator = annotator
        self.editor = Editor(database, annotator)
        self.documents = DocumentList(database, annotator)
        self.schema = self.editor.schema()
        self.undo_stack = QUndoStack(self)
        self.document: Document | None = None
        self.annotations = AnnotationSet(annotator=annotator)
        self.current_claim_id: int | None = None
        self._listed: tuple[Status, int] | None = None  # the open document's status and claims, as listed
        self.job: BackgroundJob | None = None
        self.picker: SpeakerPicker | LabelPicker | None = None
        self.actions_by_id: dict[str, QAction] = {}
        self.dark = QSettings().value("ui/dark") in (True, "true")

        self.view = ArticleView(self)
        self.legend = Legend(self)
        self.find_bar = FindBar(self)
        self.find_bar.attach(self.view)
        self.inline_editor = InlineEditor(self)
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
        self.resizeDocks([documents_dock, claims_dock], [260, 460], Qt.Orientation.Horizontal)
        self.resizeDocks([claims_dock, speakers_dock], [500, 260], Qt.Orientation.Vertical)

        self.saved_label = QLabel(SAVED, self)
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
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
            "undo": self.undo_stack.undo,
            "redo": self.undo_stack.redo,
            "done_next": self.mark_done_and_next,
            "next_document": lambda: self.step_document(1),
            "previous_document": lambda: self.step_document(-1),
            "quit": self.close,
            "help": self.show_shortcuts,
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
        ):
            annotate.addAction(self._named(action_id, text))
        stance_menu = annotate.addMenu("Stance")
        for position, label in enumerate(self.schema.names("stance")[:9], start=1):
            stance_menu.addAction(self._named(f"stance_{position}", label))
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

    def run_edit(self, description: str, operation: Callable[..., EditResult], *args: object) -> EditResult:
        """Run an editing service on the open document, record it for undo, then show it."""
        document_id = self._require_document()
        result = operation(document_id, *args)
        command = EditCommand(self.editor, result, description, self._show_restored)
        self.undo_stack.push(command)
        self._show(result.annotations, result.claim_id if result.claim_id is not None else self.current_claim_id)
        self.saved_label.setText(f"{SAVED} — last: {description}")
        return result

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
            picker = SpeakerPicker(guess.text, guess.candidates, self)
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
            relabel = menu.addMenu(f"Relabel “{excerpt(name, 30)}” ({entity.label})")
            for label in self.schema.names("entity"):
                if label != entity.label:
                    action = relabel.addAction(label)
                    action.triggered.connect(
                        partial(self._guarded, partial(self.relabel_entity, entity.span, entity.label, label))
                    )
            delete = menu.addAction(f"Delete entity “{excerpt(name, 30)}”")
            delete.triggered.connect(partial(self._guarded, partial(self.delete_entity, entity.span, entity.label)))
        for claim in (c for c in self.annotations.claims if c.start <= offset < c.end):
            menu.addSeparator()
            text = excerpt(self.view.text()[claim.start : claim.end], 40)
            current = menu.addAction(f"Make current: “{text}”")
            current.triggered.connect(partial(self._make_current, claim.id))
            delete = menu.addAction(f"Delete claim “{text}”")
            delete.triggered.connect(
                partial(self._guarded, partial(self.run_edit, "delete claim", self.editor.delete_claim, claim.id))
            )
        return menu

    # ------------------------------------------------------------------ panels

    def _refresh_panels(self) -> None:
        text = self.document.text if self.document else ""
        self.claims_panel.set_claims(self.annotations, text, self.schema.names("stance"), self.current_claim_id)
        self.speakers_panel.set_speakers(self.annotations, text)

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
        """File ▸ Import files…: choose files to import."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import files", "", "Articles (*.txt *.jsonl *.ndjson);;All files (*)"
        )
        if paths:
            self.start_import(paths)

    def import_folder_dialog(self) -> None:
        """File ▸ Import folder…: choose a folder to import."""
        folder = QFileDialog.getExistingDirectory(self, "Import folder")
        if folder:
            self.start_import([folder])

    def start_import(self, paths: list[str], *, open_when_done: bool = False) -> BackgroundJob:
        """Import in the background with progress and Cancel; the window stays responsive."""
        from annotator.services.importing import ImportOptions, import_paths

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return import_paths(
                self.database,
                paths,
                ImportOptions(annotator=None),
                progress=lambda done: progress(done, 0),
                cancelled=cancelled,
            )

        return self._start_job("Importing", job, lambda report: self._import_finished(report, open_when_done))

    def _import_finished(self, report: object, open_when_done: bool) -> None:
        from annotator.services.importing import ImportReport

        assert isinstance(report, ImportReport)
        self.document_panel.reload()
        added = f"{report.added} document{'' if report.added == 1 else 's'}"
        lines = [f"Imported {added}; skipped {report.skipped} already present."]
        if report.cancelled:
            lines[0] = f"Import cancelled: {lines[0]} The file being imported was rolled back."
        if report.model_note:
            lines.append(report.model_note)
        lines.extend(f.error for f in report.failed if f.error)
        self.statusBar().showMessage(" ".join(lines[:2]), 8000)
        if report.failed:
            dialogs.show_plain_message(self, "Import", "\n".join(lines))
        if open_when_done or self.document is None:
            self.open_first()

    def preannotate_all(self) -> None:
        """Annotate ▸ Pre-annotate all documents, in the background."""
        from annotator.services.preannotating import preannotate

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return preannotate(self.database, progress=progress, cancelled=cancelled)

        def finished(report: object) -> None:
            self.statusBar().showMessage(f"Pre-annotated: {report}", 8000)
            if self.document is not None and self.document.id is not None:
                self.open_document(self.document.id)

        self._start_job("Pre-annotating", job, finished)

    def export_dialog(self) -> None:
        """File ▸ Export…: write the native JSONL."""
        from annotator.services.exporting import export_jsonl

        path, _ = QFileDialog.getSaveFileName(self, "Export JSONL", "annotations.jsonl", "JSON lines (*.jsonl)")
        if not path:
            return
        report = export_jsonl(self.database, path)
        self.statusBar().showMessage(f"Wrote {report.lines} lines to {report.path}", 8000)

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
            done(result)

        def failed(message: str, is_bug: bool) -> None:
            self._job_ended()
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
        """Stop a background job cleanly (its file is rolled back) before closing."""
        if self.job is not None and self.job.is_running():
            self.job.wait()
        QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)

    def _open_picker(self, picker: SpeakerPicker | LabelPicker) -> None:
        self.picker = picker
        picker.finished.connect(lambda _result: self.view.setFocus())
        picker.start()

    def _update_title(self) -> None:
        name = self.document.title or self.document.external_id if self.document else "no document"
        self.setWindowTitle(f"{name} — annotator")

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
