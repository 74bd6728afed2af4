"""victim_log.drafts: the unsaved form kept inside the encrypted vault (#18.7)."""

from __future__ import annotations

import contextlib
import threading

import pytest

from tests.helpers import CANARY
from tests.leakscan import scan
from victim_log import drafts
from victim_log.errors import BadInput
from victim_log.errors import VaultBusy
from victim_log.vault import Vault

PASSPHRASE = "correct horse battery staple"


def test_kept_across_unlocks_then_forgotten(vault, tmp_path):
    draft = {
        "type": "quick_log",
        "text": f"At the gate {CANARY}",
        "files": [{"name": "s.png", "data": b"\x89PNG"}],
    }
    journal_before = len(vault.journal_entries())
    assert drafts.keep(vault, draft)
    assert len(vault.journal_entries()) == journal_before  # never journalled
    assert vault.count_incidents() == 0  # never an incident
    vault.lock()
    assert scan([tmp_path / "vault"], CANARY) == []  # only ever encrypted on disk
    again = Vault.open(tmp_path / "vault", PASSPHRASE)
    try:
        assert drafts.is_kept(again)
        assert drafts.peek(again) == draft  # bytes come back as bytes
        assert drafts.peek(again) == draft  # peeking leaves it kept
        drafts.forget(again)
        assert not drafts.is_kept(again)
        assert drafts.peek(again) is None
        drafts.forget(again)  # nothing kept: nothing to do
    finally:
        again.lock()


def test_a_large_pasted_image_is_left_out_the_words_kept(vault):
    big = b"\0" * (drafts.MAX_BYTES + 1)
    draft = {
        "text": "words",
        "files": [{"name": "a.png", "data": big}, {"name": "b.txt", "path": "/x/b.txt"}],
    }
    assert drafts.keep(vault, draft)
    kept = drafts.peek(vault)
    assert kept is not None
    assert kept["text"] == "words"
    assert kept["files"] == [{"name": "b.txt", "path": "/x/b.txt"}]
    assert kept["files_left_out"] == 1


def test_too_long_or_unkeepable_is_not_kept(vault):
    assert not drafts.keep(vault, {"text": "x" * (drafts.MAX_BYTES + 1)})
    assert not drafts.keep(vault, {"text": object()})
    assert not drafts.is_kept(vault)


def test_a_busy_vault_is_skipped_not_waited_for(vault, monkeypatch):
    def busy(name, value):
        raise BadInput("The vault is busy in another window. Try again in a moment.")

    monkeypatch.setattr(vault, "set_setting", busy)
    assert not drafts.keep(vault, {"text": "words"})


def test_an_unreadable_kept_value_is_none(vault):
    vault.set_setting(drafts.SETTING, "{not json")
    assert drafts.peek(vault) is None
    vault.set_setting(drafts.SETTING, "[1, 2]")
    assert drafts.peek(vault) is None
    vault.set_setting(drafts.SETTING, "[" * 100_000)  # too deep for json: RecursionError
    assert drafts.peek(vault) is None
    vault.set_setting(drafts.SETTING, '{"__bytes__": "not base64!"}')
    assert drafts.peek(vault) is None


def test_text_that_utf8_cannot_carry_is_still_kept(vault):
    """A lone surrogate (pasted from bytes that were not UTF-8) used to make the whole
    draft unkeepable: every word of it lost at the lock."""
    draft = {"text": "He said \ud800 then left", "where": "Caf\u00e9 \u202e\U0001f600"}
    assert drafts.keep(vault, draft)
    assert drafts.peek(vault) == draft


def test_store_raises_busy_for_a_retry_and_never_rewrites_the_same_draft(vault, tmp_path):
    """``store`` lets a busy vault's error through (the GUI tries again off its thread,
    #18 switching diaries); ``keep`` (the lock) says False. The same draft kept already
    is only read, so the lock after a switch that kept it needs no write lock."""
    draft = {"type": "quick_log", "text": "Outside the school"}
    other = Vault.open(tmp_path / "vault", PASSPHRASE)
    vault.conn.execute("PRAGMA busy_timeout = 50")
    try:
        with other.writers_held("the test"):
            with pytest.raises(VaultBusy):
                drafts.store(vault, draft)
            assert not drafts.keep(vault, draft)
        assert drafts.store(vault, draft)
        with other.writers_held("the test"):
            assert drafts.store(vault, draft)  # the same: nothing to write
            assert drafts.keep(vault, draft)
    finally:
        other.lock()
    assert drafts.peek(vault) == draft


def test_keep_with_patience_waits_for_a_busy_vault_to_let_go(vault, tmp_path):
    """A quick exit that ends the app keeps trying (#18.7): the other writer lets go
    after a moment and the draft is kept; without patience it would not be."""
    draft = {"type": "quick_log", "text": "Followed me to the bus stop"}
    other = Vault.open(tmp_path / "vault", PASSPHRASE)
    vault.conn.execute("PRAGMA busy_timeout = 50")
    try:
        with contextlib.ExitStack() as held:
            held.enter_context(other.writers_held("the test"))
            assert not drafts.keep(vault, draft)
            release = threading.Timer(0.5, held.close)
            release.start()
            assert drafts.keep(vault, draft, patience=30)
            release.join(timeout=30)
    finally:
        other.lock()
    assert drafts.peek(vault) == draft
