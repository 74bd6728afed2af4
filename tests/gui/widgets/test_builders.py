"""The shared form builders in gui/widgets/common.py: each sets a control up once, the
same way everywhere (named for tests and screen readers, dates with the month's name)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtCore import QDateTime
from PySide6.QtCore import Qt
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QDateEdit
from PySide6.QtWidgets import QDateTimeEdit
from PySide6.QtWidgets import QWidget

from victim_log.gui.widgets import common


def test_builders_name_every_control(qtbot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    clicked: list[str] = []
    a, b = common.push_buttons(
        root,
        ("&One", "one", "The first", lambda: clicked.append("one")),
        ("&Two", "two", "The second", lambda: clicked.append("two")),
    )
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    assert clicked == ["two"]
    assert (a.objectName(), a.accessibleName(), b.accessibleName()) == ("one", "The first", "The second")

    group, form = common.form_group(root, "Police")
    edit = common.form_text(form, "&Notes", "notes", "Police notes", 3, "anything")
    line = common.line_edit(group, "ref", "Reference", "e.g. EX/1")
    form.addRow("Ref", line)
    assert form.rowCount() == 2 and edit.objectName() == "notes" and edit.tabChangesFocus()
    assert (line.objectName(), line.accessibleName(), line.placeholderText()) == (
        "ref",
        "Reference",
        "e.g. EX/1",
    )

    box, layout, text = common.boxed_text(root, "Effect", "effect", "Effect in my words", 2)
    assert (
        box.title() == "Effect"
        and layout.indexOf(text) == 0
        and text.accessibleName() == "Effect in my words"
    )

    scroll = common.scroll_area(root, box, "All of it")
    assert scroll.widget() is box and scroll.widgetResizable() and scroll.accessibleName() == "All of it"


def test_calendar_picker_shows_month_names(qtbot) -> None:
    when = common.calendar_picker(QDateTimeEdit(), "when", "When it happened")
    when.setDateTime(QDateTime(QDate(2026, 3, 4), QTime(21, 30)))
    day = common.calendar_picker(QDateEdit(QDate(2026, 3, 4)), "day", "Day", common.DAY_FORMAT)
    for w in (when, day):
        qtbot.addWidget(w)
        assert w.calendarPopup()
    assert when.text() == "Wed 4 Mar 2026 21:30"  # never "4/3/2026", which reads two ways
    assert day.text() == "4 Mar 2026"
    assert (when.objectName(), when.accessibleName()) == ("when", "When it happened")


def test_rows_from_specs_tab_chain_and_ticked_rows(qtbot) -> None:
    from PySide6.QtWidgets import QListWidget
    from PySide6.QtWidgets import QVBoxLayout

    from tests.gui.conftest import show_active

    root = QWidget()
    qtbot.addWidget(root)
    group, form = common.form_group(root, "Police")
    said: list[str] = []

    def tr(text: str) -> str:
        said.append(text)
        return text.upper()

    line = common.spec_line(form, tr, ("&Ref", "ref", "Reference", ""))
    text = common.spec_text(form, tr, ("&Notes", "notes", "Notes", "anything"), 2)
    assert (line.parentWidget(), text.parentWidget()) == (group, group)
    assert (line.accessibleName(), line.placeholderText(), text.placeholderText()) == (
        "REFERENCE",
        "",
        "ANYTHING",
    )
    assert said == ["&Ref", "Reference", "&Notes", "Notes", "anything"]  # nothing empty is translated
    ticks = QListWidget(root)
    item = common.check_item(ticks, "Dan Marsh", 7, True)
    assert item.data(Qt.ItemDataRole.UserRole) == 7 and item.checkState() == Qt.CheckState.Checked
    common.stack(QVBoxLayout(root), group, (ticks, 1))
    common.tab_chain(text, ticks, line)
    show_active(qtbot, root)
    text.setFocus()
    qtbot.keyClick(text, Qt.Key.Key_Tab)
    assert ticks.hasFocus()
    qtbot.keyClick(ticks, Qt.Key.Key_Tab)
    assert line.hasFocus()
