"""The key file against someone who can write the vault folder (#17.2, #17.7): no
back-off they can weaponise, no cost they can raise, and an edited slot is named as a
changed key file, never mistaken for a typo (and never counted as one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from victim_log.crypto import keys
from victim_log.errors import BadInput
from victim_log.errors import VaultCorrupt
from victim_log.errors import WrongPassphrase
from victim_log.vault import Vault


def _doc(path: Path) -> dict[str, Any]:
    return json.loads((path / "vault.key").read_text())  # type: ignore[no-any-return]


def _write(path: Path, doc: dict[str, Any]) -> None:
    (path / "vault.key").write_text(json.dumps(doc))


def _new() -> tuple[Path, str]:
    v, recovery = Vault.create(vault_path(), PASSPHRASE)
    v.lock()
    return vault_path(), recovery


def _stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


# ------------------------------------------------------------------ back-off (#17.2)


def test_future_failures_are_ignored() -> None:
    path, _ = _new()
    doc = _doc(path)
    doc["failed_attempts"] = ["2099-01-01T00:00:00+00:00"] * 20 + [_stamp(timedelta(days=3))]
    _write(path, doc)
    assert Vault.pending_delay(path) == 0.0
    Vault.open(path, PASSPHRASE).lock()


def test_delay_never_exceeds_what_the_failures_allow() -> None:
    path, _ = _new()
    doc = _doc(path)
    doc["failed_attempts"] = [_stamp(timedelta(0))] * 1000 + ["garbage", "", "9999-99-99"]
    _write(path, doc)
    delay = Vault.pending_delay(path)
    assert 0 < delay <= keys.backoff_seconds(1000) + 1.0
    assert keys.pending_delay(["2099-01-01T00:00:00+00:00"], time.time()) == 0.0


def test_back_off_never_blocks_the_recovery_key() -> None:
    path, recovery = _new()
    doc = _doc(path)
    doc["failed_attempts"] = [_stamp(timedelta(0))] * 50
    _write(path, doc)
    assert Vault.pending_delay(path) > 0
    Vault.open(path, recovery_key=recovery).lock()  # no wait, no VaultLocked


def test_restore_never_honours_back_off_from_the_backup(tmp_path: Path) -> None:
    from victim_log.backup import write_backup

    path, _ = _new()
    with Vault.open(path, PASSPHRASE) as v:
        doc = _doc(path)
        doc["failed_attempts"] = [_stamp(timedelta(0))] * 40 + ["2042-01-01T00:00:00+00:00"]
        _write(path, doc)  # outside the MAC: anyone could have put these here
        write_backup(v, tmp_path / "b.zip")
    target = tmp_path / "restored"
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "victim_log.cli", "restore", str(tmp_path / "b.zip"), "--vault", str(target)],
        env={**os.environ, "VICTIM_LOG_PASSPHRASE": PASSPHRASE},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start < 20
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".restore-")]


# ------------------------------------------------------------------ KDF costs (#17.2)


@pytest.mark.parametrize(
    ("memory", "iterations", "lanes"),
    [
        (4194304, 100, 4),  # the reported case: minutes of Argon2id at every unlock
        (keys.MAX_MEMORY_KIB + 1024, 1, 4),
        (65536, keys.MAX_ITERATIONS + 1, 4),
        (65536, 1, 64),
        (65536, 0, 4),
        (65536, True, 4),
        ("65536", 1, 4),
    ],
)
def test_costs_calibrate_never_sets_are_refused_at_once(memory: Any, iterations: Any, lanes: Any) -> None:
    path, _ = _new()
    doc = _doc(path)
    slot = next(s for s in doc["slots"] if s["type"] == "passphrase")
    slot.update(memory_kib=memory, iterations=iterations, lanes=lanes)
    _write(path, doc)
    start = time.monotonic()
    with pytest.raises(VaultCorrupt, match=r"key file \(vault.key\) has been changed"):
        Vault.open(path, PASSPHRASE)
    assert time.monotonic() - start < 2
    assert _doc(path)["failed_attempts"] == []  # not counted as a wrong passphrase


@pytest.mark.usefixtures("real_kdf_costs")
def test_calibrate_stays_inside_the_accepted_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "argon2id", lambda *a: b"")  # instant: the slowest branch too
    for target in (0.0, 0.6, 1e6):
        p = keys.calibrate(target)
        keys.slot_params(
            {"kdf": "argon2id", "iterations": p.iterations, "memory_kib": p.memory_kib, "lanes": p.lanes}
        )


# ------------------------------------------------------------------ tampered slots (#17.7)


def _tamper(path: Path, change: Any) -> None:
    doc = _doc(path)
    change(doc)
    _write(path, doc)


def _planted_second_slot(doc: dict[str, Any]) -> None:
    planted = dict(next(s for s in doc["slots"] if s["type"] == "passphrase"))
    planted["salt"] = "A" * 22 + "=="
    doc["slots"].insert(0, planted)  # read first by the old code


def _unknown_slot(doc: dict[str, Any]) -> None:
    doc["slots"].append({"type": "backdoor", "salt": "", "nonce": "", "wrapped": ""})


def _short_wrapped(doc: dict[str, Any]) -> None:
    slot = next(s for s in doc["slots"] if s["type"] == "passphrase")
    slot["wrapped"] = slot["wrapped"][:24]


def _other_kdf(doc: dict[str, Any]) -> None:
    next(s for s in doc["slots"] if s["type"] == "passphrase")["kdf"] = "pbkdf2"


@pytest.mark.parametrize("change", [_planted_second_slot, _unknown_slot, _short_wrapped, _other_kdf])
def test_an_edited_slot_says_the_key_file_changed_and_counts_nothing(change: Any) -> None:
    path, _ = _new()
    _tamper(path, change)
    with pytest.raises(VaultCorrupt, match="changed outside Victim Log"):
        Vault.open(path, PASSPHRASE)
    assert _doc(path)["failed_attempts"] == []


def test_a_real_typo_is_still_a_typo() -> None:
    path, _ = _new()
    with pytest.raises(WrongPassphrase, match="not right"):
        Vault.open(path, "not my passphrase at all")
    assert len(_doc(path)["failed_attempts"]) == 1


def _weaken_in_range(doc: dict[str, Any]) -> None:
    slot = next(s for s in doc["slots"] if s["type"] == "passphrase")
    slot["iterations"] = 2  # still a cost calibrate() could choose: only the AD tells


def _replace_slot(doc: dict[str, Any]) -> None:
    """The slot of another vault file with the same id: someone else's passphrase."""
    other = keys.KeyFile(vault_id=doc["vault_id"], created_at=doc["created_at"], slots=[])
    other.set_passphrase(os.urandom(32), "the intruder's passphrase", keys.KdfParams(1, 8 * 1024, 1))
    doc["slots"] = [s for s in doc["slots"] if s["type"] != "passphrase"] + other.slots


