"""Evidence files of an entry: thumbnails in memory, the viewer, saving a verified copy.

Nothing is written to disk to show a file: images are decoded from memory and a
thumbnail lives only in :class:`ThumbnailCache` (cleared on lock). "Save a copy"
writes the original's exact bytes, checked against the fingerprint recorded when the
file was added.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtGui import QKeySequence
from PySide6.QtGui import QPixmap
from PySide6.QtGui import QResizeEvent
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QPlainTextEdit
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QScrollArea
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import mediatype
from ...errors import VictimLogError
from ...model import EvidenceItem
from ...textsafe import display_safe
from ...textsafe import safe_filename
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.common import line_height
from ..widgets.common import resize_on_screen
from ..widgets.i18n import translator
from ..widgets.images import decode_image

TEXT_VIEW_MAX_BYTES = 2 * 1024 * 1024

_tr = translator("Detail")


# --------------------------------------------------------------------------- images


class ThumbnailCache:
    """Thumbnails of evidence, in memory only; ``clear()`` on lock."""

    def __init__(self) -> None:
        self._pixmaps: dict[tuple[int, int], QPixmap | None] = {}

    def __len__(self) -> int:
        return len(self._pixmaps)

    def get(self, evidence_id: int, side: int) -> QPixmap | None:
        return self._pixmaps.get((evidence_id, side))

    def has(self, evidence_id: int, side: int) -> bool:
        return (evidence_id, side) in self._pixmaps

    def make(self, read: Callable[[], bytes], evidence_id: int, side: int) -> QPixmap | None:
        """Decode and remember; None (also remembered) if it is not a decodable image."""
        key = (evidence_id, side)
        if key in self._pixmaps:
            return self._pixmaps[key]
        pixmap: QPixmap | None = None
        try:
            image = decode_image(read(), QSize(side, side))
            if not image.isNull():
                pixmap = QPixmap.fromImage(image)
        except VictimLogError:
            pixmap = None
        self._pixmaps[key] = pixmap
        return pixmap

    def clear(self) -> None:
        self._pixmaps.clear()

    def forget(self, evidence_id: int) -> None:
        """Drop every size of one file's thumbnail (it was erased)."""
        for key in [k for k in self._pixmaps if k[0] == evidence_id]:
            del self._pixmaps[key]


# --------------------------------------------------------------------------- saving a copy


def save_evidence_copy(parent: QWidget, session: Session, item: EvidenceItem) -> Path | None:
    """Ask where to save a verified copy of the original; returns the path written."""
    from ..widgets import savepath

    out = savepath.choose_save_path(
        parent, _tr("Save a copy of the original file"), safe_filename(item.filename), remember=session.vault
    )
    if out is None:
        return None
    try:
        # Qt's dialog already asked before replacing an existing file.
        session.require().evidence.save_copy(item.id, out, overwrite=out.exists())
    except Exception as exc:  # noqa: BLE001 - shown calmly; nothing else to do
        dialogs.show_error(parent, exc)
        return None
    dialogs.show_message(
        parent,
        _tr("Copy saved"),
        _tr(
            "A copy was saved as \u201c%1\u201d. It was checked against the fingerprint "
            "(SHA-256) recorded when the file was added, so it is identical to the original."
        ).replace("%1", display_safe(out.name, single_line=True)),
    )
    return out


# --------------------------------------------------------------------------- viewers


