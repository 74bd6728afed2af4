"""Every kind by keyboard (#18.1), with real key presses, in the quick log and the editor:
the grid is one Tab stop, arrows/Home/End reach every kind, Space and the key shown on
each kind choose it, Alt+number works while typing; Threat, Violence, Order breach first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from victim_log.gui.diary.editor import IncidentEditor
from victim_log.gui.diary.kindpicker import KIND_KEYS
from victim_log.gui.diary.kindpicker import KIND_ORDER
from victim_log.gui.diary.kindpicker import KindPicker
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.shell.session import Session
from victim_log.model import KINDS

from .test_editor import editor_for

ALT = Qt.KeyboardModifier.AltModifier


def focused_kind(picker: KindPicker) -> str:
    widget = QApplication.focusWidget()
    return next(k for k, b in picker.buttons.items() if b is widget)


def walk_with_arrows(qtbot, picker: KindPicker) -> list[str]:
    seen = [focused_kind(picker)]
    for _ in range(len(KIND_ORDER) + 2):  # and two more: the end stays the end
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
        seen.append(focused_kind(picker))
    return list(dict.fromkeys(seen))


def test_order_keys_and_labels() -> None:
    assert KIND_ORDER[:3] == ("threat", "violence", "order_breach")
    assert sorted(KIND_ORDER) == sorted(KINDS)
    keys = [KIND_KEYS[k] for k in KIND_ORDER]
    assert keys[:9] == [str(n) for n in range(1, 10)] and len(set(keys)) == len(keys)


def test_every_kind_by_keyboard_in_the_quick_log(qtbot, quick: QuickLogDialog) -> None:  # noqa: F811
    picker = quick.kinds
    assert [b.text() for b in picker.buttons.values()][:3] == ["1  Threat", "2  Violence", "3  Order breach"]
    # Shift+Tab from the text box enters the grid on its first kind; one Tab leaves it.
    assert quick.text.hasFocus()
    qtbot.keyClick(quick.text, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_kind(picker) == "threat"
    assert walk_with_arrows(qtbot, picker) == list(KIND_ORDER)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Home)
    assert focused_kind(picker) == "threat"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)  # six a row in the quick log
    assert focused_kind(picker) == KIND_ORDER[6]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert picker.kinds() == (KIND_ORDER[6],)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert quick.text.hasFocus()
    # Coming back lands on the kind last visited.
    qtbot.keyClick(quick.text, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused_kind(picker) == KIND_ORDER[6]

    # The key shown on each kind turns it on (and off again) while the grid has the focus.
    for kind in KIND_ORDER:
        qtbot.keyClicks(QApplication.focusWidget(), KIND_KEYS[kind].lower())
        assert focused_kind(picker) == kind
    assert set(picker.kinds()) == set(KINDS) - {KIND_ORDER[6]}
    assert picker.buttons["threat"].text().startswith("\u2713")
    qtbot.keyClicks(QApplication.focusWidget(), "1")
    assert "threat" not in picker.kinds()


def test_alt_number_while_typing(qtbot, quick: QuickLogDialog) -> None:  # noqa: F811
    qtbot.keyClicks(quick.text, "He said he would hurt me")
    qtbot.keyClick(quick.text, Qt.Key.Key_1, ALT)
    qtbot.keyClick(quick.text, Qt.Key.Key_3, ALT)
    assert quick.kinds.kinds() == ("threat", "order_breach")
    assert quick.text.hasFocus() and quick.text.toPlainText() == "He said he would hurt me"
    qtbot.keyClick(quick.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    saved = quick.session.require().get_incident(quick.saved_id or 0)
    assert saved.data.kinds == ("threat", "order_breach")


def test_every_kind_by_keyboard_in_the_editor(qtbot, session: Session) -> None:
    editor: IncidentEditor = editor_for(qtbot, session)
    picker = editor.kinds
    assert editor.summary.hasFocus()
    qtbot.keyClick(editor.summary, Qt.Key.Key_Tab)
    assert focused_kind(picker) == "threat"  # right after the summary
    assert walk_with_arrows(qtbot, picker) == list(KIND_ORDER)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)  # four a row in the editor
    assert focused_kind(picker) == KIND_ORDER[-5]
    qtbot.keyClicks(QApplication.focusWidget(), "2")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert editor.details.hasFocus()
    qtbot.keyClick(editor.details, Qt.Key.Key_3, ALT)
    assert editor.incident_data().kinds == ("violence", "order_breach")
