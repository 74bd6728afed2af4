"""Diary text never reaches the disk, temp files or logs in readable form."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from tests.leakscan import scan
from victim_log import paths


def test_canary_in_every_field_never_leaks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    attach = tmp_path / "outside" / "note.txt"
    attach.parent.mkdir()
    attach.write_text(f"evidence text {CANARY}\n" * 100)
    r = run_cli(
        capsys,
        "add",
        "--kind",
        "message",
        "--summary",
        f"S {CANARY}",
        "--details",
        f"D {CANARY}",
        "--where",
        f"W {CANARY}",
        "--person",
        f"P {CANARY}",
        "--witnesses",
        f"Wi {CANARY}",
        "--effect",
        f"E {CANARY}",
        "--did",
        f"Did {CANARY}",
        "--police-ref",
        f"REF {CANARY}",
        "--officer",
        f"O {CANARY}",
        "--private-note",
        f"N {CANARY}",
        "--attach",
        str(attach),
    )
    assert r.code == 0, r.err
    run_cli(capsys, "edit", "1", "--reason", f"R {CANARY}", "--summary", f"S2 {CANARY}")
    run_cli(capsys, "search", CANARY.split()[0])
    run_cli(capsys, "check")
    # A failure path too: an unexpected error must not log content.
    run_cli(capsys, "show", "1", "--json")
    attach.unlink()
    hits = scan(
        [vault_path(), Path(tempfile.gettempdir()), Path(os.environ["HOME"]), paths.state_dir()], CANARY
    )
    assert hits == []
