"""Send through the police link: the upload batches, one at a time (#21).

The person has the officer's upload link open in the browser, and is often frightened
and in a hurry. So this window shows one batch at a time: each file with its name,
size and the caption to paste, a **Copy caption** button per file, **Open folder**
to drag the files from, and one tick, "I have sent batch N", which is recorded in the
vault's journal with the time and the police reference (asked for at the first tick,
then reused; :mod:`victim_log.portal_sends`). Unticking asks why and records that
too: the first tick stays in the history.

A copied caption is cleared from the clipboard after :data:`CLEAR_AFTER_MS` (if it is
still ours), and at lock and quick exit like everything copied through the session.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtCore import QUrl
from PySide6.QtCore import Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import portal_sends
from ...errors import VictimLogError
from ...export.portal import TOO_LARGE_ADVICE
from ...export.portal import PortalFile
from ...export.portal import PortalFolder
from ...export.portal import read_portal
from ...portal_sends import BatchState
from ...portal_sends import SendRecord
from ..shell.fitting import fit_to_screen
from ..shell.fitting import scrolling_form
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets import privacy
from ..widgets.common import fit_to_text
from ..widgets.common import heading
from ..widgets.common import left_row
from ..widgets.common import name_window
from ..widgets.common import push_button
from ..widgets.common import scaled
from ..widgets.common import stack
from ..widgets.common import tab_chain
from ..widgets.common import wrapped
from ..widgets.reason import ReasonDialog
from ..widgets.reason import ask_reason
from ..widgets.safelabel import SafeLabel

CLEAR_AFTER_MS = 30_000  # a caption stays on the clipboard this long, then is cleared
_CLIPBOARD_TIMER = "captionClipboardTimer"


def open_in_file_manager(path: Path) -> bool:
    """Show ``path`` in the system's file manager (a seam tests replace)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def copy_for_a_while(session: Session, text: str) -> None:
    """Copy ``text`` through the session (so lock and quick exit clear it) and clear it
    after :data:`CLEAR_AFTER_MS` if it is still there; the timer belongs to the session,
    so closing this window does not leave the caption behind, and each copy restarts it."""
    session.copy_to_clipboard(text)
    timer = session.findChild(QTimer, _CLIPBOARD_TIMER)
    if timer is None:
        timer = QTimer(session)
        timer.setObjectName(_CLIPBOARD_TIMER)
        timer.setSingleShot(True)
        timer.timeout.connect(session.clear_clipboard_if_ours)
    timer.start(CLEAR_AFTER_MS)


def _breakable(text: str) -> str:
    """``text`` for a label that wraps: a long unbroken run (a SHA-256, a long file name)
    may break every 16 characters (a zero-width space), so it never makes the window
    wider than a small screen. Shown only: Copy caption copies the caption as it is."""
    return re.sub(r"\S{24,}", lambda m: "\u200b".join(re.findall(r".{1,16}", m[0])), text)


def _size(n: int) -> str:
    for unit, div in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} bytes"


