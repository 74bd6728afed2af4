"""File → Receive from phone…: the Tella Nearby Sharing receiver while this window is
open (issue #22).

Opening the window starts the HTTPS receiver (:class:`victim_log.receive.Receiver`) on
this computer's local network address; closing it, in any way (Close, Esc, the lock,
quick exit), stops it, and the port is closed before the window is gone. The window
shows the QR code the phone scans (address, port, certificate hash, PIN) and the same
details to type by hand, with the certificate hash in groups of four to compare with
the phone's screen. When the phone offers files, their names and sizes are listed
and nothing is received until the person ticks which to take. Each file is streamed
into the encrypted evidence store and kept only if the SHA-256 the phone declared is
the one that arrived.

Events come from the receiver's connection threads; a queued signal brings them to
this window's thread.
"""

from __future__ import annotations

import functools
import io
import json
import weakref

import segno
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtGui import QIcon
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QButtonGroup
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QGroupBox
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QProgressBar
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...receive import DEFAULT_PORT
from ...receive import Destination
from ...receive import Event
from ...receive import Receiver
from ...receive import Summary
from ...textsafe import display_safe
from ..shell.fitting import fit_to_screen
from ..shell.fitting import scrolling_form
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.common import intro
from ..widgets.common import name_window
from ..widgets.common import named
from ..widgets.common import push_button
from ..widgets.common import push_buttons
from ..widgets.common import scaled
from ..widgets.common import size_text
from ..widgets.common import wrapped

QR_SCALE = 5


