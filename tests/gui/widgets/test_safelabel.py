"""SafeLabel: untrusted text is shown as plain, neutralised text, whatever the call site does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from victim_log.gui.widgets.safelabel import SafeLabel


def test_text_is_neutralised_and_plain(qtbot) -> None:
    label = SafeLabel('<a href="x">call me</a>\u202e\x07')
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == '<a href="x">call me</a>\ufffd'
    label.setText("two\nlines")
    assert label.text() == "two\nlines"


def test_single_line_and_no_rich_text(qtbot) -> None:
    label = SafeLabel("a\nb", single_line=True, name="x", wrap=True)
    qtbot.addWidget(label)
    assert "\n" not in label.text()
    assert label.objectName() == "x" and label.wordWrap()
    with pytest.raises(ValueError, match="plain text only"):
        label.setTextFormat(Qt.TextFormat.RichText)
