"""Issue 23: what the fault run found slow. ``list --json`` of an imported vault against
``list`` (text) on the same vault, and ``check`` of 100,000 incidents without evidence.

The vault is shaped like a big import: every incident cites the one exhibit (the chat
export itself), which is what made each ``list --json`` row read tens of thousands
of links. Both commands run as real processes, alternating, so the ratio carries the
machine's noise on both sides. ``check`` is set against the floor under it, measured
the same way: a process that unlocks the same vault and runs only SQLite's own
whole-file checks (``cipher_integrity_check`` and ``integrity_check``), which ``check``
runs too, beside its walk of the journal, the records and the timeline.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from ..harness import PASSPHRASE
from ..harness import CaseReport
from ..harness import Context
from ..harness import Goal
from ..harness import Row
from ..harness import median
from ..harness import paired_ratio
from ..harness import progress
from ..harness import rss_mb
from ..harness import run as run_child
from ..harness import run_python
from ..harness import secs
from ..harness import spread

NAME = "faults"
TITLE = "list --json and check at 100,000 incidents (fault run)"
ISSUE = 23
GOALS = [
    Goal("23.7", 23, "list --json of 100,000 imported incidents within 2x of list (text)"),
    Goal("23.8.check", 23, "check of 100,000 incidents without evidence < 5 s"),
]


def build_child(args: dict[str, Any]) -> dict[str, Any]:
    """Child: a vault of ``count`` incidents that all cite one exhibit, as an import makes."""
    from victim_log.crypto import keys
    from victim_log.model import IncidentData
    from victim_log.vault import Vault

    path = Path(args["folder"]) / "vault"
    vault, _recovery = Vault.create(path, PASSPHRASE, kdf=keys.KdfParams(**args["kdf"]))
    count = int(args["count"])
    with vault:
        eid, _ = vault.evidence.add_bytes(b"WhatsApp chat export\n" * 5000, "WhatsApp Chat.zip")
        for start in range(0, count, 20_000):
            with vault.batch("import") as tx:
                tx.add_incidents(
                    [
                        (
                            IncidentData(
                                summary=f"Message {i}",
                                kinds=("message",),
                                occurred_start=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
                                f"T{i % 24:02d}:{i % 60:02d}:00+00:00",
                                details="You know where I am. " * (1 + i % 4),
                                source=f"import:whatsapp line {i}",
                            ).validated(),
                            (eid,),
                        )
                        for i in range(start, min(count, start + 20_000))
                    ],
                    "imported",
                )
    return {"path": str(path)}


def sqlite_check_child(args: dict[str, Any]) -> dict[str, Any]:
    """Child: unlock the vault and run only SQLite's own checks (the reference for
    ``check``: what it costs before any of our comparisons)."""
    from victim_log.store import db
    from victim_log.vault import Vault

    with Vault.open(Path(args["path"]), PASSPHRASE) as vault:
        problems = db.integrity_problems(vault.conn)
    return {"problems": len(problems)}


def run(ctx: Context, report: CaseReport) -> None:
    count = ctx.size(100_000, 2_000)
    folder = ctx.scratch("faults")
    kdf = ctx.kdf()
    with progress(ctx, f"building an imported-style vault with {count:,} incidents"):
        _c, made = run_python(
            "bench.cases.faults:build_child",
            {
                "folder": str(folder),
                "count": count,
                "kdf": {"iterations": kdf.iterations, "memory_kib": kdf.memory_kib, "lanes": kdf.lanes},
            },
            ctx=ctx,
        )
    env = {**os.environ, "VICTIM_LOG_PASSPHRASE": PASSPHRASE, "VICTIM_LOG_VAULT": made["path"]}

    def cli(*args: str) -> tuple[float, int]:
        child = run_child([sys.executable, "-m", "victim_log.cli", *args], ctx=ctx, env=env)
        return child.seconds, child.peak_rss

    # As a diary in use: the pattern figures' kept counts exist (the first `stats`
    # counts them), so `check` also compares them with the timeline (#20).
    with progress(ctx, "counting the pattern figures once (stats)"):
        cli("stats")
    text: list[float] = []
    as_json: list[float] = []
    rss: list[int] = []
    check: list[float] = []
    floor: list[float] = []
    for i in range(ctx.reps):
        ctx.log(f"  list / list --json / check / SQLite's checks {i + 1}/{ctx.reps}")
        text.append(cli("list")[0])
        seconds, peak = cli("list", "--json")
        as_json.append(seconds)
        rss.append(peak)
        check.append(cli("check")[0])
        floor.append(
            run_python("bench.cases.faults:sqlite_check_child", {"path": made["path"]}, ctx=ctx, env=env)[
                0
            ].seconds
        )
    ratio = paired_ratio(as_json, text)
    scale = "" if count == 100_000 else f" ({count:,} incidents, quick)"
    report.rows.append(
        Row(
            NAME,
            "list --json vs list (imported vault)",
            "23.7",
            ours=f"{secs(median(as_json))}{scale}",
            reference=f"list: {secs(median(text))}",
            ratio=f"{ratio:.2f}x time, lower is better",
            met=ratio <= 2.0,
            rss=rss_mb(max(rss)),
            note="Real processes, alternating; every incident cites the one exhibit. Exhibits "
            "for a page of rows in one query; bodies read in one pass; one row a line.",
            data={"json_s": as_json, "text_s": text, "ratio": ratio, "incidents": count},
        )
    )
    check_ratio = paired_ratio(check, floor)
    report.rows.append(
        Row(
            NAME,
            "check, no evidence files to decrypt but one",
            "23.8.check",
            ours=f"{secs(median(check))}{scale}",
            reference=f"unlock + SQLite's integrity checks: {secs(median(floor))}",
            ratio=f"{check_ratio:.2f}x time, lower is better",
            met=median(check) < 5,
            note="Goal is the absolute time. Journal chain, every record against its entry, "
            "the timeline against each latest version, the one exhibit; each table read "
            "once a page at a time, SQLite's checks on a second connection beside it.",
            data={"check_s": check, "sqlite_checks_s": floor, "ratio": check_ratio},
        )
    )
    report.details.append(
        f"list {spread(text, secs)}; list --json {spread(as_json, secs)}; "
        f"check {spread(check, secs)}; unlock + SQLite's checks {spread(floor, secs)}"
    )
    shutil.rmtree(folder, ignore_errors=True)
