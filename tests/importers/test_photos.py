"""Photo metadata (EXIF date, GPS, device) and folder scanning."""

from __future__ import annotations

import io
import os
import struct
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from victim_log.importers import ImportFormatError
from victim_log.importers import read_image_metadata
from victim_log.importers import scan_photos
from victim_log.importers.photos import ImageMeta
from victim_log.importers.photos import sniff_image_type

from .util import TINY_JPEG
from .util import jpeg_with_exif
from .util import png_with_exif
from .util import tiff_exif

GPS = ("N", (51, 30, 36), "W", (0, 7, 12))  # 51.51 N, 0.12 W


def test_jpeg_exif_date_gps_device() -> None:
    meta = read_image_metadata(jpeg_with_exif(tiff_exif(gps=GPS)))
    assert meta == ImageMeta(
        image_type="jpeg",
        date_taken=datetime(2024, 3, 12, 20, 1, 2),
        gps=(51.51, -0.12),
        device="Canon EOS 5D",  # make not repeated when the model starts with it
    )


def test_big_endian_offset_time_and_make_plus_model() -> None:
    tiff = tiff_exif(
        make="Apple",
        model="iPhone 12",
        offset="+01:00",
        gps=("S", (33, 51, 0), "E", (151, 12, 36)),
        big_endian=True,
    )
    meta = read_image_metadata(jpeg_with_exif(tiff))
    assert meta.device == "Apple iPhone 12"
    assert meta.date_taken == datetime(2024, 3, 12, 20, 1, 2, tzinfo=timezone(timedelta(hours=1)))
    assert meta.gps == (-33.85, 151.21)


def test_png_exif_chunk_and_tiff_file(tmp_path: Path) -> None:
    tiff = tiff_exif(make=None, model="Pixel 8")
    assert read_image_metadata(png_with_exif(tiff)) == ImageMeta(
        "png", datetime(2024, 3, 12, 20, 1, 2), None, "Pixel 8"
    )
    path = tmp_path / "scan.tif"
    path.write_bytes(tiff)
    assert read_image_metadata(path).device == "Pixel 8"
    assert read_image_metadata(str(path)).image_type == "tiff"


def test_webp_exif_chunk() -> None:
    tiff = tiff_exif()
    body = b"WEBP" + b"VP8 " + struct.pack("<L", 3) + b"abc\x00" + b"EXIF"
    body += struct.pack("<L", len(tiff)) + tiff
    data = b"RIFF" + struct.pack("<L", len(body)) + body
    assert read_image_metadata(data).date_taken == datetime(2024, 3, 12, 20, 1, 2)


