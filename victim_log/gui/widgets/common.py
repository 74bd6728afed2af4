"""Small pieces the GUI's dialogs share: background tasks, fonts, labels, sizing, and
the builders for controls every screen makes the same way (a named button, a row of
buttons, a full-window screen's page stack), so that each is set up once.

Why background tasks live here: a dialog can be closed (by the person or by the
lock) while its work still runs, and a QThread destroyed while running aborts the
process, so every task is tracked in one place and waited for at exit.

Every screen imports this module, the first one painted included, so only the Qt
classes that screen uses are imported at the top: Qt for Python builds a class (and
every enum type it has) the first time it is named, and a list view, a date box or a
progress bar costs milliseconds each that the start-up cannot spare (issue 5). The
others are imported by the builders that make them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtCore import Qt
from PySide6.QtCore import QThread
from PySide6.QtCore import QTimer
from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QBoxLayout
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLayout
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QStackedWidget
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...textsafe import plural as plural  # the GUI's modules take it from here
from .i18n import translator

if TYPE_CHECKING:  # imported where they are made (see the module's docstring)
    from datetime import date

    from PySide6.QtWidgets import QDateTimeEdit
    from PySide6.QtWidgets import QDialog
    from PySide6.QtWidgets import QDialogButtonBox
    from PySide6.QtWidgets import QFormLayout
    from PySide6.QtWidgets import QGroupBox
    from PySide6.QtWidgets import QListWidget
    from PySide6.QtWidgets import QListWidgetItem
    from PySide6.QtWidgets import QPlainTextEdit
    from PySide6.QtWidgets import QProgressBar
    from PySide6.QtWidgets import QScrollArea

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_RUNNING: set[BackgroundTask] = set()

_tr = translator("Widgets")

W = TypeVar("W", bound=QWidget)


class BackgroundTask(QThread):
    """Run one function off the GUI thread; ``done(result, error)`` arrives in the GUI thread.

    Why a module-level set of running tasks: a dialog can be closed (by the person or
    by the lock) while its task still runs, and a QThread destroyed while running
    aborts the process. The task keeps itself alive until its thread has ended; a
    receiver that was deleted meanwhile is simply not called.

    Why the function and its outcome are let go only in :meth:`_forget`, on the GUI
    thread: a closure can hold the last reference to a window (``self`` in a lambda),
    and a Qt object freed by the worker thread is deleted there, which Qt does not
    survive (see :mod:`.collector`). ``finished`` comes after ``run`` has returned, so
    nothing the worker held outlives the task except through these two attributes.
    """

    done = Signal(object, object)  # (result, exception or None)

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._fn: Callable[[], Any] | None = fn
        self._outcome: tuple[object, BaseException | None] | None = None
        self.finished.connect(self._forget)

    def run(self) -> None:  # the worker thread
        fn = self._fn
        try:
            self._outcome = (fn() if fn is not None else None, None)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread to show
            self._outcome = (None, exc)
        self.done.emit(*self._outcome)

    @Slot()
    def _forget(self) -> None:
        self._fn = self._outcome = None  # on the GUI thread: see the class docstring
        _RUNNING.discard(self)


def start_task(fn: Callable[[], Any], receiver: Callable[[object, object], None]) -> BackgroundTask:
    """Start ``fn`` on a worker thread; ``receiver(result, error)`` runs in the GUI thread."""
    task = BackgroundTask(fn)
    _RUNNING.add(task)
    task.done.connect(receiver, Qt.ConnectionType.QueuedConnection)
    task.start()
    return task


def tasks_running() -> int:
    return len(_RUNNING)


def wait_for_tasks() -> None:
    """Block until every running task has ended: call before the process exits, since a
    QThread destroyed while it runs aborts the process."""
    for task in list(_RUNNING):
        task.wait()


def one_shot(parent: QObject, slot: Callable[[], object], interval_ms: int = 0) -> QTimer:
    """A single-shot timer owned by ``parent`` that calls ``slot``: started again
    before it fires, it waits its whole interval again (a debounce)."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer


def scaled(base: QFont, factor: float, *, bold: bool = False, mono: bool = False) -> QFont:
    """A font relative to the system's (never a fixed size), optionally fixed-width."""
    font = QFont(base)
    if mono:
        font.setFamilies(["DejaVu Sans Mono", "Liberation Mono", "Monospace"])
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFixedPitch(True)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    elif base.pixelSize() > 0:
        font.setPixelSize(max(6, round(base.pixelSize() * factor)))
    font.setBold(bold)
    return font


