"""Inputs several cases share, built once per run: the 100,000-incident vault and its
plain-SQLite twin.

The vault is filled through the vault's own transaction helper in batches
(``tx.add_incidents`` inside ``vault.transaction()``), which writes exactly what
``add_incident`` writes (record, journal entry, timeline index, search index) without
a commit per incident: 100,000 separate fsync'd commits would take most of an hour
and measure the disk, not us. It is built in a child process (see
:func:`_without_memory_wiping` for the one thing that child does differently) with
real Argon2id costs calibrated on this machine.

The plain twin is stdlib ``sqlite3`` (unencrypted) holding the same ``incidents``
table, index and FTS5 table, created from the vault's own ``CREATE`` statements and
filled with the same rows in the same batch sizes, so the FTS5 segment layout is
alike. Queries run against it through the vault's own query code (see
:func:`plain_vault`), so both sides execute the same SQL.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import data
from ..harness import PASSPHRASE
from ..harness import Context
from ..harness import progress
from ..harness import run_python

BATCH = 5000
PLAIN_TABLES = ("incidents", "incidents_by_time", "incident_fts")


@dataclass(frozen=True)
class BigVault:
    path: Path
    recovery_key: str
    incidents: int
    build_seconds: float
    plain_db: Path
    plain_seconds: float
    db_bytes: int


def incident_data(t: data.IncidentText, person_ids: list[int]) -> Any:
    from victim_log.model import IncidentData
    from victim_log.model import PoliceReport

    return IncidentData(
        summary=t.summary,
        kinds=t.kinds,
        occurred_start=t.occurred_start,
        precision=t.precision,
        location=t.location,
        details=t.details,
        people=tuple(person_ids[i] for i in t.people),
        effects=t.effects,
        effect_text=t.effect_text,
        actions=t.actions,
        police=PoliceReport(reference=t.police_reference),
    ).validated()


def fill_vault(vault: Any, count: int, *, seed: int = 20240301) -> None:
    from victim_log.model import PersonData

    person_ids = [
        vault.add_person(
            PersonData(
                name=str(p["name"]),
                role=str(p["role"]),
                aliases=tuple(p["aliases"]),
                phones=tuple(p["phones"]),
                accounts=tuple(p["accounts"]),
                vehicles=tuple(p["vehicles"]),
            )
        )
        for p in data.PEOPLE
    ]
    texts = data.incidents(count, seed=seed)
    done = 0
    while done < count:
        n = min(BATCH, count - done)
        with vault.transaction("the benchmark data") as tx:
            for _ in range(n):
                tx.add_incidents([(incident_data(next(texts), person_ids), ())], "created")
        done += n


def _without_memory_wiping() -> None:
    """Make this process's SQLCipher connections skip ``cipher_memory_security``.

    When it is on (SQLCipher then wipes every allocation it frees) bulk inserts are
    about 25 times slower. It governs only how this process handles memory, never what
    is written to disk, so the vault file built here is the same either way. Used in
    the child that builds the fixture, and by the search case's diagnostic run when the
    app has it on; every other measuring process opens the vault exactly as the app does.
    """
    import sqlcipher3

    from victim_log.store import db

    class _Connection(sqlcipher3.Connection):  # type: ignore[misc]
        def execute(self, sql: str, *args: Any) -> Any:
            if sql.startswith("PRAGMA cipher_memory_security"):
                sql = "SELECT 1"
            return super().execute(sql, *args)

    class _Module:
        def __getattr__(self, name: str) -> Any:
            return getattr(sqlcipher3, name)

        def connect(self, *args: Any, **kwargs: Any) -> Any:
            return sqlcipher3.connect(*args, factory=_Connection, **kwargs)

    setattr(db, "sqlcipher3", _Module())  # noqa: B010 - replacing a module the type checker knows


def build_child(args: dict[str, Any]) -> dict[str, Any]:
    """Child process: create and fill a vault, then (optionally) its plain twin."""
    from victim_log.crypto import keys
    from victim_log.vault import Vault

    _without_memory_wiping()
    folder = Path(args["folder"])
    path = folder / "vault"
    kdf = keys.KdfParams(**args["kdf"])
    start = time.perf_counter()
    vault, recovery = Vault.create(path, PASSPHRASE, kdf=kdf)
    with vault:
        fill_vault(vault, int(args["count"]), seed=int(args.get("seed", 20240301)))
        evidence_bytes = _add_evidence(vault, folder, int(args.get("evidence_bytes", 0)), int(args["count"]))
    built = time.perf_counter() - start
    copied = 0.0
    if args.get("plain"):
        start = time.perf_counter()
        copy_to_plain(path, recovery, folder / "plain.sqlite")
        copied = time.perf_counter() - start
    return {
        "path": str(path),
        "recovery": recovery,
        "build_seconds": built,
        "copy_seconds": copied,
        "evidence_bytes": evidence_bytes,
    }


def _add_evidence(vault: Any, folder: Path, total: int, incidents: int) -> int:
    """Attach ``total`` bytes of generated exhibits (data.case_exhibits) to incidents
    spread through the log, each file written, taken in and deleted in turn."""
    import random

    if total <= 0:
        return 0
    rng = random.Random(9)  # noqa: S311
    stored = 0
    for n, (kind, size) in enumerate(data.case_exhibits(total)):
        src = data.exhibit_file(folder / f"{kind}-{n}.bin", kind, size)
        incident = rng.randrange(1, incidents + 1) if incidents else None
        vault.evidence.add(src, incident_id=incident)
        src.unlink()
        stored += size
    return stored


def make_vault(
    ctx: Context, folder: Path, count: int, *, plain: bool = False, evidence_bytes: int = 0
) -> dict[str, Any]:
    """A vault at ``folder/vault`` holding ``count`` generated incidents and
    ``evidence_bytes`` of exhibits attached to them (built in a child)."""
    kdf = ctx.kdf()
    _child, result = run_python(
        "bench.cases.fixtures:build_child",
        {
            "folder": str(folder),
            "count": count,
            "plain": plain,
            "evidence_bytes": evidence_bytes,
            "kdf": {"iterations": kdf.iterations, "memory_kib": kdf.memory_kib, "lanes": kdf.lanes},
        },
        ctx=ctx,
    )
    return result


def copy_to_plain(vault_path: Path, recovery: str, plain: Path) -> None:
    from victim_log.vault import Vault

    plain.unlink(missing_ok=True)
    with Vault.open(vault_path, recovery_key=recovery) as vault:
        src = vault.conn
        out = sqlite3.connect(plain, isolation_level=None)
        try:
            for name in PLAIN_TABLES:
                row = src.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
                out.execute(row[0])
            cols = [r[1] for r in src.execute("PRAGMA table_info(incidents)")]
            rows = src.execute(f"SELECT {', '.join(cols)} FROM incidents ORDER BY id").fetchall()
            fts = src.execute(
                "SELECT rowid, summary, details, location, people FROM incident_fts ORDER BY rowid"
            ).fetchall()
            insert = f"INSERT INTO incidents ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for i in range(0, len(rows), BATCH):
                out.execute("BEGIN")
                out.executemany(insert, rows[i : i + BATCH])
                out.executemany(
                    "INSERT INTO incident_fts (rowid, summary, details, location, people) VALUES (?,?,?,?,?)",
                    fts[i : i + BATCH],
                )
                out.execute("COMMIT")
        finally:
            out.close()


def big_vault(ctx: Context) -> BigVault:
    """The shared 100,000-incident vault (2,000 in quick mode) and its plain twin."""

    def build() -> BigVault:
        count = ctx.size(100_000, 2_000)
        folder = ctx.scratch("big-vault")
        with progress(ctx, f"building a vault with {count:,} incidents and its plain twin"):
            result = make_vault(ctx, folder, count, plain=True)
        path = Path(result["path"])
        return BigVault(
            path=path,
            recovery_key=result["recovery"],
            incidents=count,
            build_seconds=result["build_seconds"],
            plain_db=folder / "plain.sqlite",
            plain_seconds=result["copy_seconds"],
            db_bytes=(path / "vault.db").stat().st_size,
        )

    return ctx.fixture("big-vault", build)


def plain_vault(plain_db: Path, cache_size: int) -> Any:
    """A Vault object whose connection is the plain SQLite twin.

    Only the read-only query methods are used on it (``search``, ``list_incidents``,
    ``count_incidents``), so ours and the reference run the same Python and the same
    SQL; the only difference is the database underneath. ``temp_store = MEMORY`` and
    the page cache size match the vault's own connection, so what remains is the
    encryption (and SQLCipher's memory wiping).
    """
    from victim_log.vault import Vault

    conn = sqlite3.connect(plain_db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
    plain = Vault.__new__(Vault)
    setattr(plain, "_conn", conn)  # noqa: B010 - a plain sqlite3 connection where the vault keeps its own
    plain._data_key = None
    return plain
