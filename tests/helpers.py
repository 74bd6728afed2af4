"""Shared helpers: running the CLI in-process or as a real subprocess."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery staple"
CANARY = "Zebra-Canary-7Q3 marmalade lighthouse"


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run ``victim-log ARGS`` in this process (fast); the env supplies the passphrase."""
    from victim_log.cli import main

    code = main(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_proc(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, input: str | None = None
) -> Result:
    """Run ``victim-log ARGS`` as a real process (for exit codes, kill -9, stderr noise)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "victim_log.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def vault_path() -> Path:
    return Path(os.environ["VICTIM_LOG_VAULT"])


@contextlib.contextmanager
def computer_zone(zone: str) -> Iterator[None]:
    """The computer's time zone is ``zone`` for the block, then exactly as it was.

    The C library reads ``TZ`` only at ``time.tzset()``: putting ``TZ`` back without
    calling it again (monkeypatch's undo, after a fixture that ran tzset too early)
    left every later test in the process on this block's zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
