"""The diary view the shell puts in its main window: timeline, filters and detail pane.

It is also where every diary action starts (quick log, edit, delete, attach,
people), so that there is one place that knows which dialogs are open: on lock,
``wipe()`` closes them without asking, after the shell has taken the unsaved
draft with ``take_draft()``.

Changes are written through the core and then announced with
``session.notify_changed()`` so other views refresh; this view reloads itself
straight away (so its selection is right the moment an action returns) and
ignores its own announcement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QSplitter
from PySide6.QtWidgets import QWidget

from ... import drafts
from ...errors import VictimLogError
from ...logs import log_unexpected
from ...model import IncidentData
from ...textsafe import display_safe
from ...vault import IncidentFilter
from ...vault import Vault
from ..people.people_dialog import PeopleDialog
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.background_write import landed_for
from ..widgets.background_write import run_write
from ..widgets.common import line_height
from ..widgets.reason import ask_reason
from ..widgets.reason import reason_prompt
from ..widgets.reason import take_out
from .detail import DetailPane
from .editor import IncidentEditor
from .provenance import ask_provenance
from .quicklog import QuickLogDialog
from .timeline import TimelinePanel


class DiaryView(QWidget):
    draft_changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("diaryView")
        self._forms: list[QuickLogDialog | IncidentEditor] = []  # open forms that hold a draft
        self._announcing = False
        self._lock_count = 0  # bumped by wipe(): dialogs closed by a lock change nothing

        self.timeline = TimelinePanel(session, self)
        self.detail = DetailPane(session, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("diarySplitter")
        self.splitter.addWidget(self.timeline)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        lh = line_height(self)
        self.splitter.setSizes([lh * 48, lh * 30])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.timeline.current_changed.connect(self.detail.show_incident)
        self.timeline.activated.connect(self.edit_incident)
        self.timeline.delete_requested.connect(self._delete_current)
        self.timeline.quick_log_requested.connect(self.quick_log)
        self.detail.edit_requested.connect(self.edit_incident)
        self.detail.delete_requested.connect(self.delete_incident)
        self.detail.attach_requested.connect(self.attach_files)
        self.detail.remove_evidence_requested.connect(self.remove_evidence)
        self.timeline.filter_bar.files_button.clicked.connect(self.show_evidence)
        self.timeline.model.query_failed.connect(self._query_failed)
        session.register_wipe(self.wipe)
        session.changed.connect(self._session_changed)

    # ------------------------------------------------------------------ contract

    def reload(self) -> None:
        """Re-query the vault: people for the filter, the rows, the entry shown."""
        vault = self.session.vault
        if vault is None or not vault.is_open:
            return
        try:
            people = [(p.id, p.data.name) for p in vault.list_people()]
        except VictimLogError:
            people = []
        self.timeline.filter_bar.set_people(people)
        self.timeline.reload()
        self.detail.refresh()

    def wipe(self) -> None:
        """Lock: close our dialogs without asking and forget every piece of diary data."""
        self._lock_count += 1
        # Every dialog we opened is our child or a child of one of our widgets
        # (viewers, reason prompts, message boxes): close them all, innermost last.
        for dialog in self.findChildren(QDialog):
            self._close_for_lock(dialog)
        self.timeline.wipe()
        self.detail.wipe()

    def quick_log(self, draft: dict[str, Any] | None = None) -> None:
        """Open the quick log (only one at a time); after saving, show the new entry."""
        if self._quick is not None:
            self._quick.raise_()
            self._quick.activateWindow()
            return
        if not self.session.is_unlocked:
            return
        dialog = QuickLogDialog(self.session, self, draft=draft)
        result = self._run_form(dialog)
        saved, wants_editor = dialog.saved_id, dialog.wants_editor
        if result is None or saved is None:
            return
        self._changed(select=saved)
        if wants_editor:
            self.edit_incident(saved)

    def show_evidence(self) -> None:
        """Every evidence file, those no entry cites first: attach one to an entry, or
        make an entry for it (the quick log opens with the file attached)."""
        if not self.session.is_unlocked:
            return
        from .evidence_list import EvidenceDialog

        dialog = EvidenceDialog(self.session, self)
        try:
            result = self._run(dialog)
            make_entry_for, changed = dialog.make_entry_for, dialog.changed
        finally:
            dialog.deleteLater()
        if result is None:  # a lock closed it
            return
        if changed:
            self._changed()
        if make_entry_for is not None:
            item = self.session.require().evidence.get(make_entry_for)
            self.quick_log({"files": [{"name": item.filename, "evidence_id": item.id}]})

    def show_people(self) -> None:
        if not self.session.is_unlocked:
            return
        dialog = PeopleDialog(self.session, self)
        result = self._run(dialog)
        chosen, changed = dialog.chosen_incident, dialog.changed_people
        dialog.deleteLater()
        if result is None:
            return
        if changed:
            self._changed()
        if chosen is not None:
            self.show_incident(chosen)

    def focus_search(self) -> None:
        self.timeline.focus_search()

    def selected_incident_ids(self) -> list[int]:
        ids = self.timeline.selected_ids()
        if not ids and self.detail.incident_id is not None:
            return [self.detail.incident_id]
        return ids

    def state(self) -> dict[str, Any]:
        """Where the person is. Holds the search text: keep it as safely as a draft."""
        return {
            "selected": self.timeline.current_id() or self.detail.incident_id,
            "filters": self.timeline.filter_bar.state(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        self.timeline.filter_bar.set_state(dict(state.get("filters") or {}))
        self.reload()
        selected = state.get("selected")
        if isinstance(selected, int):
            self.show_incident(selected)

    def take_draft(self) -> dict[str, Any] | None:
        """The unsaved quick log or editor form as plain data, or None."""
        # A save that landed while the lock waited for it is in the diary: no draft.
        if self._quick is not None and self._quick.has_content() and not landed_for(self._quick):
            return self._quick.draft()
        if self._editor is not None and not landed_for(self._editor):
            return self._editor.draft()
        return None

    def restore_draft(self, draft: dict[str, Any]) -> None:
        if draft.get("type") == "editor":
            data = IncidentData.from_dict(dict(draft.get("data") or {}))
            incident_id = draft.get("incident_id")
            self.edit_incident(int(incident_id) if incident_id is not None else None, data=data)
        else:
            self.quick_log(draft=draft)

    # ------------------------------------------------------------------ actions

    def show_incident(self, incident_id: int) -> None:
        """Select ``incident_id`` in the timeline if it is near the top, and show it."""
        self.timeline.select_id(incident_id, search_pages=5)
        if self.detail.incident_id != incident_id:  # not in the list, or not shown yet
            self.detail.show_incident(incident_id)

    def edit_incident(self, incident_id: int | None, data: IncidentData | None = None) -> None:
        """The full editor for an entry (or a new one when ``incident_id`` is None)."""
        if self._editor is not None or not self.session.is_unlocked:
            return
        try:
            current = self.session.require().get_incident(incident_id) if incident_id else None
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        if current is not None and current.deleted:
            return
        dialog = IncidentEditor(self.session, self, incident=current, data=data)
        result = self._run_form(dialog)
        saved = dialog.saved_id
        if result is not None and saved is not None:
            self._changed(select=saved)

    def delete_incident(self, incident_id: int) -> None:
        """Confirm, ask why, then write the deletion (its history stays)."""
        what_happens = self.tr(
            "The entry leaves the timeline. Its earlier versions and the reason you give "
            "stay in the history, so the log still shows what happened to it."
        )
        if not take_out(
            self,
            lambda reason: self._write(lambda vault: vault.delete_incident(incident_id, reason)),
            question=self.tr("Delete this entry?"),
            explanation=what_happens,
            verb=self.tr("Delete"),
            why=self.tr("Why delete it?"),
            example=self.tr("logged twice by mistake"),
        ):
            return
        self.detail.clear()
        self._changed()

    def remove_evidence(self, incident_id: int, evidence_id: int) -> None:
        """Take a file out of use (recorded, with a reason), or erase it for good.

        Removing keeps the encrypted original so the log can still account for it;
        erasing destroys its key, so it asks twice. Nothing happens without a reason.
        """
        try:
            item = self.session.require().evidence.get(evidence_id)
        except Exception as exc:  # noqa: BLE001 - shown calmly
            dialogs.show_error(self, exc)
            return
        name = display_safe(item.filename, single_line=True)
        erase_text = self.tr("Erase for good\u2026")
        options = [erase_text] if item.removed else [self.tr("Remove"), erase_text]
        picked = dialogs.choose(
            self,
            self.tr("Remove this file?"),
            self.tr(
                "\u201c%1\u201d will no longer be shown with your entries or put in exports. "
                "Removing keeps the encrypted original and records your reason, so the log can "
                "still explain what happened to it. Erasing destroys the file: nobody, not even "
                "you, can open it again."
            ).replace("%1", name),
            options,
        )
        if picked is None:
            return
        permanent = options[picked] == erase_text
        if permanent and not dialogs.confirm(
            self,
            self.tr("Erase it for good?"),
            self.tr(
                "\u201c%1\u201d will be destroyed. This cannot be undone. The record that "
                "it existed, and your reason, stay in the history."
            ).replace("%1", name),
            yes=self.tr("Erase for good"),
        ):
            return
        reason = ask_reason(
            self,
            title=self.tr("Why remove it?"),
            prompt=reason_prompt(self.tr("added the wrong photo")),
            default="",
            ok_text=self.tr("Erase") if permanent else self.tr("Remove"),
        )
        if reason is None:
            return
        try:
            self._write(lambda vault: vault.evidence.remove(evidence_id, reason, permanent=permanent))
        except Exception as exc:  # noqa: BLE001 - shown calmly
            dialogs.show_error(self, exc)
            return
        if permanent:
            self.detail.thumbnails.forget(evidence_id)
        self._changed(select=incident_id)

    def _delete_current(self) -> None:
        current = self.timeline.current_id()
        if current is not None:
            self.delete_incident(current)

    def attach_files(self, incident_id: int) -> None:
        from ..widgets import privacy

        paths = privacy.pick_paths(
            self, privacy.Mode.OPEN_MANY, self.tr("Attach files"), remember=self.session.vault
        )
        if not paths:
            return
        # Where the files came from (#16.7): a small step the person may skip.
        locks = self._lock_count
        provenance = ask_provenance(self, len(paths))
        if locks != self._lock_count or not self.session.is_unlocked:
            return  # a lock closed the question: nothing is attached behind the lock screen
        try:
            # All the files and the entry's new version in one transaction: a refused
            # file or a full disk leaves no exhibit behind without its entry.
            self._write(lambda vault: vault.attach_files(incident_id, paths, provenance=provenance or None))
        except Exception as exc:  # noqa: BLE001 - shown calmly
            dialogs.show_error(self, exc)
        self._changed(select=incident_id)

    # ------------------------------------------------------------------ plumbing

    def _write(self, change: Callable[[Vault], object]) -> object:
        """One change to the vault, off the GUI thread (a busy vault tried again)."""
        vault = self.session.require()
        return run_write(self, lambda: change(vault))

    def _run(self, dialog: QDialog) -> int | None:
        """Run a dialog through the test seam; None if a lock closed it meanwhile."""
        locks = self._lock_count
        result = dialogs.exec_dialog(dialog)
        if locks != self._lock_count or not self.session.is_unlocked:
            return None
        return result if result == QDialog.DialogCode.Accepted else None

    @property
    def _quick(self) -> QuickLogDialog | None:
        return next((f for f in self._forms if isinstance(f, QuickLogDialog)), None)

    @property
    def _editor(self) -> IncidentEditor | None:
        return next((f for f in self._forms if isinstance(f, IncidentEditor)), None)

    def _run_form(self, dialog: QuickLogDialog | IncidentEditor) -> int | None:
        """Run the quick log or the editor: while it is open a lock can seal what it
        holds as a draft (:meth:`take_draft`); once the person closes it (not a
        lock) a draft the vault kept for it is forgotten. The result is :meth:`_run`'s."""
        dialog.changed.connect(self.draft_changed)
        self._forms.append(dialog)
        locks = self._lock_count
        try:
            result = self._run(dialog)
        finally:
            self._forms.remove(dialog)
        self._forget_kept_draft(locks)
        dialog.deleteLater()
        self.draft_changed.emit()
        return result

    def _forget_kept_draft(self, locks: int) -> None:
        """The person closed the form (saved, or discarded on purpose), not a lock: a
        draft the vault kept for it is not needed any more (#18.7)."""
        if locks != self._lock_count or not self.session.is_unlocked:
            return
        vault = self.session.require()
        try:  # off the GUI thread (#23.9)
            run_write(self, lambda: drafts.forget(vault), hold=False)
        except VictimLogError as exc:  # it stays kept, offered again at the next unlock
            log_unexpected(exc)

    @staticmethod
    def _close_for_lock(dialog: QDialog) -> None:
        forget = getattr(dialog, "discard", None) or getattr(dialog, "wipe", None)
        if callable(forget):
            forget()
        dialog.done(QDialog.DialogCode.Rejected)

    def _changed(self, select: int | None = None) -> None:
        if select is not None:
            self.timeline.keep_selection(select)
        self.reload()
        if select is not None:
            self.show_incident(select)
        self._announcing = True
        try:
            self.session.notify_changed()
        finally:
            self._announcing = False

    def _session_changed(self) -> None:
        if not self._announcing:
            self.reload()

    def _query_failed(self, exc: object) -> None:
        if isinstance(exc, BaseException) and self.session.is_unlocked:
            dialogs.show_error(self, exc)

    def current_filter(self) -> IncidentFilter:
        return self.timeline.model.current_filter