def qr_pixmap(text: str) -> QPixmap:
    """The QR code of ``text`` as a picture, made in memory."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=QR_SCALE, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


def _stop_if_alive(ref: weakref.ref[Receiver]) -> None:
    receiver = ref()
    if receiver is not None:
        receiver.stop()


#: Where the window's receiver listens: the local network addresses (None) on the
#: protocol's port, as a phone expects. Tests and the screenshot script set
#: ``("127.0.0.1", 0)`` (loopback, a free port) and never listen anywhere else; the
#: app itself has no other setting, so no option can open it to other addresses.
LISTEN_AT: tuple[str | None, int] = (None, DEFAULT_PORT)


class ReceiveDialog(QDialog):
    """The receiver's window; it listens at :data:`LISTEN_AT` while it is open."""

    event_arrived = Signal(object)  # Event, from a connection thread

    def __init__(
        self, session: Session, parent: QWidget | None = None, *, attach_to: int | None = None
    ) -> None:
        super().__init__(parent)
        name_window(self, "receiveDialog", self.tr("Receive from your phone"))
        self.setModal(True)
        self.session = session
        vault = session.require()
        self.attach_to = attach_to
        self.summary: Summary | None = None
        self.event_arrived.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        listen, port = LISTEN_AT
        self.receiver = Receiver(vault, listen=listen, port=port, listener=self.event_arrived.emit)
        self.receiver.start()  # BadInput (no network, port in use) reaches open_modal calmly
        session.register_wipe(functools.partial(_stop_if_alive, weakref.ref(self.receiver)))
        self.finished.connect(self.stop_receiver)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        intro(
            layout,
            self,
            self.tr("Send files from Tella on your phone"),
            self.tr(
                "On the phone, open Tella, choose Nearby Sharing and scan this code. The phone "
                "and this computer must be on the same Wi-Fi. Nothing is received until you "
                "accept the files here, and this computer listens only while this window is open."
            ),
        )
        top = QHBoxLayout()
        self.qr = named(QLabel(self), "receiveQr", self.tr("QR code for the phone to scan"))
        code = qr_pixmap(_payload_text(self.receiver))
        self.qr.setPixmap(code)
        self.qr.setFixedSize(code.size())  # never squeezed: a cut-off code does not scan
        top.addWidget(self.qr)
        details = QGroupBox(self.tr("Or type these on the phone"), self)
        form = QFormLayout(details)
        mono = scaled(self.font(), 1.0, mono=True)
        self.address_label = self._value(form, self.tr("IP address"), self.receiver.address, "receiveAddress")
        self.port_label = self._value(form, self.tr("Port"), str(self.receiver.port), "receivePort")
        self.pin_label = self._value(form, self.tr("PIN"), self.receiver.pin, "receivePin")
        self.pin_label.setFont(scaled(self.font(), 1.6, bold=True, mono=True))
        self.hash_label = named(
            wrapped(self.receiver.grouped_hash, details), "receiveHash", self.tr("Certificate hash")
        )
        self.hash_label.setFont(mono)
        self.hash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(wrapped(self.tr("The phone must show this same sequence:"), details))
        form.addRow(self.hash_label)
        top.addWidget(details, 1)
        layout.addLayout(top)

        where = QGroupBox(self.tr("What to do with the files"), self)
        where_layout = QVBoxLayout(where)
        self.where_group = QButtonGroup(self)
        self.keep_only = self._choice(where, where_layout, self.tr("Keep them as evidence"), "receiveKeep")
        self.make_entry = self._choice(
            where, where_layout, self.tr("Make one entry for them, titled as on the phone"), "receiveEntry"
        )
        self.attach = self._choice(
            where, where_layout, self.tr("Attach them to the selected entry"), "receiveAttach"
        )
        self.attach.setVisible(attach_to is not None)
        (self.attach if attach_to is not None else self.keep_only).setChecked(True)
        self.where_group.buttonToggled.connect(self._destination_changed)
        self._destination_changed()
        layout.addWidget(where)

        self.status = wrapped(self.tr("Waiting for the phone…"), self, name="receiveStatus")
        layout.addWidget(self.status)

        self.offer_box = QGroupBox(self.tr("The phone offers these files"), self)
        offer_layout = QVBoxLayout(self.offer_box)
        self.offer_title = wrapped("", self.offer_box, name="receiveOfferTitle")
        offer_layout.addWidget(self.offer_title)
        self.offer_list = named(QListWidget(self.offer_box), "receiveOffer", self.tr("Files offered"))
        offer_layout.addWidget(self.offer_list)
        refuse, accept = self.tr("Refuse them"), self.tr("Receive the ticked files")
        self.refuse_button, self.accept_button = push_buttons(
            self,
            (refuse, "receiveRefuse", refuse, self.refuse),
            (accept, "receiveAccept", accept, self.accept_ticked),
        )
        self.offer_box.hide()
        layout.addWidget(self.offer_box)

        self.progress = named(QProgressBar(self), "receiveProgress", self.tr("Receiving"))
        self.progress.setRange(0, 1000)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.results = named(QListWidget(self), "receiveResults", self.tr("Files received and refused"))
        self.results.hide()
        layout.addWidget(self.results)

        # The answer to the phone and the way out stay below the scrolling body, always in view.
        close_row = QHBoxLayout()
        self.close_button = push_button(
            self.tr("Stop and close"), self, "closeButton", self.tr("Stop and close"), self.reject
        )
        close_row.addWidget(self.close_button)
        close_row.addStretch(1)
        close_row.addWidget(self.refuse_button)
        close_row.addWidget(self.accept_button)
        self._show_answer(False)
        scroll = scrolling_form(self, body, close_row)  # a short screen scrolls the body
        scroll.setAccessibleName(self.tr("Receive from your phone"))
        self.resize(self.fontMetrics().averageCharWidth() * 100, self.height())
        fit_to_screen(self)

    def _show_answer(self, shown: bool) -> None:
        self.accept_button.setVisible(shown)
        self.refuse_button.setVisible(shown)

    def _value(self, form: QFormLayout, label: str, value: str, name: str) -> QLabel:
        shown = named(QLabel(value, self), name, label)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(label, shown)
        return shown

    def _choice(self, parent: QWidget, layout: QVBoxLayout, text: str, name: str) -> QRadioButton:
        button = named(QRadioButton(text, parent), name, text)
        self.where_group.addButton(button)
        layout.addWidget(button)
        return button

    @Slot()
    def _destination_changed(self) -> None:
        if self.attach.isChecked() and self.attach_to is not None:
            destination = Destination(attach_to=self.attach_to)
        else:
            destination = Destination(make_entry=self.make_entry.isChecked())
        self.receiver.session.destination = destination

    # ------------------------------------------------------------------ the offer

    @Slot()
    def accept_ticked(self) -> None:
        ids = [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.offer_list.item(i) for i in range(self.offer_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]
        self.receiver.session.answer(ids)
        self.offer_box.hide()
        self._show_answer(False)
        for button in self.where_group.buttons():
            button.setEnabled(False)  # the files are being recorded this way now
        self.status.setText(
            self.tr("Receiving %n file(s)…", "", len(ids)) if ids else self.tr("You refused the files.")
        )

    @Slot()
    def refuse(self) -> None:
        self.receiver.session.answer(None)
        self.offer_box.hide()
        self._show_answer(False)
        self.status.setText(self.tr("You refused the files. The phone has been told."))

    # ------------------------------------------------------------------ events

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        kind = event.kind
        if kind == "ping":
            self.status.setText(self.tr("A phone is connecting. Check that it shows the same sequence."))
        elif kind == "registered":
            self.status.setText(self.tr("The phone connected with the right PIN."))
        elif kind == "wrong_pin":
            self.status.setText(
                self.tr("A wrong PIN was typed. Tries left: %1.").replace("%1", str(event.attempts_left))
            )
        elif kind == "offer" and event.offer is not None:
            self._show_offer(event)
        elif kind == "progress" and event.total:
            self.progress.show()
            self.progress.setValue(int(1000 * event.done / event.total))
        elif kind == "received" and event.received is not None:
            r = event.received
            self._result(
                self.tr("Stored as evidence %1: %2 (%3), checked against the phone's SHA-256")
                .replace("%1", str(r.evidence_id))
                .replace("%2", display_safe(r.name, single_line=True))
                .replace("%3", size_text(r.size))
            )
        elif kind == "refused" and event.refused is not None:
            f = event.refused
            self._result(
                self.tr("Refused, nothing of it kept: %1 (%2)")
                .replace("%1", display_safe(f.name, single_line=True))
                .replace("%2", f.reason)
            )
        elif kind == "ended" and event.summary is not None:
            self._ended(event.summary)

    def _show_offer(self, event: Event) -> None:
        offer = event.offer
        assert offer is not None
        self.offer_list.clear()
        title = display_safe(offer.title, single_line=True) or self.tr("(no title)")
        self.offer_title.setText(
            self.tr("“%1”: %n file(s), %2 in all", "", len(offer.files))
            .replace("%1", title)
            .replace("%2", size_text(offer.total))
        )
        for f in offer.files:
            item = QListWidgetItem(f"{display_safe(f.name, single_line=True)}  ({size_text(f.size)})")
            item.setData(Qt.ItemDataRole.UserRole, f.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            if f.thumbnail:
                thumb = QPixmap()
                if thumb.loadFromData(f.thumbnail):
                    item.setIcon(QIcon(thumb))
            self.offer_list.addItem(item)
        self.offer_box.show()
        self._show_answer(True)
        self.accept_button.setDefault(True)
        self.status.setText(self.tr("Choose which files to receive."))
        fit_to_screen(self)  # the window grows to show the list, as far as the screen allows

    def _result(self, text: str) -> None:
        if self.results.isHidden():
            self.results.show()
            fit_to_screen(self)
        self.results.addItem(text)

    def _ended(self, summary: Summary) -> None:
        self.summary = summary
        self.offer_box.hide()
        self._show_answer(False)
        self.progress.hide()
        words = {
            "closed": self.tr("The phone has finished."),
            "timeout": self.tr("The time limit was reached."),
            "too_many_pins": self.tr("Three wrong PINs were typed, so the receiver stopped."),
            "stopped": self.tr("The receiver stopped."),
        }
        text = words.get(summary.reason, self.tr("The receiver stopped."))
        text += " " + self.tr("%n file(s) stored.", "", len(summary.received))
        if summary.incident_id is not None and summary.received:
            text += " " + self.tr("Entry %1 cites them.").replace("%1", str(summary.incident_id))
        if summary.note:
            text += " " + summary.note
        self.status.setText(text + " " + self.tr("This computer is no longer listening."))
        self.close_button.setText(self.tr("Close"))

    @Slot()
    def stop_receiver(self) -> None:
        """Stop listening now (idempotent): every way this window closes comes here."""
        self.summary = self.receiver.stop()


def _payload_text(receiver: Receiver) -> str:
    return json.dumps(receiver.payload)


def open_receive_dialog(
    session: Session, parent: QWidget | None = None, attach_to: int | None = None
) -> None:
    """Show the receiver (modal); it listens only while open."""
    dialogs.open_modal(lambda: ReceiveDialog(session, parent, attach_to=attach_to), parent)
