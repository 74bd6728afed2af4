"""Where a file came from: the small, skippable step after attaching (#16.7).

An exhibit is only as good as the account of how it was made: the export's exhibit
schedule and the draft witness-statement line ("I produce SM/5, a photograph I took on
my phone on ...") are built from what the person says here. Every question can be left
blank and the whole step skipped; nothing is guessed for them, because a wrong guess
saved in a hurry would be read out in court as their word.

The answers are checked by the core's :func:`victim_log.export.provenance.clean_provenance`
(a capture time typed here is on the case's clock) and stored with each file of the
batch in the evidence record's ``metadata["provenance"]``.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QDate
from PySide6.QtCore import QDateTime
from PySide6.QtCore import Qt
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDateTimeEdit
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ..widgets import dialogs
from ..widgets.common import action_row
from ..widgets.common import calendar_picker
from ..widgets.common import day_text
from ..widgets.common import line_edit
from ..widgets.common import line_height
from ..widgets.common import name_window
from ..widgets.common import plural
from ..widgets.common import scaled
from ..widgets.common import tab_chain
from ..widgets.common import wrapped

#: The text boxes of the form: (provenance key, label, object name, accessible name, placeholder).
_TEXT_FIELDS = (
    ("obtained_from", "Fro&m (app or person)", "provObtainedFrom", "Which app, or who sent it",
     "e.g. WhatsApp, or my sister Jo"),
    ("captured_by", "Taken or saved &by", "provCapturedBy", "Who took it or saved it", "e.g. me"),
    ("device", "On what &device", "provDevice", "On what device", "e.g. my phone"),
    ("description", "What it &shows", "provDescription", "What it shows",
     "e.g. his message saying he was outside my work"),
)  # fmt: skip


def _how_choices() -> dict[str, str]:
    from ...export.provenance import HOW_OBTAINED  # not needed at start-up

    return HOW_OBTAINED


class ProvenanceDialog(QDialog):
    """How a file was obtained, by whom, when, on what and what it shows; all optional."""

    def __init__(self, parent: QWidget | None, count: int, values: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        name_window(self, "provenanceDialog", self.tr("Where did this come from?"))
        self.cleaned: dict[str, str] = {}
        values = dict(values or {"captured_by": "me"})
        intro = wrapped(
            self.tr(
                "This helps the police use it. Answer what you know and leave the rest blank, "
                "or skip this step."
            ),
            self,
            name="provenanceIntro",
        )
        heading = wrapped(self.windowTitle(), self, name="provenanceHeading")
        heading.setFont(scaled(self.font(), 1.2, bold=True))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        if count > 1:
            layout.addWidget(
                wrapped(
                    self.tr("What you say here is kept with each of the %1.").replace(
                        "%1", plural(count, "file")
                    )
                )
            )
        form = QFormLayout()
        self.how = QComboBox(self)
        self.how.setObjectName("provHow")
        self.how.setAccessibleName(self.tr("How you got it"))
        self.how.addItem(self.tr("(not said)"), "")
        for key, label in _how_choices().items():
            self.how.addItem(self.tr(label), key)
        self.how.setCurrentIndex(max(0, self.how.findData(values.get("how", ""))))
        form.addRow(self.tr("&How you got it"), self.how)
        self.texts: dict[str, QLineEdit] = {}
        for key, label, name, accessible, hint in _TEXT_FIELDS:
            edit = line_edit(self, name, self.tr(accessible), self.tr(hint))
            edit.setText(values.get(key, ""))
            self.texts[key] = edit
            form.addRow(self.tr(label), edit)
        self.when_known = QCheckBox(self.tr("I know &when it was taken"), self)
        self.when_known.setObjectName("provWhenKnown")
        self.when_known.setAccessibleName(self.tr("I know when it was taken"))
        self.when = calendar_picker(QDateTimeEdit(self), "provCapturedOn", self.tr("When it was taken"))
        self.date_only = QCheckBox(self.tr("Date &only"), self)
        self.date_only.setObjectName("provDateOnly")
        self.date_only.setAccessibleName(self.tr("Date only (I know the date but not the time)"))
        self._set_when(values.get("captured_on", ""))
        when_row = QHBoxLayout()
        when_row.addWidget(self.when_known)
        when_row.addWidget(self.when, 1)
        when_row.addWidget(self.date_only)
        form.insertRow(3, self.tr("When"), when_row)  # after "taken or saved by"
        self.when_known.toggled.connect(self._update_when)
        self.date_only.toggled.connect(self._update_when)
        self._update_when()
        layout.addLayout(form)
        row, self.skip_button, self.save_button = action_row(
            self,
            (self.tr("S&kip"), "provSkip", self.reject),
            (self.tr("Sa&ve these details"), "provSave", self.save),
        )
        self.skip_button.setAccessibleName(self.tr("Skip this step"))
        self.save_button.setAccessibleName(self.tr("Save these details"))
        layout.addLayout(row)
        tab_chain(self.texts["captured_by"], self.when_known, self.when, self.date_only, self.texts["device"])
        self.resize(line_height(self) * 40, self.sizeHint().height())
        self.how.setFocus()

    def _set_when(self, iso: str) -> None:
        self.when_known.setChecked(bool(iso))
        self.date_only.setChecked(len(iso) == 10)
        shown = QDateTime.fromString(iso[:16], "yyyy-MM-ddTHH:mm")
        if len(iso) == 10:
            shown = QDateTime(QDate.fromString(iso, Qt.DateFormat.ISODate), QTime(12, 0))
        if not shown.isValid():
            now = QDateTime.currentDateTime()
            shown = QDateTime(now.date(), QTime(now.time().hour(), now.time().minute()))
        self.when.setDateTime(shown)

    def _update_when(self) -> None:
        known = self.when_known.isChecked()
        self.when.setEnabled(known)
        self.date_only.setEnabled(known)
        self.when.setDisplayFormat("ddd d MMM yyyy" if self.date_only.isChecked() else "ddd d MMM yyyy HH:mm")

    def values(self) -> dict[str, str]:
        """What the form says, as typed (checked by :meth:`save`)."""
        out = {key: edit.text().strip() for key, edit in self.texts.items()}
        out["how"] = str(self.how.currentData() or "")
        out["captured_on"] = ""
        if self.when_known.isChecked():
            fmt = "yyyy-MM-dd" if self.date_only.isChecked() else "yyyy-MM-ddTHH:mm"
            out["captured_on"] = self.when.dateTime().toString(fmt)
        return {k: v for k, v in out.items() if v}

    def save(self) -> None:
        """Check the answers (a time the clocks skipped is refused, with the reason); stay
        open on a problem so nothing typed is lost."""
        from ...export.provenance import clean_provenance

        cleaned = dialogs.try_or_show(self, lambda: clean_provenance(self.values()))
        if cleaned is None:
            return
        self.cleaned = cleaned
        self.accept()


def ask_provenance(
    parent: QWidget | None, count: int, values: Mapping[str, str] | None = None
) -> dict[str, str] | None:
    """The checked answers (possibly empty), or None when the person skipped the step."""
    dialog = ProvenanceDialog(parent, count, values)
    try:
        accepted = dialogs.exec_dialog(dialog) == QDialog.DialogCode.Accepted
        return dict(dialog.cleaned) if accepted else None
    finally:
        dialog.deleteLater()


def provenance_summary(values: Mapping[str, str]) -> str:
    """A short line for what was said ("Screenshot, by me, on my phone"), "" for nothing."""
    parts = []
    if values.get("how"):
        parts.append(_how_choices().get(values["how"], values["how"]))
    if values.get("obtained_from"):
        parts.append(f"from {values['obtained_from']}")
    if values.get("captured_by"):
        parts.append(f"by {values['captured_by']}")
    if values.get("device"):
        parts.append(f"on {values['device']}")
    if values.get("captured_on"):
        parts.append(day_text(values["captured_on"]))
    return ", ".join(parts)
