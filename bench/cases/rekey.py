"""Issue 17.1: re-key ("someone may know my passphrase") of a large vault.

A vault of 100,000 incidents with 1 GiB of evidence (2,000 incidents and 16 MiB in
quick mode), built with the shared builder. Ours: ``Vault.rekey`` in a fresh process
(the unlock before it is not timed; the new passphrase slot's Argon2id is, as the
person waits for it too): the key file staged, every file key rewrapped, SQLCipher's
rekey of the whole database with its journal kept and zeroed afterwards, the key file
finished. Reference, same vault, same run: SQLCipher's own way to re-encrypt a
database, ``sqlcipher_export`` into a new file under a new key. Runs alternate
(re-keying back and forth between two passphrases).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..harness import GIB
from ..harness import MIB
from ..harness import PASSPHRASE
from ..harness import CaseReport
from ..harness import Context
from ..harness import Goal
from ..harness import Row
from ..harness import mb
from ..harness import median
from ..harness import paired_ratio
from ..harness import progress
from ..harness import rss_mb
from ..harness import run_python
from ..harness import secs
from ..harness import spread
from .fixtures import make_vault

NAME = "rekey"
TITLE = "Re-key of a large vault (someone may know my passphrase)"
ISSUE = 17
GOALS = [Goal("17.1.rekey", 17, "Re-key of a 100,000-incident vault with 1 GiB of evidence (bench row)")]
OTHER = "bench re-key passphrase: quartz meadow lantern 91"


def rekey_child(args: dict[str, Any]) -> dict[str, Any]:
    from victim_log.crypto import keys
    from victim_log.vault import Vault

    stages: dict[str, float] = {}
    with Vault.open(Path(args["path"]), args["old"]) as vault:
        start = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            stages.setdefault(stage, time.perf_counter() - start)

        vault.rekey(args["new"], kdf=keys.KdfParams(**args["kdf"]), progress=progress)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "stages": stages}


def export_child(args: dict[str, Any]) -> dict[str, Any]:
    """The reference: SQLCipher's sqlcipher_export of the same database to a new key."""
    import secrets

    from victim_log.vault import Vault

    out = Path(args["out"])
    out.unlink(missing_ok=True)
    with Vault.open(Path(args["path"]), args["old"]) as vault:
        conn = vault.conn
        start = time.perf_counter()
        conn.execute(f"ATTACH DATABASE ? AS rk KEY \"x'{secrets.token_hex(32)}'\"", (str(out),))
        conn.execute("SELECT sqlcipher_export('rk')").fetchone()
        conn.execute("DETACH DATABASE rk")
        seconds = time.perf_counter() - start
    size = out.stat().st_size
    out.unlink()
    return {"seconds": seconds, "bytes": size}


def run(ctx: Context, report: CaseReport) -> None:
    count = ctx.size(100_000, 2_000)
    evidence = ctx.size(GIB, 16 * MIB)
    folder = ctx.scratch("rekey")
    kdf = ctx.kdf()
    with progress(ctx, f"building a vault with {count:,} incidents and {mb(evidence)} of evidence"):
        made = make_vault(ctx, folder, count, evidence_bytes=evidence)
    path = Path(made["path"])
    db_bytes = (path / "vault.db").stat().st_size
    params = {"iterations": kdf.iterations, "memory_kib": kdf.memory_kib, "lanes": kdf.lanes}
    ours: list[float] = []
    ref: list[float] = []
    rss: list[int] = []
    stages: list[dict[str, float]] = []
    current, other = PASSPHRASE, OTHER
    for i in range(min(ctx.reps, 3)):
        ctx.log(f"  re-key / sqlcipher_export {i + 1}")
        child, result = run_python(
            "bench.cases.rekey:export_child",
            {"path": str(path), "old": current, "out": str(folder / "export.db")},
            ctx=ctx,
        )
        ref.append(float(result["seconds"]))
        child, result = run_python(
            "bench.cases.rekey:rekey_child",
            {"path": str(path), "old": current, "new": other, "kdf": params},
            ctx=ctx,
        )
        ours.append(float(result["seconds"]))
        stages.append(result["stages"])
        rss.append(child.peak_rss)
        current, other = other, current
    ratio = paired_ratio(ours, ref)
    scale = "" if count == 100_000 else f" ({count:,} incidents, {mb(evidence)}, quick)"
    last = stages[-1]
    report.rows.append(
        Row(
            NAME,
            f"re-key: database {mb(db_bytes)}, {mb(made['evidence_bytes'])} of evidence",
            "17.1.rekey",
            ours=f"{secs(median(ours))}{scale}",
            reference=f"sqlcipher_export to a new key: {secs(median(ref))}",
            ratio=f"{ratio:.2f}x time, lower is better",
            met=None,
            rss=rss_mb(max(rss)),
            note="Includes the new passphrase slot's Argon2id (about 1 s; its 256 MiB is most "
            "of the peak RSS) and zeroing the "
            "journal (a full copy of the database, kept in place) afterwards; evidence files "
            "are not rewritten (only their keys). Stages started at: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in last.items()),
            data={"rekey_s": ours, "export_s": ref, "ratio": ratio, "db_bytes": db_bytes, "stages": stages},
        )
    )
    report.details.append(f"re-key {spread(ours, secs)}; sqlcipher_export {spread(ref, secs)}")