@pytest.mark.parametrize("change", [_weaken_in_range, _replace_slot])
def test_a_replaced_or_recosted_slot_is_not_taken_for_a_typo(change: Any) -> None:
    """Structurally fine, so only this computer's note of the slot it last unlocked
    with can tell: it says the key file changed, and counts nothing."""
    path, _ = _new()
    Vault.open(path, PASSPHRASE).lock()
    _tamper(path, change)
    with pytest.raises(VaultCorrupt, match="not the one this computer last opened it with"):
        Vault.open(path, PASSPHRASE)
    assert _doc(path)["failed_attempts"] == []


def test_a_passphrase_changed_elsewhere_opens_with_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _new()
    monkeypatch.setenv("VICTIM_LOG_STATE", str(tmp_path / "other-computer"))
    with Vault.open(path, PASSPHRASE) as v:
        v.change_passphrase("the new passphrase 2027")
    monkeypatch.setenv("VICTIM_LOG_STATE", str(vault_path().parent / "state"))
    with pytest.raises(VaultCorrupt, match="another computer"):
        Vault.open(path, PASSPHRASE)  # the old one: told why, not "not right"
    Vault.open(path, "the new passphrase 2027").lock()
    with pytest.raises(WrongPassphrase):  # now noted here: a typo is a typo again
        Vault.open(path, PASSPHRASE)


# ------------------------------------------------------------------ hostile text


@pytest.mark.parametrize(
    "vault_id",
    ["\ud800" * 32, "a\x00" * 16, "\u0661" * 32, "0123456789ABCDEF" * 2, "ab" * 17],
    ids=["lone-surrogate", "nul", "arabic-indic-digits", "upper-case", "too-long"],
)
def test_a_malformed_vault_id_says_the_key_file_changed_and_counts_nothing(vault_id: str) -> None:
    """A lone surrogate (valid JSON) crashed the unlock with UnicodeEncodeError while
    building the slot's associated data; any other edit was taken for a typo and
    counted. Victim Log only ever writes 32 lower-case hex digits."""
    path, _ = _new()
    _tamper(path, lambda doc: doc.__setitem__("vault_id", vault_id))
    with pytest.raises(VaultCorrupt, match="changed outside Victim Log"):
        Vault.open(path, PASSPHRASE)
    assert _doc(path)["failed_attempts"] == []


def test_a_deeply_nested_note_of_seen_slots_is_ignored(tmp_path: Path) -> None:
    """key-slots.json is this computer's own best-effort note (anyone with the computer
    can edit it): nesting too deep for json raised RecursionError, not ValueError, and
    made create and unlock fail."""
    seen = Path(os.environ["VICTIM_LOG_STATE"]) / keys.SEEN_FILE
    seen.parent.mkdir(parents=True, exist_ok=True)
    seen.write_text("[" * 50_000)
    path, _ = _new()
    Vault.open(path, PASSPHRASE).lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(path, "not my passphrase at all")


def test_the_failed_attempts_note_never_prints_control_characters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """failed_attempts is outside the MAC: anyone who can write the vault folder can
    put terminal escapes there, and the CLI printed the last one as it was."""
    from tests.helpers import run_cli

    path, _ = _new()
    _tamper(path, lambda doc: doc.__setitem__("failed_attempts", ["\x1b]0;x\x07\x1b[2J\u202e\ud800"]))
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    result = run_cli(capsys, "list")  # the vault in VICTIM_LOG_VAULT
    assert result.code == 0, result.err
    assert "1 failed attempt" in result.err
    assert all(ch.isprintable() or ch == "\n" for ch in result.err), repr(result.err)


@pytest.mark.parametrize("odd", ["\udce9t\u00e9 and some more words", "\ud800 correct horse battery"])
def test_a_passphrase_that_is_not_text_is_wrong_or_refused_never_a_crash(odd: str) -> None:
    """A passphrase from an environment variable or a pipe whose bytes are not UTF-8
    arrives with surrogate escapes: the key derivation's encode raised
    UnicodeEncodeError, at unlock and at create."""
    path, _ = _new()
    with pytest.raises(WrongPassphrase, match="not right"):
        Vault.open(path, odd)
    assert len(_doc(path)["failed_attempts"]) == 1
    with pytest.raises(BadInput, match="not UTF-8"):
        Vault.create(path.parent / "another", odd)
    assert not (path.parent / "another" / "vault.key").exists()