def wrapped(text: str = "", parent: QWidget | None = None, *, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


def heading(text: str, parent: QWidget, factor: float = 1.3) -> QLabel:
    """A dialog's or page's title: :func:`wrapped`, bold and ``factor`` times the
    system's size, so it stands out from the text under it."""
    label = wrapped(text, parent)
    label.setFont(scaled(label.font(), factor, bold=True))
    return label


def intro(layout: QBoxLayout, parent: QWidget, title: str, *paragraphs: str) -> None:
    """A dialog's opening in ``layout``: its :func:`heading`, then what it is for in
    plain words, one :func:`wrapped` label a paragraph."""
    layout.addWidget(heading(title, parent))
    for text in paragraphs:
        layout.addWidget(wrapped(text, parent))


def opened(dialog: QDialog, name: str, title: str, *paragraphs: str) -> QVBoxLayout:
    """A dialog's column, begun: its name and title (:func:`name_window`), then its
    :func:`intro` (the title as a heading and what it is for)."""
    name_window(dialog, name, title)
    column = QVBoxLayout(dialog)
    intro(column, dialog, title, *paragraphs)
    return column


def fill_banner(
    bar: QFrame, text_name: str, accessible: str, *buttons: ButtonSpec
) -> tuple[QLabel, list[QPushButton]]:
    """Make ``bar`` a banner across the window (a notice, the support session's): bold
    words that wrap, then its buttons; hidden until there is something to say."""
    bar.setFrameShape(QFrame.Shape.StyledPanel)
    row = QHBoxLayout(bar)
    text = named(wrapped("", bar), text_name, accessible)
    text.setFont(scaled(text.font(), 1.0, bold=True))
    row.addWidget(text, 1)
    made = push_buttons(bar, *buttons)
    for button in made:
        row.addWidget(button)
    bar.hide()
    return text, made


def name_window(window: QWidget, name: str, title: str) -> None:
    """Give a window its object name (tests find it by that) and its title, which is
    also the name a screen reader announces for it."""
    window.setObjectName(name)
    window.setWindowTitle(title)
    window.setAccessibleName(window.windowTitle())


def named(widget: W, name: str, accessible: str = "") -> W:
    """``widget`` with the object name tests find it by and, when given, the name a
    screen reader says for it (a button's text, shortcut marks and all, is often not a
    sentence that makes sense on its own)."""
    widget.setObjectName(name)
    if accessible:
        widget.setAccessibleName(accessible)
    return widget


def push_button(
    text: str, parent: QWidget, name: str, accessible: str, clicked: Callable[[], Any]
) -> QPushButton:
    """A button named for tests and screen readers (see :func:`named`) that runs ``clicked``."""
    button = named(QPushButton(text, parent), name, accessible)
    button.clicked.connect(clicked)
    return button


ButtonSpec = tuple[str, str, str, Callable[[], Any]]


def push_buttons(parent: QWidget, *specs: ButtonSpec) -> list[QPushButton]:
    """Several :func:`push_button` s at once, each spec (text, object name, accessible
    name, what a click does), in the order given."""
    return [push_button(text, parent, name, accessible, slot) for text, name, accessible, slot in specs]


def scroll_area(parent: QWidget, body: QWidget, accessible: str) -> QScrollArea:
    """``body`` in a scroll area that follows the window's width (a form taller than a
    small screen scrolls; its buttons, outside, stay in view)."""
    from PySide6.QtWidgets import QScrollArea

    scroll = QScrollArea(parent)
    scroll.setAccessibleName(accessible)
    scroll.setWidgetResizable(True)
    scroll.setWidget(body)
    return scroll


def line_edit(parent: QWidget, name: str, accessible: str, placeholder: str = "") -> QLineEdit:
    """A one-line text box named for tests (``name``) and screen readers (``accessible``)."""
    edit = named(QLineEdit(parent), name, accessible)
    edit.setPlaceholderText(placeholder)
    return edit


def secret_line(
    parent: QWidget, name: str, accessible: str, entered: Callable[[], Any] | None = None
) -> QLineEdit:
    """A :func:`line_edit` for a passphrase or a key: what is typed shows as dots (someone
    may be looking over the person's shoulder), and Enter runs ``entered`` when given."""
    edit = line_edit(parent, name, accessible)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    if entered is not None:
        edit.returnPressed.connect(entered)
    return edit


DT = TypeVar("DT", bound="QDateTimeEdit")

DAY_FORMAT = "d MMM yyyy"
DAY_TIME_FORMAT = "ddd d MMM yyyy HH:mm"


def calendar_picker(edit: DT, name: str, accessible: str, display: str = DAY_TIME_FORMAT) -> DT:
    """``edit`` (a date or date-and-time box) named, with a calendar to pick from and
    dates shown with the month's name ("Tue 3 Mar 2026"), never as ambiguous numbers."""
    named(edit, name, accessible)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(display)
    return edit


def _form_parent(form: QFormLayout) -> QWidget:
    parent = form.parentWidget()
    if parent is None:
        raise ValueError("the form layout must be set on a widget first")
    return parent


def form_line(form: QFormLayout, label: str, name: str, accessible: str, placeholder: str = "") -> QLineEdit:
    """A :func:`line_edit` added to ``form`` (already set on its widget) as a row
    labelled ``label``."""
    edit = line_edit(_form_parent(form), name, accessible, placeholder)
    form.addRow(label, edit)
    return edit


def form_group(parent: QWidget, title: str) -> tuple[QGroupBox, QFormLayout]:
    """A titled group of labelled rows (a part of a long form)."""
    from PySide6.QtWidgets import QFormLayout
    from PySide6.QtWidgets import QGroupBox

    box = QGroupBox(title, parent)
    return box, QFormLayout(box)


def form_text(
    form: QFormLayout, label: str, name: str, accessible: str, lines: int, placeholder: str = ""
) -> QPlainTextEdit:
    """A :func:`plain_edit` named ``name`` added to ``form`` (already set on its widget) as
    a row labelled ``label``."""
    edit = plain_edit(_form_parent(form), accessible, lines, placeholder)
    edit.setObjectName(name)
    form.addRow(label, edit)
    return edit


#: A text row of a form, in English (translated as it is built): the label, the object
#: name tests find it by, the name a screen reader says, and the example shown while empty.
RowSpec = tuple[str, str, str, str]


def spec_line(form: QFormLayout, tr: Callable[[str], str], spec: RowSpec) -> QLineEdit:
    """:func:`form_line` from a :data:`RowSpec`, translated with ``tr``."""
    label, name, accessible, hint = spec
    return form_line(form, tr(label), name, tr(accessible), tr(hint) if hint else "")


def spec_text(form: QFormLayout, tr: Callable[[str], str], spec: RowSpec, lines: int) -> QPlainTextEdit:
    """:func:`form_text` from a :data:`RowSpec`, ``lines`` high, translated with ``tr``."""
    label, name, accessible, hint = spec
    return form_text(form, tr(label), name, tr(accessible), lines, tr(hint) if hint else "")


def boxed_text(
    parent: QWidget, title: str, name: str, accessible: str, lines: int, placeholder: str = ""
) -> tuple[QGroupBox, QVBoxLayout, QPlainTextEdit]:
    """A titled group holding one :func:`plain_edit` named ``name``; its layout is
    returned too, for anything else the group should hold."""
    from PySide6.QtWidgets import QGroupBox

    box = QGroupBox(title, parent)
    layout = QVBoxLayout(box)
    edit = plain_edit(box, accessible, lines, placeholder)
    edit.setObjectName(name)
    layout.addWidget(edit)
    return box, layout, edit


def key_readout(parent: QWidget, name: str, factor: float) -> QLabel:
    """Where a signing key's read-out form goes: large, fixed-width (so 0 and O, 1 and l
    stay apart) and selectable, because one person reads it aloud to another over the
    phone to check that a bundle was signed by the key they expect."""
    label = named(QLabel("", parent), name, _tr("Signing key, read-out form"))
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(scaled(label.font(), factor, bold=True, mono=True))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def left_row(*widgets: QWidget) -> QHBoxLayout:
    """``widgets`` side by side from the left, the rest of the width left empty (a
    screen's buttons stay together under the text they act on)."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


def centred_pages(screen: QWidget, share: int) -> QStackedWidget:
    """The pages of a full-window screen (first run, unlock), centred across and a little
    above the middle, as wide as ``share`` parts against one part of margin each side.

    A narrow column is easier to read than text across a whole window, and the screen
    looks the same however large the window is.
    """
    pages = QStackedWidget(screen)
    outer = QVBoxLayout(screen)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(pages, share)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return pages


def resize_on_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, but never larger than the screen it is
    on leaves room for (a 1024x600 netbook, large text): its buttons stay in view."""
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, int(room.width() * 0.95))
        height = min(height, int(room.height() * 0.9))
    window.resize(width, height)