class PortalSendDialog(QDialog):
    """The batches of one ``export --portal`` folder, one at a time, with the ticks."""

    def __init__(self, session: Session, folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        vault = session.require()
        name_window(self, "portalSendDialog", self.tr("Send through the police link"))
        self.setModal(True)
        self.portal: PortalFolder | None = None
        self.states: list[BatchState] = []
        self.reference = ""
        self.copy_buttons: list[QPushButton] = []

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.addWidget(heading(self.tr("Send through the police link"), body))
        # Numbered, because it is done in this order, one batch after the other.
        steps = (
            self.tr("Open the upload link the police sent you, in your browser."),
            self.tr("Upload every file of the batch below in one submission (Open folder shows them)."),
            self.tr("For each file, press Copy caption and paste it into that file's caption box."),
            self.tr("Once the batch is sent, tick it below: your diary keeps when, and to which reference."),
        )
        layout.addWidget(
            wrapped("\n".join(f"{n}. {t}" for n, t in enumerate(steps, 1)), body, name="portalSteps")
        )
        self.folder_label = SafeLabel("", body, single_line=True, name="portalFolder", wrap=True)
        self.choose_button = push_button(
            self.tr("&Choose folder…"),
            body,
            "choosePortalFolder",
            self.tr("Choose another folder of upload batches"),
            self.choose_folder,
        )
        layout.addLayout(stack(QHBoxLayout(), (self.folder_label, 1), self.choose_button))
        label = QLabel(self.tr("&Batch:"), body)
        self.batch_choice = QComboBox(body)
        self.batch_choice.setObjectName("batchChoice")
        self.batch_choice.setAccessibleName(self.tr("Which batch"))
        # As narrow as a small screen needs: the list opens wide enough to read.
        self.batch_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.batch_choice.setMinimumContentsLength(12)
        label.setBuddy(self.batch_choice)
        self.batch_choice.currentIndexChanged.connect(self._show_batch)
        self.open_button = push_button(
            self.tr("&Open folder"),
            body,
            "openBatchFolder",
            self.tr("Open this batch's folder"),
            self.open_folder,
        )
        layout.addLayout(stack(QHBoxLayout(), label, (self.batch_choice, 1), self.open_button))
        self.done_note = SafeLabel("", body, name="portalDoneNote", wrap=True)
        self.done_note.setFont(scaled(self.done_note.font(), 1.0, bold=True))
        self.done_note.hide()
        layout.addWidget(self.done_note)
        self.status = SafeLabel("", body, name="batchStatus", wrap=True)
        self.change_reference = push_button(
            self.tr("Change &reference…"),
            body,
            "changeReference",
            self.tr("Change the police reference for the next batches"),
            self._change_reference,
        )
        layout.addLayout(stack(QHBoxLayout(), (self.status, 1), self.change_reference))
        self.copied_note = wrapped("", body, name="copiedNote")
        self.copied_note.hide()
        layout.addWidget(self.copied_note)
        self.files_box = QWidget(body)
        self.files_layout = QVBoxLayout(self.files_box)
        self.files_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.files_box)
        self.too_large = SafeLabel("", body, name="portalTooLarge", wrap=True)
        self.too_large.hide()
        layout.addWidget(self.too_large)
        layout.addStretch(1)

        # The one thing to do once the files are up, always in view under the list.
        self.tick = QCheckBox(self.tr("I have &sent this batch"), self)
        self.tick.setObjectName("sentTick")
        self.tick.setAccessibleName(self.tr("I have sent this batch"))
        self.tick.setFont(scaled(self.tick.font(), 1.0, bold=True))
        self.tick.clicked.connect(self._tick_clicked)
        self.close_button = push_button(self.tr("Close"), self, "portalClose", self.tr("Close"), self.accept)
        buttons = left_row(self.tick)
        buttons.addWidget(self.close_button)
        scrolling_form(self, body, buttons).setAccessibleName(self.tr("The batch's files"))

        start = folder if folder is not None else portal_sends.last_folder(vault)
        if start is not None:
            self.load(start)
        else:
            self._refresh()
        fit_to_text(self, self.fontMetrics().averageCharWidth() * 100)
        fit_to_screen(self)

    # ------------------------------------------------------------------ the folder

    def load(self, path: Path) -> bool:
        """Show the batches in ``path``; a calm message when it is not such a folder."""
        try:
            portal = read_portal(path)
            vault = self.session.require()
            states = portal_sends.batch_states(vault, portal)
            portal_sends.remember_folder(vault, path)
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            self._refresh()  # whatever was shown before stays, and says so
            return False
        self.portal, self.states = portal, states
        self.reference = portal_sends.last_reference(self.states)
        self.done_note.hide()
        self._refresh(first_unsent=True)
        return True

    @Slot()
    def choose_folder(self) -> None:
        """Another folder of batches, through the file dialog that remembers nothing
        (no recent folders left behind for someone else to see)."""
        start = self.portal.path.parent if self.portal is not None else None
        title = self.tr("The folder of upload batches (it holds README.txt and portal.json)")
        if start is not None and start.is_dir():
            chosen = privacy.pick_paths(self, privacy.Mode.FOLDER, title, directory=start)
        else:
            chosen = privacy.pick_paths(self, privacy.Mode.FOLDER, title)
        if chosen:
            self.load(chosen[0])

    @Slot()
    def open_folder(self) -> None:
        state = self._state()
        if self.portal is not None and state is not None:
            open_in_file_manager(self.portal.batch_path(state.number))

    # ------------------------------------------------------------------ showing

    def _state(self) -> BatchState | None:
        i = self.batch_choice.currentIndex()
        return self.states[i] if 0 <= i < len(self.states) else None

    def _who(self, r: SendRecord) -> str:
        return self.tr("you") if r.author == "victim" else r.author.removeprefix("support:")

    def _batch_text(self, s: BatchState) -> str:
        head = self.tr("Batch {n} of {total} ({files} files)").format(
            n=s.number, total=len(self.states), files=len(s.files)
        )
        latest = s.latest
        if s.sent and latest is not None:
            return self.tr("{head}: sent {when}").format(head=head, when=latest.sent_text)
        return self.tr("{head}: not sent yet").format(head=head)

    def _refresh(self, *, first_unsent: bool = False, select: int | None = None) -> None:
        keep = self.batch_choice.currentIndex() if select is None else select - 1
        if first_unsent:
            keep = next((i for i, s in enumerate(self.states) if not s.sent), 0)
        self.batch_choice.blockSignals(True)
        self.batch_choice.clear()
        for s in self.states:
            self.batch_choice.addItem(self._batch_text(s))
        self.batch_choice.setCurrentIndex(max(0, min(keep, len(self.states) - 1)))
        self.batch_choice.blockSignals(False)
        have = self.portal is not None
        if self.portal is None:
            self.folder_label.setText(
                self.tr(
                    "No upload batches yet. Make them with Export… (tick 'Also make batches for a "
                    "police upload link'), or choose the folder they are in."
                )
            )
        else:
            sent = sum(s.sent for s in self.states)
            self.folder_label.setText(
                self.tr("Folder: {path}. {sent} of {total} batches sent.").format(
                    path=str(self.portal.path), sent=sent, total=len(self.states)
                )
            )
            extra = self.portal.too_large
            self.too_large.setText(
                self.tr("Not in any batch, too large for the link: {names}. {advice}").format(
                    names=", ".join(f.name for f in extra), advice=TOO_LARGE_ADVICE
                )
            )
            self.too_large.setVisible(bool(extra))
        for w in (self.batch_choice, self.open_button, self.tick):
            w.setEnabled(have)
        self.change_reference.setVisible(bool(self.reference))
        self._show_batch()

    @Slot()
    def _show_batch(self) -> None:
        state = self._state()
        self.copied_note.hide()
        for button in self.copy_buttons:
            button.deleteLater()
        self.copy_buttons = []
        while self.files_layout.count():
            item = self.files_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        if state is None or self.portal is None:
            self.status.setText("")
            self.tick.setChecked(False)
            return
        self.tick.setText(self.tr("I have &sent batch {n}").format(n=state.number))
        self.tick.setChecked(state.sent)
        self.status.setText(self._status_text(state))
        folder = self.portal.batch_path(state.number)
        for i, f in enumerate(state.files):
            self.files_layout.addWidget(self._file_card(i, f, folder / f.name))
        # Tab reads in the order things are done: the batch, its files' captions, the tick.
        tab_chain(
            self.choose_button,
            self.batch_choice,
            self.open_button,
            self.change_reference,
            *self.copy_buttons,
            self.tick,
            self.close_button,
        )

    def _status_text(self, state: BatchState) -> str:
        lines = []
        latest = state.latest
        if state.sent and latest is not None:
            lines.append(
                self.tr("Sent {when} to {ref} (by {who}).").format(
                    when=latest.sent_text, ref=latest.reference, who=self._who(latest)
                )
            )
        else:
            lines.append(
                self.tr("Not sent yet. Upload these {n} files in one submission.").format(n=len(state.files))
            )
            if self.reference:
                lines.append(
                    self.tr("Ticking it records it as sent now, to {ref}.").format(ref=self.reference)
                )
        if len(state.history) > 1 or (latest is not None and not latest.sent):
            lines.append(self.tr("History:"))
            for r in state.history:
                if r.sent:
                    lines.append(
                        self.tr("{v}. Ticked as sent {when} to {ref} (by {who}).").format(
                            v=r.version, when=r.sent_text, ref=r.reference, who=self._who(r)
                        )
                    )
                else:
                    lines.append(
                        self.tr("{v}. Tick taken back: {reason} (by {who}).").format(
                            v=r.version, reason=r.reason, who=self._who(r)
                        )
                    )
        return "\n".join(lines)

    def _file_card(self, i: int, f: PortalFile, path: Path) -> QFrame:
        card = QFrame(self.files_box)
        card.setObjectName(f"portalFile{i}")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        v = QVBoxLayout(card)
        name = SafeLabel(_breakable(f.name), card, single_line=True, name=f"fileName{i}", wrap=True)
        name.setFont(scaled(name.font(), 1.0, bold=True))
        v.addWidget(name)
        facts = [_size(f.size)]
        try:
            on_disk = path.stat().st_size
        except OSError:
            on_disk = -1
        if f.too_large:
            facts.append(self.tr("TOO LARGE for the link: ask the officer for another way"))
        if on_disk < 0:
            facts.append(self.tr("NOT FOUND in the folder: make the batches again with Export…"))
        elif on_disk != f.size:
            facts.append(self.tr("CHANGED since the export: make the batches again with Export…"))
        v.addWidget(SafeLabel(" · ".join(facts), card, name=f"fileFacts{i}", wrap=True))
        caption = SafeLabel(_breakable(f.caption), card, name=f"fileCaption{i}", wrap=True)
        caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        caption.setAccessibleName(self.tr("Caption of {name}").format(name=f.name))
        v.addWidget(caption)
        button = push_button(
            self.tr("Copy caption"),
            card,
            f"copyCaption{i}",
            self.tr("Copy the caption of {name}").format(name=f.name),
            lambda: self.copy_caption(i),
        )
        self.copy_buttons.append(button)
        v.addLayout(left_row(button))
        return card

    # ------------------------------------------------------------------ acting

    def copy_caption(self, i: int) -> None:
        state = self._state()
        if state is None or not 0 <= i < len(state.files):
            return
        copy_for_a_while(self.session, state.files[i].caption)
        for n, button in enumerate(self.copy_buttons):
            button.setText(self.tr("Copied") if n == i else self.tr("Copy caption"))
        self.copied_note.setText(
            self.tr(
                "Caption copied: paste it into the caption box of {name}. It is cleared from the "
                "clipboard in {s} seconds."
            ).format(name=state.files[i].name, s=CLEAR_AFTER_MS // 1000)
        )
        self.copied_note.show()

    def _ask_reference(self) -> str | None:
        dialog = ReasonDialog(
            self,
            title=self.tr("Which police reference?"),
            prompt=self.tr(
                "The police reference this went to (the crime or incident number in the officer's "
                "message), or the name of the upload link. It is kept with each batch you tick."
            ),
            default=self.reference,
            ok_text=self.tr("Record"),
        )
        dialog.reason_edit.setAccessibleName(self.tr("Police reference"))
        dialog.reason_edit.setMaxLength(200)
        try:
            accepted = dialogs.exec_dialog(dialog) == QDialog.DialogCode.Accepted
            text = dialog.reason()
        finally:
            dialog.deleteLater()
        return text if accepted and text else None

    @Slot()
    def _change_reference(self) -> None:
        ref = self._ask_reference()
        if ref:
            self.reference = ref
            self._show_batch()

    @Slot(bool)
    def _tick_clicked(self, checked: bool) -> None:
        state = self._state()
        if state is None or self.portal is None:
            return
        vault = self.session.require()
        author = vault.acting_author or "victim"
        try:
            if checked:
                ref = self.reference or self._ask_reference()
                if not ref:
                    self.tick.setChecked(False)
                    return
                record = portal_sends.mark_sent(vault, self.portal, state.number, ref, author=author)
                self.reference = ref
            else:
                reason = ask_reason(
                    self,
                    title=self.tr("Not sent after all?"),
                    prompt=self.tr(
                        "The tick stays in your diary's history with your reason, for example "
                        "\u201cthe upload failed\u201d."
                    ),
                    default="",
                    ok_text=self.tr("Take the tick back"),
                )
                if not reason:
                    self.tick.setChecked(True)
                    return
                record = portal_sends.mark_not_sent(vault, self.portal, state.number, reason, author=author)
            self.states = portal_sends.with_record(self.states, record)  # no second read
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            self.tick.setChecked(state.sent)
            return
        if record.sent:
            left = [s.number for s in self.states if not s.sent]
            after = (
                self.tr(" Next: batch {n}.").format(n=left[0]) if left else self.tr(" Every batch is sent.")
            )
            self.done_note.setText(
                self.tr("Batch {n} recorded as sent {when} to {ref}.").format(
                    n=record.batch, when=record.sent_text, ref=record.reference
                )
                + after
            )
            self.done_note.show()
            self._refresh(select=left[0] if left else state.number)
        else:
            self.done_note.hide()
            self._refresh(select=state.number)


def open_portal_send(session: Session, parent: QWidget | None = None, folder: Path | None = None) -> None:
    """Show the window (modal) for ``folder``, else the last batches made or opened."""
    dialogs.open_modal(lambda: PortalSendDialog(session, folder, parent), parent)
