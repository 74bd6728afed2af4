"""``check``: is the diary as it was saved?

It re-walks the hash-chained journal, compares every stored record with its entry
and the timeline with each incident's latest version (:mod:`victim_log.store.check`),
runs SQLite's and SQLCipher's whole-file checks, lists evidence files no exhibit
refers to, decrypts every blob against its intake hash (``check_blobs``) and reports
a database found behind the journal head anchored in the key file. It also says
where the computer's clock went back (not damage, but a question a defence lawyer
will ask). Reading only: nothing here writes.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import paths
from .store import check as store_check
from .store import db
from .store import exhibits
from .store import journal
from .store.records import RECORD_KINDS
from .textsafe import plural

ROLLBACK_EVENT = "history_rollback_found"
ORPHAN_GRACE_SECONDS = 3600.0  # an unreferenced blob younger than this may be a save in progress
_BLOB_NAME = re.compile(r"[0-9a-f]{32}")


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    journal_entries: int = 0
    incidents: int = 0
    blobs_checked: int = 0
    history_warning: str | None = None  # what the unlock found (see UnlockInfo)
    orphaned_blobs: list[str] = field(default_factory=list)  # file names only

    @property
    def ok(self) -> bool:
        return not self.problems


def check(
    conn: db.Connection,
    path: Path,
    sqlcipher_key: bytes,
    *,
    history_warning: str | None,
    count_incidents: Callable[[], int],
    check_blobs: Callable[[], tuple[int, list[str]]] | None,
) -> CheckReport:
    """Re-walk the journal, every stored record, the indexes and (when ``check_blobs``
    is given) every blob; ``history_warning`` is what the unlock found.

    Each table is read once, a page at a time, in key order (#23.8): the journal
    (its chain), then the records (each against its entry, and each incident's
    latest version against its timeline row, see :func:`victim_log.store.check.check_records`).
    """
    report = CheckReport()
    # SQLite's whole-file checks (a third of the time at 100,000 incidents) run on a
    # connection of their own in another thread while this one walks the journal
    # and the records: SQLite lets go of Python's lock while it works.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-check") as pool:
        integrity = pool.submit(_integrity_beside, path, sqlcipher_key)
        walk = journal.walk(conn, record_kinds=RECORD_KINDS, keep_actions=(ROLLBACK_EVENT,))
        found = store_check.check_records(conn, walk.records)
        beside = integrity.result()
    report.problems.extend(db.integrity_problems(conn) if beside is None else beside)
    report.journal_entries = walk.count
    report.problems.extend(walk.problems)
    report.problems.extend(found)
    report.incidents = count_incidents()
    rollbacks = _history_problems(walk.kept, report, history_warning)
    report.orphaned_blobs = _orphaned_blobs(conn, path, recent_too=rollbacks)
    if report.orphaned_blobs:
        n = len(report.orphaned_blobs)
        shown = ", ".join(report.orphaned_blobs[:5]) + (", ..." if n > 5 else "")
        report.problems.append(
            f"{plural(n, 'stored evidence file belongs', 'stored evidence files belong')} "
            f"to no exhibit ({shown}): left by an interrupted save, or the database was "
            "put back to an older copy that does not know them"
        )
    if check_blobs is not None:
        report.blobs_checked, blob_problems = check_blobs()
        report.problems.extend(blob_problems)
    return report


def _integrity_beside(path: Path, sqlcipher_key: bytes) -> list[str] | None:
    """:func:`db.integrity_problems` on a second connection to the database; None
    when that does not open (``check`` then runs them on its own connection, which
    reports why)."""
    try:
        conn = db.connect(path / paths.DB_NAME, sqlcipher_key)
    except Exception:  # whatever it is, the check on our own connection reports it
        return None
    try:
        return db.integrity_problems(conn)
    finally:
        conn.close()


def _history_problems(chain: list[journal.JournalEntry], report: CheckReport, warning: str | None) -> bool:
    """Rollbacks found at unlock (this one, or recorded in the journal before);
    True when there was any."""
    report.history_warning = warning
    found = False
    for entry in chain:
        if entry.action == ROLLBACK_EVENT and entry.kind == "vault":
            found = True
            d = entry.detail
            report.problems.append(
                f"journal entry {entry.seq} records that on {entry.at[:10]} the database was "
                f"found behind its history (entry {d.get('anchored_seq', '?')} had been "
                f"saved; the database ended at entry {d.get('found_seq', '?')}): an older "
                "copy of vault.db had been put back"
            )
    if warning and not found:
        found = True  # the unlock could not record it: report it as it was said
        report.problems.append(warning)
    return found


def _orphaned_blobs(conn: db.Connection, path: Path, *, recent_too: bool) -> list[str]:
    """Names of finished blob files that no evidence row references.

    One younger than :data:`ORPHAN_GRACE_SECONDS` may be an intake still running
    in another window (files are written before their transaction), so it is
    left out unless the history was rolled back.
    """
    root = path / paths.BLOB_DIR
    known = exhibits.known_blob_ids(conn)
    now = time.time()
    out: list[str] = []
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return out
    for folder in folders:
        with contextlib.suppress(OSError):
            for blob in sorted(folder.iterdir()):
                if not _BLOB_NAME.fullmatch(blob.name) or blob.name in known:
                    continue
                if not recent_too and now - blob.stat().st_mtime < ORPHAN_GRACE_SECONDS:
                    continue
                out.append(blob.name)
    return out


def clock_went_back(conn: db.Connection, limit: int = 5) -> list[str]:
    """Where a recorded-at time is earlier than the one before it in the journal.

    Recorded-at times come from the computer's clock; set back (by hand, a dead
    CMOS battery, a wrong time zone), it makes a later entry look older than an
    earlier one. Nothing is wrong with the entries, but a defence lawyer will ask,
    so ``check`` and the export say where it happened (not an integrity problem).
    """
    out: list[str] = []
    count = 0
    latest: tuple[float, int, str] | None = None
    # One stamp is read once for the entries after it that carry the same one (an
    # import stamps thousands with the same second; reading each was most of the
    # time this takes, #23.8).
    last_at: Any = None
    when = 0.0
    for seq, at, kind, rid in journal.times(conn):
        if at != last_at or type(at) is not str:
            last_at = None
            try:
                when = datetime.fromisoformat(str(at)).timestamp()
            except (ValueError, OverflowError, OSError):
                continue
            last_at = at
        if latest is not None and when < latest[0] - 1:
            count += 1
            if len(out) < limit:
                what = f"{kind} {rid}" if kind != "vault" else "a vault event"
                out.append(
                    f"journal entry {seq} ({what}) was recorded at {at}, earlier "
                    f"than entry {latest[1]} before it ({latest[2]}): the "
                    "computer's clock was set back in between"
                )
        if latest is None or when >= latest[0]:
            latest = (when, int(seq), str(at))
    if count > limit:
        out.append(f"... and {count - limit} more entries recorded after the clock went back")
    return out
