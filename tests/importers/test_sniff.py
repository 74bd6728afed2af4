"""#19.8: each importer reads its own format and refuses another, naming what it looks like."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from victim_log.importers import ImportFormatError
from victim_log.importers import parse_sms_backup
from victim_log.importers import parse_whatsapp
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.importers.sniff import looks_like
from victim_log.vault import Vault

from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("whatsapp_android_dmy.txt", "whatsapp"),
        ("whatsapp_ios_chat.txt", "whatsapp"),
        ("whatsapp_android_fi.txt", "whatsapp"),
        ("whatsapp_android_ar.txt", "whatsapp"),
        ("sms_backup.xml", "sms-backup"),
        ("calls_backup.xml", "calls"),
        ("email_plain.eml", "email"),
        ("mailbox.mbox", "mbox"),
        ("signal_chat.md", "signal"),
        ("telegram_result.json", "telegram"),
        ("messenger_message_1.json", "meta"),
    ],
)
def test_each_fixture_is_recognised(name: str, kind: str) -> None:
    assert looks_like(fixture_bytes(name), name) == kind


def test_signal_markdown_is_not_whatsapp_even_renamed(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="Signal chat exported with signal-export"):
        parse_whatsapp(fixture("signal_chat.md"))
    renamed = tmp_path / "chat.txt"
    renamed.write_bytes(fixture_bytes("signal_chat.md"))
    with pytest.raises(ImportFormatError, match="Signal"):
        parse_whatsapp(renamed)


def test_readers_name_the_format_they_were_given() -> None:
    with pytest.raises(ImportFormatError, match="looks like a Telegram Desktop export"):
        parse_whatsapp(fixture("telegram_result.json"))
    with pytest.raises(ImportFormatError, match="looks like a WhatsApp chat export"):
        parse_sms_backup(fixture("whatsapp_android_dmy.txt"))
    with pytest.raises(ImportFormatError, match="looks like an SMS Backup & Restore backup"):
        parse_whatsapp(fixture("sms_backup.xml"))
    with pytest.raises(ImportFormatError, match="looks like a picture"):
        parse_whatsapp(TINY_JPEG)


@pytest.mark.parametrize(
    ("fmt", "name", "said"),
    [
        ("sms-backup", "calls_backup.xml", "call log, not an SMS backup: choose calls"),
        ("calls", "sms_backup.xml", "backup of messages, not a call log backup: choose SMS"),
        ("email", "whatsapp_android_dmy.txt", "WhatsApp chat export, not an email or mailbox"),
        ("whatsapp", "messenger_message_1.json", "Facebook Messenger or Instagram"),
        ("whatsapp", "signal_chat.md", "Signal"),
    ],
)
def test_import_refuses_the_wrong_format(tmp_path: Path, fmt: str, name: str, said: str) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    try:
        with pytest.raises(ImportFormatError, match=said):
            run_import(vault, ImportRequest(fmt, fixture(name), sender="Dan Marsh"))
        with pytest.raises(ImportFormatError, match=said):
            run_import(vault, ImportRequest(fmt, fixture(name)))  # listing senders too
    finally:
        vault.lock()
