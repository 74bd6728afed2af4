"""Issue 20: the pattern's figures (``victim-log stats``, the pattern view, the key
facts page) for 100,000 incidents.

Ours: ``compute(tally(conn, IncidentFilter(), zone, today))``: every figure (weeks,
months, kinds, people, the weekday x hour grid, streaks, gaps, escalation, FOUR) on
the case's clock, from the encrypted vault, read from the per-day totals the vault
keeps as entries are written (store/stats.py). The benchmark vault is filled before
they exist, so the child's first call counts them (once, as after an upgrade or a
change of the case zone): that time is reported apart. Reference: the plain SQL a developer would
write first, one ``GROUP BY`` of day and kinds over the same timeline table on the
plain (unencrypted) SQLite twin, which gives the weekly chart's raw counts and nothing
else. Both in one child, alternating, after a warm-up.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from ..harness import CaseReport
from ..harness import Context
from ..harness import Goal
from ..harness import Row
from ..harness import clean_float
from ..harness import median
from ..harness import ms
from ..harness import paired_ratio
from ..harness import rss_mb
from ..harness import run_python
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
    from victim_log.vault import IncidentFilter
    from victim_log.vault import Vault

    vault = Vault.open(Path(args["vault"]), recovery_key=args["recovery"])
    zone = casetime.use_vault_zone(vault)
    plain = sqlite3.connect(args["plain"], isolation_level=None)
    today = date.fromisoformat(args["today"])

    def ours() -> int:
        return compute(tally(vault.conn, IncidentFilter(), zone, today)).total

    def reference() -> int:
        return sum(int(r[3]) for r in plain.execute(PLAIN_SQL).fetchall())

    start = time.perf_counter()
    total = ours()
    first = time.perf_counter() - start
    got: dict[str, Any] = {
        "ours": [],
        "plain": [],
        "total": total,
        "plain_total": reference(),
        "first": first,
    }
    for i in range(int(args["reps"])):
        pair = [("ours", ours), ("plain", reference)]
        for side, fn in pair if i % 2 == 0 else pair[::-1]:
            start = time.perf_counter()
            fn()
            got[side].append(time.perf_counter() - start)
    vault.lock()
    return got


def view_child(args: dict[str, Any]) -> dict[str, Any]:
    """Child: open the pattern dialog on the open vault (as Alt+N does) and time, from
    the call, its first paint ("Counting...") and the first paint of the weekly chart
    with the counts drawn."""
    from PySide6.QtCore import QEvent
    from PySide6.QtCore import QObject
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    from victim_log import casetime
    from victim_log.gui.shell.app import make_application
    from victim_log.gui.shell.neutral import face_for
    from victim_log.gui.shell.session import Session
    from victim_log.gui.tools.patterndialog import PatternDialog
    from victim_log.prefs import load_prefs
    from victim_log.vault import Vault

    app = make_application(face_for(load_prefs()))
    vault = Vault.open(Path(args["vault"]), recovery_key=args["recovery"])
    casetime.use_vault_zone(vault)
    session = Session(Path(args["vault"]))
    session.set_vault(vault)
    out: dict[str, list[float]] = {"first_paint": [], "counts_drawn": [], "counted": []}
    state: dict[str, Any] = {}

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
            dialog = state.get("dialog")
            if event.type() != QEvent.Type.Paint or dialog is None or not isinstance(watched, QWidget):
                return False
            now = time.perf_counter()
            if watched.window() is dialog and "first" not in state:
                state["first"] = now
            if watched is dialog.view.chart and dialog.view.stats is not None and "drawn" not in state:
                state["drawn"] = now
                QTimer.singleShot(0, lambda: app.exit(0))
            return False

    watch = Watch()
    app.installEventFilter(watch)
    for _ in range(int(args["reps"])):
        state.clear()
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(lambda: app.exit(1))
        guard.start(60_000)
        start = time.perf_counter()
        dialog = PatternDialog(session)
        state["dialog"] = dialog
        dialog.view.chart.set_weeks = _timed(dialog.view.chart.set_weeks, state)  # type: ignore[method-assign]
        dialog.show()
        code = app.exec()
        guard.stop()
        if code != 0:
            raise RuntimeError("the pattern view was never drawn with its counts")
        out["first_paint"].append(state["first"] - start)
        out["counts_drawn"].append(state["drawn"] - start)
        out["counted"].append(state["counted"] - start)
        dialog.close()
        dialog.deleteLater()
        app.processEvents()
    vault.lock()
    return out


def _timed(fn: Any, state: dict[str, Any]) -> Any:
    def wrapper(*a: Any) -> Any:
        state.setdefault("counted", time.perf_counter())
        return fn(*a)

    return wrapper


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
                "time), people, the grid, context replies and the checks behind escalation, read from "
                f"the per-day totals kept as entries are written; counting those the first time (once, "
                f"as after an upgrade or a zone change) took {res['first']:.1f} s."
            ),
            data={
                "median_s": clean_float(ours, 6),
                "plain_median_s": clean_float(plain, 6),
                "ratio": clean_float(ratio),
                "first_count_s": clean_float(res["first"], 3),
            },
        )
    )
    _view(ctx, report, big)


def _view(ctx: Context, report: CaseReport, big: fixtures.BigVault) -> None:
    try:
        import PySide6  # noqa: F401
    except ImportError:
        report.rows.append(
            Row(NAME, "Pattern view opens", "20.view", status="not measured", note="no PySide6")
        )
        return
    child, res = run_python(
        "bench.cases.stats:view_child",
        {"vault": str(big.path), "recovery": big.recovery_key, "reps": max(3, ctx.reps)},
        ctx=ctx,
        timeout=600,
    )
    drawn, first, counted = median(res["counts_drawn"]), median(res["first_paint"]), median(res["counted"])
    scale = "" if big.incidents == 100_000 else f" ({big.incidents:,} incidents, quick)"
    report.rows.append(
        Row(
            NAME,
            "Pattern view opens",
            "20.view",
            ours=f"{ms(drawn)} to the chart drawn with its counts{scale}",
            reference=f"first paint (Counting…) {ms(first)}",
            met=drawn < 0.300,
            rss=rss_mb(child.peak_rss),
            note=(
                f"A child opens the pattern dialog on the open 100,000-incident vault, offscreen, "
                f"{len(res['counts_drawn'])} times; median from the call to the dialog's first paint "
                f"{ms(first)}, to the counted figures handed to the view {ms(counted)} (counted on a "
                f"worker thread), to the weekly chart painted with them {ms(drawn)}."
            ),
            data={
                "counts_drawn_s": res["counts_drawn"],
                "first_paint_s": res["first_paint"],
                "counted_s": res["counted"],
            },
        )
    )
