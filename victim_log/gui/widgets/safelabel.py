"""A label that can only show plain text: the safety is in the type, not in each call.

Text from the diary, from a file being imported or from a received bundle is
untrusted: as rich text it could draw links or pictures, and control or bidi
characters could disguise what it says. :class:`SafeLabel` always shows plain text
and passes everything it is given through :func:`~victim_log.textsafe.display_safe`,
so a call site cannot forget to.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QWidget

from ...textsafe import display_safe


class SafeLabel(QLabel):
    """A QLabel for untrusted text; ``single_line`` also turns line breaks into spaces."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        single_line: bool = False,
        name: str = "",
        wrap: bool = False,
    ) -> None:
        super().__init__(parent)
        self._single_line = single_line
        super().setTextFormat(Qt.TextFormat.PlainText)
        if name:
            self.setObjectName(name)
        self.setWordWrap(wrap)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        super().setText(display_safe(text, single_line=self._single_line))

    def setTextFormat(self, fmt: Qt.TextFormat) -> None:  # noqa: N802 - Qt name
        """Only plain text: asking for rich or Markdown text is a programming error."""
        if fmt != Qt.TextFormat.PlainText:
            raise ValueError("a SafeLabel shows plain text only")
        super().setTextFormat(fmt)
