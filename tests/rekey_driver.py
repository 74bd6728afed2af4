"""A process that re-keys the test vault and is killed part-way (tests/test_rekey_crash.py).

Usage: python -m tests.rekey_driver [--crash-in POINT --crash-at N] [--kill-in-rekey SECONDS]

Prints "staged <recovery key>" as soon as the new recovery key works and "ok" at the
end, flushing at once, so the parent knows what was promised before the kill.
``--crash-in`` uses the crash driver's points (os.replace, os.fsync, commit) plus
``rekey`` (just before SQLCipher re-encrypts) and ``finish`` (before the key file is
finished); ``--kill-in-rekey`` kills the process that many seconds into SQLCipher's
re-encryption.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.crash import ROOT
from tests.crash_driver import PASSPHRASE
from tests.crash_driver import arm

NEW_PASSPHRASE = "a brand new passphrase for the vault 7"


def run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` from the repository, this test's environment, text
    output, no check (a driver killed itself with SIGKILL)."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--crash-in")
    ap.add_argument("--crash-at", type=int, default=1)
    ap.add_argument("--kill-in-rekey", type=float)
    args = ap.parse_args()
    from victim_log.crypto import keys
    from victim_log.store import db
    from victim_log.vault import Vault

    vault = Vault.open(Path(os.environ["VICTIM_LOG_VAULT"]), PASSPHRASE, wait=True)
    real_rekey = db.rekey
    if args.crash_in == "rekey":

        def rekey_then_die(*a: Any) -> None:
            _kill()

        db.rekey = rekey_then_die  # type: ignore[assignment]
    elif args.crash_in == "finish":
        real_finish = keys.KeyFile.finish_rekey

        def finish_then_die(*a: Any) -> None:
            _kill()
            real_finish(*a)

        keys.KeyFile.finish_rekey = finish_then_die  # type: ignore[method-assign]
    elif args.kill_in_rekey is not None:
        delay = args.kill_in_rekey

        def rekey_killed(*a: Any) -> None:
            threading.Timer(delay, _kill).start()
            real_rekey(*a)

        db.rekey = rekey_killed  # type: ignore[assignment]
    elif args.crash_in:
        arm(args.crash_in, args.crash_at)
    vault.rekey(NEW_PASSPHRASE, staged=lambda r: print(f"staged {r}", flush=True))
    print("ok", flush=True)
    vault.lock()


if __name__ == "__main__":
    main()