class EvidenceViewer(QDialog):
    """An image (zoomable) or a short text file, shown from memory."""

    def __init__(
        self, session: Session, item: EvidenceItem, data: bytes, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("evidenceViewer")
        self._session = session
        self._item = item
        name = display_safe(item.filename, single_line=True)
        self.setWindowTitle(self.tr("Evidence: %1").replace("%1", name))
        self.setAccessibleName(self.tr("Evidence viewer"))
        self._image = QImage()
        self._zoom = 0.0  # 0 = fit to the window
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setAccessibleName(self.tr("The file"))
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName(self.tr("Picture: %1").replace("%1", name))
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Text of the file"))
        self.text.setVisible(False)

        buttons = QHBoxLayout()
        self.zoom_in = QPushButton(self.tr("Zoom in"), self)
        self.zoom_out = QPushButton(self.tr("Zoom out"), self)
        self.fit = QPushButton(self.tr("Fit"), self)
        self.actual = QPushButton(self.tr("Actual size"), self)
        self.save = QPushButton(self.tr("Save a copy\u2026"), self)
        close = QPushButton(self.tr("Close"), self)
        for b, slot, key in (
            (self.zoom_in, lambda: self._set_zoom(self._effective() * 1.25), QKeySequence.StandardKey.ZoomIn),
            (
                self.zoom_out,
                lambda: self._set_zoom(self._effective() / 1.25),
                QKeySequence.StandardKey.ZoomOut,
            ),
            (self.fit, lambda: self._set_zoom(0.0), None),
            (self.actual, lambda: self._set_zoom(1.0), None),
        ):
            b.setAccessibleName(b.text())
            b.clicked.connect(slot)
            buttons.addWidget(b)
            if key is not None:
                QShortcut(QKeySequence(key), self).activated.connect(slot)
        QShortcut(QKeySequence("Ctrl+0"), self).activated.connect(lambda: self._set_zoom(0.0))
        buttons.addStretch(1)
        self.save.setAccessibleName(self.tr("Save a copy of the original file"))
        self.save.clicked.connect(lambda: save_evidence_copy(self, self._session, self._item))
        close.setAccessibleName(self.tr("Close the viewer"))
        close.clicked.connect(self.reject)
        buttons.addWidget(self.save)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.scroll_area.setWidget(self.picture)
        lh = line_height(self)
        resize_on_screen(self, lh * 50, lh * 36)

        if mediatype.is_image(item.media_type):
            self._image = decode_image(data)
        if not self._image.isNull():
            self._set_zoom(0.0)
        else:
            for b in (self.zoom_in, self.zoom_out, self.fit, self.actual):
                b.setEnabled(False)
            if item.media_type.startswith("text/") and len(data) <= TEXT_VIEW_MAX_BYTES:
                self.scroll_area.setVisible(False)
                self.text.setVisible(True)
                self.text.setPlainText(display_safe(data.decode("utf-8", "replace")))
            else:
                self.picture.setText(
                    self.tr(
                        "This file cannot be shown here. Use \u201cSave a copy\u2026\u201d "
                        "to open it with another program."
                    )
                )
                self.picture.setWordWrap(True)

    @property
    def has_image(self) -> bool:
        return not self._image.isNull()

    def _effective(self) -> float:
        if self._zoom > 0 or self._image.isNull():
            return self._zoom or 1.0
        view = self.scroll_area.viewport().size()
        return min(
            1.0, view.width() / max(1, self._image.width()), view.height() / max(1, self._image.height())
        )

    def _set_zoom(self, zoom: float) -> None:
        if self._image.isNull():
            return
        self._zoom = max(0.0, min(zoom, 8.0))
        factor = self._effective()
        size = self._image.size() * factor
        self.picture.setPixmap(
            QPixmap.fromImage(
                self._image.scaled(
                    size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        )
        self.picture.resize(self.picture.pixmap().size())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self._zoom == 0.0:
            self._set_zoom(0.0)

    def wipe(self) -> None:
        self._image = QImage()
        self.picture.clear()
        self.text.clear()


def open_evidence(parent: QWidget, session: Session, item: EvidenceItem) -> None:
    """Show an evidence item from memory (the dialog is gone when this returns)."""
    try:
        data = session.require().evidence.read_bytes(item.id)
    except Exception as exc:  # noqa: BLE001 - shown calmly
        dialogs.show_error(parent, exc)
        return
    viewer = EvidenceViewer(session, item, data, parent)
    del data
    try:
        dialogs.exec_dialog(viewer)
    finally:
        viewer.wipe()
        viewer.deleteLater()