def fit_to_text(window: QWidget, width: int | None = None) -> None:
    """Resize ``window`` so word-wrapped labels get all the lines they need.

    Qt sizes a window from its layout's size hint, which guesses one line per
    wrapped label; asking the layout for its height at the actual width is exact.
    Call it again when a wrapped label appears or changes.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    w = width or max(window.width(), window.sizeHint().width())
    h = window.heightForWidth(w) if window.hasHeightForWidth() else window.sizeHint().height()
    window.resize(w, max(h, window.minimumSizeHint().height()))


def stack(layout: QBoxLayout, *parts: QWidget | QLayout | tuple[QWidget, int]) -> QBoxLayout:
    """Add ``parts`` to ``layout`` in order (a widget with a stretch factor as a pair)."""
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        elif isinstance(part, tuple):
            layout.addWidget(part[0], part[1])
        else:
            layout.addWidget(part)
    return layout


def tab_chain(*widgets: QWidget) -> None:
    """Tab goes through ``widgets`` in this order (the order a person reads them in)."""
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)


def check_item(view: QListWidget, text: str, data: object, checked: bool) -> QListWidgetItem:
    """A row of ``view`` with a tick box, carrying ``data`` (Qt's user role)."""
    from PySide6.QtWidgets import QListWidgetItem

    item = QListWidgetItem(text, view)
    item.setData(Qt.ItemDataRole.UserRole, data)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    return item


def plain_edit(parent: QWidget, name: str, lines: int = 4, placeholder: str = "") -> QPlainTextEdit:
    """A multi-line text box ``lines`` high, named for screen readers, that Tab leaves
    (keyboard users are never trapped in it)."""
    from PySide6.QtWidgets import QPlainTextEdit

    edit = QPlainTextEdit(parent)
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setFixedHeight(parent.fontMetrics().height() * lines + 12)
    return edit


def text_lines(edit: QPlainTextEdit) -> tuple[str, ...]:
    """The non-empty lines of a one-per-line box (numbers, aliases, conditions), trimmed."""
    return tuple(line.strip() for line in edit.toPlainText().splitlines() if line.strip())


def save_cancel_buttons(
    dialog: QDialog, save_name: str, on_save: Callable[[], Any]
) -> tuple[QDialogButtonBox, QPushButton]:
    """Save and Cancel for a form dialog: Save runs ``on_save`` (which accepts the
    dialog once it has saved), Cancel rejects it. Returns the box and its Save button."""
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    save = box.button(QDialogButtonBox.StandardButton.Save)
    save.setObjectName(save_name)
    save.setAccessibleName(dialog.tr("Save"))
    box.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(dialog.tr("Cancel"))
    box.accepted.connect(on_save)
    box.rejected.connect(dialog.reject)
    return box, save


def action_row(
    parent: QWidget, dismiss: tuple[str, str, Callable[[], Any]], primary: tuple[str, str, Callable[[], Any]]
) -> tuple[QHBoxLayout, QPushButton, QPushButton]:
    """The dialogs' closing row: a way out, then the one action (the default), right-aligned.

    Each of ``dismiss`` and ``primary`` is (text, object name, what a click does).
    """
    row = QHBoxLayout()
    row.addStretch(1)
    made = []
    for text, name, slot in (dismiss, primary):
        button = QPushButton(text, parent)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        made.append(button)
    made[1].setDefault(True)
    return row, made[0], made[1]


def busy_bar(parent: QWidget | None = None) -> QProgressBar:
    """An indeterminate progress bar: the app is working, not stuck."""
    from PySide6.QtWidgets import QProgressBar

    bar = QProgressBar(parent)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setAccessibleName("Working")
    return bar


def day_text(value: str | date) -> str:
    """``2026-06-01`` as ``1 Jun 2026``; unparsable text is returned as it is."""
    from datetime import date  # not needed to paint the first screen

    if isinstance(value, date):
        d = value
    else:
        try:
            d = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def dispose(widget: QObject) -> None:
    """Delete a dialog now: it held diary text (names, counts) we should not keep."""
    if not shiboken6.isValid(widget):
        return
    if isinstance(widget, QWidget):
        widget.hide()
    shiboken6.delete(widget)


def file_icon_list(parent: QWidget, name: str, accessible_name: str) -> QListWidget:
    """Files shown as thumbnails that wrap, with long names elided in the middle
    (where a name's distinguishing part and its extension both stay visible)."""
    from PySide6.QtWidgets import QListView
    from PySide6.QtWidgets import QListWidget

    files = QListWidget(parent)
    files.setObjectName(name)
    files.setAccessibleName(accessible_name)
    files.setViewMode(QListView.ViewMode.IconMode)
    files.setMovement(QListView.Movement.Static)
    files.setResizeMode(QListView.ResizeMode.Adjust)
    files.setWrapping(True)
    files.setWordWrap(True)
    files.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    return files


def line_height(widget: QWidget) -> int:
    return widget.fontMetrics().height()


def size_text(n: int) -> str:
    """A file's size for people: '12 bytes', '2.0 KB', '5.0 MB'."""
    if n < 1024:
        return f"{n} bytes"
    value = n / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"  # pragma: no cover - the loop always returns
