"""Issue 20: the pattern's figures (``victim-log stats``, the pattern view, the key
facts page) for 100,000 incidents.

Ours: ``compute(tally(conn, IncidentFilter(), zone, today))``: every figure (weeks,
months, kinds, people, the weekday x hour grid, streaks, gaps, escalation, FOUR) on
the case's clock, from the encrypted vault. Reference: the plain SQL a developer would
write first, one ``GROUP BY`` of day and kinds over the same timeline table on the
plain (unencrypted) SQLite twin, which gives the weekly chart's raw counts and nothing
else. Both in one child, alternating, after a warm-up.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from ..harness import (
    CaseReport,
    Context,
    Goal,
    Row,
    clean_float,
    median,
    ms,
    paired_ratio,
    rss_mb,
    run_python,
)
from . import fixtures

NAME = "stats"
TITLE = "Pattern figures (stats) for 100,000 incidents"
ISSUE = 20
GOALS = [
    Goal("20.stats", 20, "Stats for 100,000 incidents < 200 ms (against a plain SQL GROUP BY)"),
    Goal("20.view", 20, "The pattern view opens in < 300 ms on that vault"),
]

PLAIN_SQL = (
    "SELECT substr(occurred_start, 1, 10), kinds, breach, count(*) FROM incidents"
    " WHERE deleted = 0 AND context = 0 GROUP BY 1, 2, 3"
)


def stats_child(args: dict[str, Any]) -> dict[str, Any]:
    """Child: ours and the plain GROUP BY, alternating."""
    import sqlite3

    from victim_log import casetime
    from victim_log.stats import compute
    from victim_log.store.stats import tally
    from victim_log.vault import IncidentFilter, Vault

    vault = Vault.open(Path(args["vault"]), recovery_key=args["recovery"])
    zone = casetime.use_vault_zone(vault)
    plain = sqlite3.connect(args["plain"], isolation_level=None)
    today = date.fromisoformat(args["today"])

    def ours() -> int:
        return compute(tally(vault.conn, IncidentFilter(), zone, today)).total

    def reference() -> int:
        return sum(int(r[3]) for r in plain.execute(PLAIN_SQL).fetchall())

    got: dict[str, Any] = {"ours": [], "plain": [], "total": ours(), "plain_total": reference()}
    for i in range(int(args["reps"])):
        pair = [("ours", ours), ("plain", reference)]
        for side, fn in pair if i % 2 == 0 else pair[::-1]:
            start = time.perf_counter()
            fn()
            got[side].append(time.perf_counter() - start)
    vault.lock()
    return got


def run(ctx: Context, report: CaseReport) -> None:
    big = fixtures.big_vault(ctx)
    child, res = run_python(
        "bench.cases.stats:stats_child",
        {
            "vault": str(big.path),
            "recovery": big.recovery_key,
            "plain": str(big.plain_db),
            "today": date.today().isoformat(),
            "reps": max(5, ctx.reps * 3),
        },
        ctx=ctx,
    )
    ours, plain = median(res["ours"]), median(res["plain"])
    ratio = paired_ratio(res["ours"], res["plain"])
    scale = "" if big.incidents == 100_000 else f" ({big.incidents:,} incidents, quick)"
    report.rows.append(
        Row(
            NAME,
            "All pattern figures vs one plain GROUP BY",
            "20.stats",
            ours=f"{ms(ours)} median{scale}",
            reference=f"plain SQLite GROUP BY {ms(plain)}",
            ratio=f"{ratio:.2f}x time (ours/plain; lower is better)",
            met=ours < 0.200,
            rss=rss_mb(child.peak_rss),
            note=(
                f"{res['total']:,} incidents counted ({res['plain_total']:,} by the plain query, which "
                "also counts undated and implausibly dated ones). Ours adds the case clock (summer "
                "time), people, the grid, context replies and the checks behind escalation."
            ),
            data={
                "median_s": clean_float(ours, 6),
                "plain_median_s": clean_float(plain, 6),
                "ratio": clean_float(ratio),
            },
        )
    )
    report.rows.append(
        Row(
            NAME,
            "Pattern view opens",
            "20.view",
            status="not measured",
            note="GUI timing not benchmarked yet.",
        )
    )
