"""The S-DASH questions in the app (#20): answer the 11 questions, alone or with a
support worker, see what the log already says for each and how answers changed.

Each Save keeps a new dated set (:func:`victim_log.sdash.record`); nothing is
overwritten and nothing is answered for the person: the log's suggestions are shown
beside each question to confirm or not. There is no score; the advice to talk to the
police or the National Stalking Helpline is the same whatever the answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ... import sdash
from ...stats import Stats
from ..widgets import dialogs
from ..widgets.common import name_window
from ..widgets.common import named
from ..widgets.common import save_cancel_buttons
from ..widgets.common import scroll_area
from ..widgets.common import wrapped
from ..widgets.i18n import translator

if TYPE_CHECKING:
    from ...vault import Vault

__all__ = ["SdashDialog"]

_tr = translator("Sdash")
_CHOICES = (("", "Not answered"), ("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure"))


class SdashDialog(QDialog):
    """``SdashDialog(vault, stats, parent)``: ``stats`` are the log's figures
    (:func:`victim_log.stats.compute`), for the suggestions; None shows none."""

    def __init__(self, vault: Vault, stats: Stats | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        name_window(self, "sdashDialog", _tr("Stalking screening questions (S-DASH)"))
        sets = sdash.answer_sets(vault)
        hints = sdash.suggestions(stats) if stats is not None else {}
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(sdash.ADVICE, self, name="sdashAdvice"))
        body = QWidget(self)
        form = QFormLayout(body)
        self.answers: dict[str, QComboBox] = {}
        for n, (q, text) in enumerate(sdash.QUESTIONS, 1):
            combo = named(QComboBox(body), f"sdash_{q}", text)
            for value, label in _CHOICES:
                combo.addItem(_tr(label), value)
            latest = next((s for s in reversed(sets) if s.answer(q)), None)
            if latest is not None:
                combo.setCurrentIndex(combo.findData(latest.answer(q)))
            self.answers[q] = combo
            question = wrapped(f"{n}. {text}", body)
            form.addRow(question, combo)
            notes = []
            if latest is not None:
                notes.append(_tr("Last answered {day}.").format(day=latest.at[:10]))
            if q in hints:
                notes.append(_tr("From your log: {hint}").format(hint=hints[q]))
            if notes:
                form.addRow("", wrapped(" ".join(notes), body, name=f"sdashNote_{q}"))
        layout.addWidget(scroll_area(self, body, _tr("The questions")))
        changed = sdash.changes(sets)
        if changed:
            lines = [
                _tr("Question {n} changed: {steps}.").format(
                    n=sdash.QUESTION_IDS.index(q) + 1,
                    steps=", then ".join(f"{sdash.ANSWERS[a].lower()} on {d}" for d, a in seq),
                )
                for q, seq in changed
            ]
            layout.addWidget(wrapped("\n".join(lines), self, name="sdashChanges"))
        self.support = named(
            QLineEdit(self), "sdashSupport", _tr("Answered with a support worker (their name)")
        )
        self.support.setPlaceholderText(_tr("Answered with a support worker? Their name (optional)"))
        layout.addWidget(self.support)
        box, _save = save_cancel_buttons(self, "sdashSave", self._save)
        layout.addWidget(box)
        self.resize(760, 640)

    def chosen(self) -> tuple[tuple[str, str], ...]:
        return tuple((q, str(c.currentData())) for q, c in self.answers.items() if c.currentData())

    def _save(self) -> None:
        answers = self.chosen()
        if not answers:
            dialogs.show_message(
                self, self.windowTitle(), _tr("Answer at least one question, or press Cancel.")
            )
            return
        who = self.support.text().strip()
        by = f"support:{who}" if who else "victim"
        at = datetime.now(casetime.active_zone()).isoformat(timespec="seconds")
        if dialogs.try_or_show(self, lambda: sdash.record(self._vault, answers, by=by, at=at)) is not None:
            self.accept()
