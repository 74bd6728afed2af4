"""The plaintext preferences file: only the neutral-face choice, private, never content."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from victim_log import paths
from victim_log.prefs import FACES
from victim_log.prefs import Prefs
from victim_log.prefs import load_prefs
from victim_log.prefs import prefs_path
from victim_log.prefs import save_prefs


def test_defaults_when_missing() -> None:
    assert not prefs_path().exists()
    assert load_prefs() == Prefs(neutral_face=False, face="notes")


def test_round_trip_is_private_and_in_state_dir() -> None:
    save_prefs(Prefs(neutral_face=True, face="calculator"))
    path = prefs_path()
    assert path.parent == paths.state_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_prefs() == Prefs(neutral_face=True, face="calculator")
    # No temp files left beside it.
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_only_known_keys_are_written() -> None:
    save_prefs(Prefs(neutral_face=True, face="notes"))
    data = json.loads(prefs_path().read_text(encoding="utf-8"))
    assert data == {"look": "notes"}


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"neutral_face": "yes", "face": 3}',
        b'{"face": "../../etc/passwd"}',
        b"{" + b" " * 5000 + b"}",
    ],
)
def test_damaged_file_gives_defaults(content: bytes) -> None:
    path = prefs_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    prefs = load_prefs()
    assert prefs.face in FACES
    assert prefs.neutral_face is False


def test_unknown_keys_are_dropped_and_not_rewritten() -> None:
    path = prefs_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"neutral_face": True, "face": "notes", "vaults": ["/secret/path"], "last_search": "CANARY-TEXT"}
        ),
        encoding="utf-8",
    )
    prefs = load_prefs()
    assert prefs == Prefs(neutral_face=True, face="notes")
    save_prefs(prefs)
    text = path.read_text(encoding="utf-8")
    assert "secret" not in text
    assert "CANARY" not in text


def test_unknown_face_falls_back() -> None:
    assert Prefs(neutral_face=True, face="bank").validated().face == "notes"
    save_prefs(Prefs(neutral_face=True, face="bank"))
    assert load_prefs().face == "notes"


def test_explicit_path(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "p.json"
    save_prefs(Prefs(neutral_face=True), target)
    assert load_prefs(target).neutral_face is True


def test_unwritable_state_dir_gives_plain_error(tmp_path: Path) -> None:
    from victim_log.errors import VictimLogError

    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"")
    with pytest.raises(VictimLogError, match="display preferences"):
        save_prefs(Prefs(), blocker / "prefs.json")
