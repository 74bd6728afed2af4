"""Mutation fuzzing: mutated fixtures into every parser, fixed seeds.

300 cases per target here (3,000 with ``--long``). The only exception allowed out of
a parser is ImportFormatError; ``read_image_metadata`` may not raise at all. Any
other exception is a bug in our code (or an unguarded stdlib failure) and fails the
test with the seed and case number needed to reproduce it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest

from victim_log.importers import ImportFormatError
from victim_log.importers import parse_email_file
from victim_log.importers import parse_mbox
from victim_log.importers import parse_sms_backup
from victim_log.importers import parse_whatsapp
from victim_log.importers import read_image_metadata
from victim_log.safezip import LENIENT
from victim_log.safezip import DamagedMember
from victim_log.safezip import SafeZip
from victim_log.safezip import UnsafeZip

from .test_hostile import consume
from .util import TINY_JPEG
from .util import fixture_bytes
from .util import ios_zip
from .util import jpeg_with_exif
from .util import make_zip
from .util import png_with_exif
from .util import tiff_exif

CASES = 300
LONG_CASES = 3000

# Byte strings that steer parsers into their tricky paths when spliced in.
TOKENS = [
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    "\u200e".encode(),
    b"\xe2\x80\xaa",
    b"12/03/2024, 20:01 - Dan Marsh: ",
    b"[13/03/2024, 20:01:02] Dan Marsh: ",
    b"3/13/24, 8:01\xe2\x80\xafPM - ",
    b" (file attached)",
    b"<attached: x.jpg>",
    b"<part ",
    b' data="',
    b"data='",
    b'"',
    b"'",
    b"<",
    b">",
    b"/>",
    b"&#55357;",
    b"&#56832;",
    b"&#x0;",
    b"&amp;",
    b"&",
    b"<!DOCTYPE x [<!ENTITY e 'x'>]>",
    b'<mms date="1" msg_box="1"><parts>',
    b"</parts></mms>",
    b"From a@example.com Tue Mar 12 20:01:00 2024\n",
    b"\n\nFrom ",
    b'Content-Type: multipart/mixed; boundary="b"\n\n--b\n',
    b"Content-Transfer-Encoding: base64\n",
    b"=?utf-8?q?=E2=80?=",
    b"=?x-unknown?b?AAAA?=",
    b"--b--\n",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xff\xd8\xff\xe1",
    b"Exif\x00\x00II*\x00",
    b"eXIf",
]


def mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:  # flip bits
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # random bytes
            buf[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif op == 2 and buf:  # delete a range
            del buf[pos : pos + rng.randint(1, 64)]
        elif op == 3 and buf:  # duplicate a range
            start = rng.randrange(len(buf))
            buf[pos:pos] = buf[start : start + rng.randint(1, 256)]
        elif op == 4:  # truncate
            del buf[pos:]
        elif op == 5:  # splice a token
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 6 and buf:  # overwrite with a repeated byte
            buf[pos : pos + rng.randint(1, 32)] = bytes([rng.randrange(256)]) * rng.randint(1, 32)
        else:  # repeat a token many times
            buf[pos:pos] = rng.choice(TOKENS) * rng.randint(2, 200)
    return bytes(buf)


def _zip_read_all(data: object) -> int:
    import io

    assert isinstance(data, bytes)
    with SafeZip(io.BytesIO(data), LENIENT) as zf:
        for m in zf.members:
            if not m.is_dir:
                zf.read_bytes(m, 64 << 20)
    return 0


def _android_zip() -> bytes:
    return make_zip(
        {
            "WhatsApp Chat with Dan Marsh.txt": fixture_bytes("whatsapp_android_dmy.txt"),
            "IMG-20240313-WA0001.jpg": TINY_JPEG,
        }
    )


TARGETS: dict[
    str, tuple[Callable[[object], object], list[bytes], type[Exception] | tuple[type[Exception], ...]]
] = {
    "whatsapp_txt": (
        lambda d: consume(parse_whatsapp, d),
        [
            fixture_bytes("whatsapp_android_dmy.txt"),
            fixture_bytes("whatsapp_android_us.txt"),
            fixture_bytes("whatsapp_ios_chat.txt"),
        ],
        ImportFormatError,
    ),
    "whatsapp_zip": (lambda d: consume(parse_whatsapp, d), [ios_zip(), _android_zip()], ImportFormatError),
    "sms": (
        lambda d: consume(parse_sms_backup, d),
        [fixture_bytes("sms_backup.xml"), fixture_bytes("calls_backup.xml")],
        ImportFormatError,
    ),
    "email": (
        lambda d: consume(parse_email_file, d),
        [
            fixture_bytes("email_plain.eml"),
            fixture_bytes("email_html.eml"),
            fixture_bytes("email_attachment.eml"),
        ],
        ImportFormatError,
    ),
    "mbox": (lambda d: consume(parse_mbox, d), [fixture_bytes("mailbox.mbox")], ImportFormatError),
    "safezip": (_zip_read_all, [ios_zip(), _android_zip()], (UnsafeZip, DamagedMember)),
}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_mutation_fuzz(target: str, long_run: bool) -> None:
    run, corpus, allowed = TARGETS[target]
    rng = random.Random(f"victim-log-{target}")
    for case in range(LONG_CASES if long_run else CASES):
        data = mutate(rng, rng.choice(corpus))
        start = time.perf_counter()
        try:
            run(data)
        except allowed:
            pass
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{target} case {case}: {type(exc).__name__} escaped: {exc!r}"[:300])
        elapsed = time.perf_counter() - start
        assert elapsed < 30, f"{target} case {case} took {elapsed:.1f}s"  # a hang guard only


def test_photo_metadata_fuzz(long_run: bool) -> None:
    rng = random.Random("victim-log-photos")
    corpus = [
        jpeg_with_exif(tiff_exif(gps=("N", (51, 30, 36), "W", (0, 7, 12)))),
        jpeg_with_exif(tiff_exif(big_endian=True, offset="+01:00")),
        png_with_exif(tiff_exif()),
        tiff_exif(gps=("S", (1, 2, 3), "E", (4, 5, 6))),
    ]
    for case in range(LONG_CASES if long_run else CASES):
        data = mutate(rng, rng.choice(corpus))
        try:
            read_image_metadata(data)
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"photos case {case}: {type(exc).__name__} escaped: {exc!r}"[:300])
