"""The Help panel: who to call, and what to write down.

Always one click (or F1) away, locked or not. The numbers are data
(``resources/helplines.json``, UK defaults); the person's own list, which may name
their caseworker, is a vault setting and so is shown only while unlocked.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QScrollArea
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...resources import resource_path

if TYPE_CHECKING:  # loaded after the first screen is painted (start-up time)
    from ...vault import Vault

HELPLINES_SETTING = "helplines"
MAX_HELPLINES = 30


@dataclass(frozen=True)
class Helpline:
    name: str
    number: str
    note: str = ""


def _clean(value: object, limit: int) -> str:
    text = value if isinstance(value, str) else ""
    # One line each, no control characters: these are shown as plain text.
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text.strip()[:limit]


def parse_helplines(raw: object) -> list[Helpline]:
    """Helplines from decoded JSON (a list of {name, number, note}); bad rows skipped."""
    if isinstance(raw, dict):
        raw = raw.get("helplines", [])
    if not isinstance(raw, list):
        return []
    out = []
    for row in raw[:MAX_HELPLINES]:
        if not isinstance(row, dict):
            continue
        name, number = _clean(row.get("name"), 120), _clean(row.get("number"), 40)
        if name and number:
            out.append(Helpline(name, number, _clean(row.get("note"), 300)))
    return out


def default_helplines() -> list[Helpline]:
    return list(_default_helplines())


@functools.cache
def _default_helplines() -> tuple[Helpline, ...]:
    with open(resource_path("helplines.json"), encoding="utf-8") as fh:
        return tuple(parse_helplines(json.load(fh)))


def helplines_to_json(helplines: list[Helpline]) -> str:
    return json.dumps(
        [{"name": h.name, "number": h.number, "note": h.note} for h in helplines], ensure_ascii=False
    )


def helplines_for(vault: Vault | None) -> list[Helpline]:
    """The person's list if they saved one (and the vault is open), else the defaults."""
    if vault is not None and vault.is_open:
        stored = vault.get_setting(HELPLINES_SETTING)
        if stored:
            try:
                mine = parse_helplines(json.loads(stored))
            except ValueError:
                mine = []
            if mine:
                return mine
    return default_helplines()


def device_safety() -> list[str]:
    """A computer can be monitored too (#22): said plainly, with where to get help
    checking, without the app ever going online itself. Shown in help and once on the
    first run's last page."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("HelpPanel", text)

    return [
        tr(
            "Someone who has had your phone or computer may be able to see what you do on "
            "it: a mirroring or 'find my' app, an account you share, or a hidden tracking "
            "app (stalkerware). This diary is locked, but what is on your screen while it "
            "is open, and what you copy, can be seen by such an app."
        ),
        tr(
            "If you think this is happening, get advice before you remove anything: "
            "removing an app can alert the person who put it there, and it may be evidence. "
            "The National Stalking Helpline (0808 802 0300) can advise; the Coalition "
            "Against Stalkerware (stopstalkerware.org) and Refuge's tech safety pages "
            "(refugetechsafety.org) explain how to check, ideally from another device."
        ),
    ]


class HelpPanel(QScrollArea):
    """Numbers first (big, selectable), then short guidance on what to record."""

    def __init__(self, parent: QWidget | None = None, helplines: list[Helpline] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpPanel")
        self.setAccessibleName(self.tr("Help"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 34)
        self._body = QWidget(self)
        self._layout = QVBoxLayout(self._body)
        self.setWidget(self._body)
        self._shown: list[Helpline] | None = None
        self.show_helplines(default_helplines() if helplines is None else helplines)

    @property
    def shown(self) -> list[Helpline]:
        return list(self._shown or [])

    def show_helplines(self, helplines: list[Helpline]) -> None:
        if helplines == self._shown:
            return  # building labels is slow; a lock must not wait for it needlessly
        self._shown = list(helplines)
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # Now, not later: the old list may be the person's own numbers.
                shiboken6.delete(widget)
        heading_font = QFont(self.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.25)
        heading_font.setBold(True)
        number_font = QFont(self.font())
        number_font.setPointSizeF(number_font.pointSizeF() * 1.4)
        number_font.setBold(True)

        def label(text: str, font: QFont | None = None, name: str = "") -> QLabel:
            w = QLabel(text, self._body)
            w.setWordWrap(True)
            w.setTextFormat(Qt.TextFormat.PlainText)
            w.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            w.setAccessibleName(name or text)
            if font is not None:
                w.setFont(font)
            self._layout.addWidget(w)
            return w

        name_font = QFont(self.font())
        name_font.setBold(True)
        label(self.tr("If you are in danger now, call 999."), heading_font)
        for h in helplines:
            self._layout.addSpacing(8)
            label(h.name, name_font, name=h.name).setObjectName("helplineName")
            label(h.number, number_font, name=f"{h.name}: {h.number}").setObjectName("helplineNumber")
            if h.note:
                label(h.note)
        self._layout.addSpacing(16)
        label(self.tr("What to write down"), heading_font)
        for line in self.guidance():
            label("• " + line, name=line)
        self._layout.addSpacing(16)
        watched = label(self.tr("If your phone or computer may be watched"), heading_font)
        watched.setObjectName("watchedHeading")
        for line in device_safety():
            label(line)
        self._layout.addStretch(1)

    def guidance(self) -> list[str]:
        """The ten things police and charities ask for, in plain words (DOMAIN.md)."""
        return [
            self.tr("When it happened. A rough time is fine; the app notes when you wrote it down."),
            self.tr("Where it happened."),
            self.tr("What kind of thing it was: a call, a message, turning up, following…"),
            self.tr("Exactly what happened and what was said. Put their words in quotes if you can."),
            self.tr("Who did it, and anyone who did something for them."),
            self.tr("Anyone who saw or heard it, and how to reach them."),
            self.tr(
                "How it made you feel, and anything you changed because of it: "
                "your route, your locks, your work, your sleep."
            ),
            self.tr("What you did: who you told, whether you blocked them, what you kept."),
            self.tr("If you told the police: the reference number and the officer's name."),
            self.tr(
                "Keep the originals. A screenshot should show their number or account "
                "name, the date and the time. Don't edit them."
            ),
            self.tr("Every time counts. Stalking is a pattern, so small things matter too."),
        ]
