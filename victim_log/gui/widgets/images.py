"""Decoding pictures in memory (never through a file): evidence, thumbnails, bundles."""

from __future__ import annotations

from PySide6.QtCore import QBuffer
from PySide6.QtCore import QByteArray
from PySide6.QtCore import QIODevice
from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtGui import QImageReader


def decode_image(data: bytes, fit: QSize | None = None) -> QImage:
    """Decode image bytes in memory, turned upright (EXIF) and optionally scaled to fit.

    A reader with a scaled size lets JPEG decoding skip most of the work; Qt's
    allocation limit refuses decompression bombs (the result is then a null image).
    """
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    if fit is not None:
        size = reader.size()
        if size.isValid() and (size.width() > fit.width() or size.height() > fit.height()):
            # Orientation may swap width and height after the transform; fitting a
            # square box keeps both cases inside it.
            reader.setScaledSize(size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    if (
        fit is not None
        and not image.isNull()
        and (image.width() > fit.width() or image.height() > fit.height())
    ):
        image = image.scaled(
            fit, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image
