"""A process that does vault operations in a loop, to be killed with SIGKILL.

Usage: python -m tests.crash_driver OP COUNT [--crash-in FUNC --crash-at N]

It prints "ok <id>" after each operation the vault reported as done, flushing at
once, so the parent knows exactly what was promised before the kill. With
``--crash-in``, the named write-path function kills this process on its Nth call
(before it runs), to hit the exact moments a timer would rarely find.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any

PASSPHRASE = "correct horse battery staple"

CRASH_POINTS: dict[str, tuple[Any, str]] = {
    "os.replace": (os, "replace"),
    "os.fsync": (os, "fsync"),
    "os.write": (os, "write"),
}


def arm(name: str, at: int) -> None:
    if name == "commit":
        from victim_log.store import db

        real_tx = db.transaction
        calls = {"n": 0}
        import contextlib

        @contextlib.contextmanager
        def tx(conn: Any, what: str = "") -> Any:
            with real_tx(conn, what) as c:
                yield c
                calls["n"] += 1
                if calls["n"] >= at:
                    os.kill(os.getpid(), signal.SIGKILL)

        db.transaction = tx  # type: ignore[assignment]
        return
    if name == "anchor":  # after a commit, before the key file's anchor follows it
        from victim_log.crypto import keys

        CRASH_POINTS[name] = (keys, "update")
    owner, attr = CRASH_POINTS[name]
    real = getattr(owner, attr)
    count = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        count["n"] += 1
        if count["n"] >= at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(owner, attr, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("op")
    ap.add_argument("count", type=int)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--crash-in")
    ap.add_argument("--crash-at", type=int, default=1)
    ap.add_argument("--file")
    args = ap.parse_args()
    from victim_log.model import IncidentData
    from victim_log.vault import Vault

    vault = Vault.open(Path(os.environ["VICTIM_LOG_VAULT"]), PASSPHRASE, wait=True)
    if args.crash_in:
        arm(args.crash_in, args.crash_at)
    for i in range(args.start, args.start + args.count):
        if args.op == "add":
            iid = vault.add_incident(
                IncidentData(summary=f"crash test {i}", kinds=("message",), details="x" * (i % 50))
            )
            print(f"ok {iid}", flush=True)
        elif args.op == "edit":
            iid = 1
            cur = vault.get_incident(iid)
            vault.edit_incident(iid, IncidentData(summary=f"version {cur.version + 1}"), "edit")
            print(f"ok {cur.version + 1}", flush=True)
        elif args.op == "attach":
            data = f"evidence file {i}\n".encode() * (1 + i % 3000)
            eid, _ = vault.evidence.add_bytes(data, f"file{i}.txt", incident_id=1)
            print(f"ok {eid}", flush=True)
        elif args.op == "import":
            from victim_log.importers.service import ImportRequest
            from victim_log.importers.service import run_import

            report = run_import(vault, ImportRequest("sms-backup", Path(args.file), sender="07700900123"))
            print(f"ok {report.incidents_created}", flush=True)
        elif args.op == "export":
            from victim_log.export.bundle import export
            from victim_log.export.case import ExportOptions

            export(vault, Path(args.file), ExportOptions())
            print("ok 0", flush=True)
        elif args.op == "passwd":
            vault.change_passphrase(PASSPHRASE)
            print("ok 0", flush=True)
        else:
            sys.exit(f"unknown op {args.op}")
    vault.lock()


if __name__ == "__main__":
    main()