def test_matches_pillow_when_available(tmp_path: Path) -> None:
    pil = pytest.importorskip("PIL.Image")
    img = pil.new("RGB", (4, 4), "red")
    exif = img.getexif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "SM-G991B"
    exif.get_ifd(0x8769)[0x9003] = "2023:12:24 18:30:00"
    gps_ifd = exif.get_ifd(0x8825)
    gps_ifd[1], gps_ifd[2] = "N", (53.0, 28.0, 48.0)
    gps_ifd[3], gps_ifd[4] = "W", (2.0, 14.0, 24.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    meta = read_image_metadata(buf.getvalue())
    assert meta.image_type == "jpeg"
    assert meta.device == "Samsung SM-G991B"
    assert meta.date_taken == datetime(2023, 12, 24, 18, 30)
    assert meta.gps == (53.48, -2.24)
    png = io.BytesIO()
    img.save(png, "PNG", exif=exif)
    assert read_image_metadata(png.getvalue()).device == "Samsung SM-G991B"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (TINY_JPEG, "jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "png"),
        (b"GIF89a" + b"\0" * 8, "gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
        (b"\0\0\0\x18ftypheic\0\0\0\0", "heic"),
        (b"\0\0\0\x18ftypavif\0\0\0\0", "avif"),
        (b"BM\0\0\0\0\0\0\0\0\x36\0\0\0", "bmp"),
        (b"II*\0\x08\0\0\0", "tiff"),
        (b"BMW is a car brand", None),
        (b"<?xml", None),
        (b"", None),
    ],
)
def test_sniffing(head: bytes, kind: str | None) -> None:
    assert sniff_image_type(head) == kind


def test_broken_metadata_never_raises() -> None:
    tiff = bytearray(tiff_exif(gps=GPS))
    cases = [
        b"",
        b"not an image",
        TINY_JPEG[:3],
        b"\xff\xd8\xff\xe1\xff\xffExif\0\0II*\0",  # APP1 longer than the file
        b"\xff\xd8" + b"\xff" * 10_000,  # endless fill bytes
        jpeg_with_exif(b"II*\0" + struct.pack("<L", 8) + struct.pack("<H", 0xFFFF)),
        jpeg_with_exif(b"II*\0" + struct.pack("<L", 0xFFFFFFF0)),
        jpeg_with_exif(b"XX*\0\x08\0\0\0"),
        png_with_exif(b"MM\0*\0\0\0\x08" + b"\0\x01" + b"\x87\x69\0\x04\0\0\0\x01\0\0\0\x08"),
    ]
    # GPS with zero denominators and a self-referencing Exif pointer.
    zero_den = bytes(tiff).replace(struct.pack("<LL", 51, 1), struct.pack("<LL", 51, 0))
    cases.append(jpeg_with_exif(zero_den))
    for data in cases:
        meta = read_image_metadata(data)
        assert isinstance(meta, ImageMeta)
    assert read_image_metadata(jpeg_with_exif(zero_den)).gps is None
    bad_date = tiff_exif(taken="0000:00:00 00:00:00")
    assert read_image_metadata(jpeg_with_exif(bad_date)).date_taken is None


def test_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError):
        read_image_metadata(tmp_path / "missing.jpg")
    with pytest.raises(ImportFormatError):
        read_image_metadata(tmp_path)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_scan_folder(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    _write(root / "b.jpg", jpeg_with_exif(tiff_exif(gps=GPS)))
    _write(root / "a-screenshot.png", png_with_exif(tiff_exif(make=None, model=None)))
    _write(root / "notes.txt", b"not an image")
    _write(root / "renamed.txt", TINY_JPEG)  # type comes from content, not name
    _write(root / "sub" / "c.jpg", TINY_JPEG)
    _write(root / "sub" / "deeper" / "d.gif", b"GIF89a" + b"\0" * 20)
    os.symlink(root / "b.jpg", root / "link.jpg")
    os.symlink(root / "sub", root / "linkdir")

    scan = scan_photos(root)
    found = [(p.relpath, p.meta.image_type) for p in scan]
    assert found == [("a-screenshot.png", "png"), ("b.jpg", "jpeg"), ("renamed.txt", "jpeg")]
    assert [(s.ref, s.reason) for s in scan.skipped] == [
        ("link.jpg", "link (not followed)"),
        ("linkdir", "link (not followed)"),
        ("notes.txt", "not an image"),
    ]

    deep = [p.relpath for p in scan_photos(root, recursive=True)]
    assert deep == ["a-screenshot.png", "b.jpg", "renamed.txt", "sub/c.jpg", "sub/deeper/d.gif"]
    b = next(p for p in scan_photos(root) if p.name == "b.jpg")
    assert b.meta.gps == (51.51, -0.12)
    assert b.size == (root / "b.jpg").stat().st_size


def test_scan_limits_and_errors(tmp_path: Path) -> None:
    for i in range(5):
        _write(tmp_path / f"{i}.jpg", TINY_JPEG)
    with pytest.raises(ImportFormatError, match="more than 3 files"):
        list(scan_photos(tmp_path, max_files=3))
    with pytest.raises(ImportFormatError, match="folder"):
        scan_photos(tmp_path / "0.jpg")
    with pytest.raises(ImportFormatError):
        scan_photos(tmp_path / "missing")


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.jpg")
    _write(tmp_path / "x.jpg", TINY_JPEG)
    assert [p.name for p in scan_photos(tmp_path)] == ["x.jpg"]
