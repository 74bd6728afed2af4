"""``python -m bench [--quick] [--only NAME[,NAME]] [--reps N] [--keep-work]``

Runs the cases in bench/cases/, prints one table and writes the results:

* full size, all cases: ``bench/results.md`` and ``bench/results.json`` (committed);
* full size with ``--only``: the named cases replace theirs in those files;
* ``--quick``: ``bench/work/results-quick.md`` and ``.json`` (the committed files
  keep full-size numbers).

The exit status is 0 whether goals are met or not (a benchmark is not a test), and 1
only when a case crashed, so CI notices a benchmark that has rotted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .cases import CASES
from .harness import BENCH_DIR
from .harness import GIB
from .harness import CaseReport
from .harness import Context
from .harness import Row
from .harness import Skip
from .harness import code_version
from .harness import load_previous
from .harness import machine_info
from .harness import now_text
from .harness import one_line
from .harness import print_table
from .harness import write_results


def _isolate(work: Path) -> None:
    """Children never touch the real home: Qt and our prefs look under the work dir."""
    home = work / "home"
    dirs = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local/share",
        "XDG_STATE_HOME": home / ".local/state",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_RUNTIME_DIR": home / "runtime",
        "TMPDIR": work / "tmp",
        "VICTIM_LOG_STATE": home / "state",
        "VICTIM_LOG_VAULT": home / "no-vault",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ[name] = str(path)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.pop("VICTIM_LOG_PASSPHRASE", None)


def _select(only: str | None) -> list[str]:
    if not only:
        return list(CASES)
    names = [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        raise SystemExit(f"unknown case {unknown[0]!r}; cases: {', '.join(CASES)}")
    return names


def _run_case(name: str, ctx: Context, mode: str) -> tuple[CaseReport, bool]:
    module: Any = importlib.import_module(f"bench.cases.{name}")
    report = CaseReport(
        name=module.NAME, title=module.TITLE, issue=module.ISSUE, goals=list(module.GOALS), mode=mode
    )
    crashed = False
    start = time.perf_counter()
    ctx.log(f"[{name}] {module.TITLE}")
    try:
        module.run(ctx, report)
    except Skip as exc:
        report.status, report.reason = "skipped", str(exc)
    except Exception as exc:  # noqa: BLE001 - reported in the table, and the exit status
        traceback.print_exc()
        report.status, report.reason = "error", one_line(f"{type(exc).__name__}: {exc}")
        crashed = True
    report.seconds = time.perf_counter() - start
    report.finished_at = now_text()
    report.code = code_version()
    covered = {r.goal_id for r in report.rows}
    for goal in report.goals:
        if goal.id not in covered:
            status = {"skipped": "not measured", "error": "error"}.get(report.status, "not measured")
            report.rows.append(
                Row(
                    report.name,
                    goal.text,
                    goal.id,
                    status=status,
                    note=report.reason or "the case did not measure it",
                )
            )
    if mode == "quick":  # small inputs: a verdict says little about the goal's size
        for row in report.rows:
            if row.met is not None and not row.status:
                row.status = ("met" if row.met else "not met") + " (quick size)"
    ctx.log(f"[{name}] {report.status} in {report.seconds:.0f} s")
    return report, crashed


def _code_text(start: str, end: str) -> str:
    if start == end:
        return start
    return (
        f"{start} at the start, {end} at the end (others committed while it ran; each case "
        "below names the commit it finished on)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time our operations against reference tools and write bench/results.md.",
    )
    parser.add_argument("--quick", action="store_true", help="small inputs, under a minute, never fails")
    parser.add_argument("--only", metavar="NAME[,NAME]", help=f"run only these cases: {', '.join(CASES)}")
    parser.add_argument("--reps", type=int, help="repetitions per measurement (default 5, quick 2)")
    parser.add_argument("--keep-work", action="store_true", help="keep bench/work/<run> for inspection")
    args = parser.parse_args(argv)
    names = _select(args.only)
    mode = "quick" if args.quick else "full"
    reps = max(1, args.reps or (2 if args.quick else 5))

    # The benchmark wants the real Argon2id calibration, never the tests' cheap costs
    # (tests/kdf_site/fast_kdf.py, loaded only when that folder is on PYTHONPATH).
    test_patch = sys.modules.get("fast_kdf")
    fast_kdf_was_set = test_patch is not None
    if test_patch is not None:
        test_patch.uninstall()
    work = BENCH_DIR / "work" / f"{mode}-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    _isolate(work)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    free = shutil.disk_usage(work).free
    if not args.quick and free < 6 * GIB:
        log(f"warning: only {free / GIB:.1f} GiB free under {work}; the full run needs about 5 GiB")
    if fast_kdf_was_set:
        log("note: the tests' cheap key costs were loaded; removed so unlock uses real Argon2id costs")
    ctx = Context(quick=args.quick, reps=reps, work=work, log=log)
    machine = machine_info()
    code_at_start = code_version()
    reports: list[CaseReport] = []
    crashed = False
    try:
        for name in names:
            report, failed = _run_case(name, ctx, mode)
            reports.append(report)
            crashed = crashed or failed
    finally:
        ctx.cleanup()
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)

    meta = {
        "generated_at": now_text(),
        "mode": mode,
        "reps": reps,
        "machine": machine,
        "code": _code_text(code_at_start, code_version()),
        "command": "make bench-quick" if args.quick else "make bench",
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.quick:
        md_path = BENCH_DIR / "work" / "results-quick.md"
        json_path = BENCH_DIR / "work" / "results-quick.json"
    else:
        md_path, json_path = BENCH_DIR / "results.md", BENCH_DIR / "results.json"
        if args.only:
            ran = {r.name for r in reports}
            previous = [c for c in load_previous(json_path) if c.name not in ran]
            order = {n: i for i, n in enumerate(CASES)}
            reports = sorted(previous + reports, key=lambda c: order.get(c.name, 99))
            meta["command"] = f"make bench (this run: --only {args.only}; other cases from earlier runs)"
    print_table(reports)
    write_results(reports, meta, md_path, json_path)
    print(
        f"\nWrote {md_path.relative_to(BENCH_DIR.parent)} and {json_path.relative_to(BENCH_DIR.parent)} "
        f"in {meta['seconds']:.0f} s."
    )
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
