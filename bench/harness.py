"""Measuring and reporting: repetitions and medians, child processes with their peak
memory, the machine, and the results table (terminal, Markdown, JSON).

Why children: peak RSS is only meaningful for a process that did one thing, so our
operations run as ``python -m bench.child MODULE:FUNCTION ARGS`` and the reference
tools as themselves, each through a tiny launcher that reports the child's own
``ru_maxrss`` (see :func:`run` for why not straight from here; the
``RUSAGE_CHILDREN`` total would be the maximum over every child so far).

Why ratios: on a shared 2-core VM absolute times move by tens of percent from one
minute to the next, but ours and the reference, run alternately on the same input,
move together. Each ratio is the median of per-repetition ratios, and every row says
which direction is good.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "bench"
RESULT_PREFIX = "BENCH-RESULT "
KIB = 1024
MIB = 1024 * 1024
GIB = 1024 * MIB
PASSPHRASE = "bench horse battery staple 42"

T = TypeVar("T")


# ----------------------------------------------------------------------------- goals and rows


@dataclass(frozen=True)
class Goal:
    """A speed goal as an issue states it; ``id`` ties measured rows to it."""

    id: str
    issue: int
    text: str


@dataclass
class Row:
    """One line of the results table.

    ``met`` is None for report-only figures; ``status`` overrides the met/not met word
    ("not measured", "error", ...). ``data`` holds the raw numbers for the JSON file.
    """

    case: str
    what: str
    goal_id: str | None = None
    ours: str = ""
    reference: str = ""
    ratio: str = ""
    met: bool | None = None
    status: str = ""
    rss: str = ""
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.status:
            return self.status
        if self.met is None:
            return "report only"
        return "met" if self.met else "NOT met"


@dataclass
class CaseReport:
    name: str
    title: str
    issue: int
    status: str = "ran"  # ran | skipped | error
    reason: str = ""
    seconds: float = 0.0
    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # lines for the Markdown details
    goals: list[Goal] = field(default_factory=list)
    finished_at: str = ""
    mode: str = "full"
    code: str = ""


# ----------------------------------------------------------------------------- statistics


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def paired_ratio(ours: Sequence[float], reference: Sequence[float]) -> float:
    """Median of ours[i] / reference[i]: each pair ran back to back on the same input."""
    pairs = [o / r for o, r in zip(ours, reference, strict=True) if r > 0]
    return median(pairs)


def spread(values: Sequence[float], unit: Callable[[float], str]) -> str:
    """'median (min..max, n=5)' for the details."""
    if not values:
        return "-"
    return f"{unit(median(values))} (min {unit(min(values))}, max {unit(max(values))}, n={len(values)})"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def secs(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mb(nbytes: float) -> str:
    return f"{nbytes / MIB:.0f} MiB"


def rss_mb(nbytes: float) -> str:
    """Memory in MB (10^6 bytes), the unit the issues' memory goals use."""
    return f"{nbytes / 1e6:.0f} MB"


def rate(nbytes: float, seconds: float) -> str:
    return f"{nbytes / MIB / seconds:.0f} MiB/s" if seconds > 0 else "-"


def size_label(nbytes: int) -> str:
    if nbytes >= GIB and nbytes % GIB == 0:
        return f"{nbytes // GIB} GiB"
    if nbytes < MIB:
        return f"{nbytes / KIB:.0f} KiB"
    return f"{nbytes / MIB:.0f} MiB" if nbytes >= 10 * MIB else f"{nbytes / MIB:.1f} MiB"


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# ----------------------------------------------------------------------------- child processes


@dataclass
class ChildRun:
    argv: list[str]
    seconds: float  # wall time from spawn to exit
    peak_rss: int  # bytes, this child (and any children it waited for)
    returncode: int
    stdout: str
    stderr: str

    def result(self) -> dict[str, Any]:
        """The JSON a ``bench.child`` target printed."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(RESULT_PREFIX):
                value = json.loads(line[len(RESULT_PREFIX) :])
                if isinstance(value, dict):
                    return value
        raise BenchError(f"{' '.join(self.argv[:4])} printed no result; stderr: {self.stderr[-800:]}")


class BenchError(Exception):
    """The benchmark itself could not run (a tool failed, a child crashed)."""


class Skip(Exception):
    """A case (or part of one) cannot run here yet; the message says why."""


TIME = Path("/usr/bin/time")


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    ctx: Context,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1800,
    check: bool = True,
) -> ChildRun:
    """Run one child to completion; returns its wall time and its own peak RSS.

    The child is started through a small launcher (``/usr/bin/time -f %M``, else
    bench/spawn.py) rather than straight from this process: Linux carries the
    high-water RSS of the address space a child was forked from into the child's
    ``ru_maxrss``, so a child forked from this (large) process would report at least
    this process's peak. The launcher is small, so its children report their own.
    """
    args = [os.fspath(a) for a in argv]
    stem = ctx.tmp / f"child-{os.getpid()}-{time.monotonic_ns()}"
    out_path, err_path, rss_path = (stem.with_suffix(s) for s in (".out", ".err", ".rss"))
    if TIME.exists():
        launch = [str(TIME), "-f", "%M", "-o", str(rss_path), *args]
    else:
        launch = [sys.executable, "-S", "-I", str(BENCH_DIR / "spawn.py"), str(rss_path), *args]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            launch,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=str(cwd or REPO),
            env=env,
            start_new_session=True,
        )
        killer = threading.Timer(timeout, lambda: _kill_group(proc.pid))
        killer.start()
        try:
            returncode = proc.wait()
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    rss_lines = rss_path.read_text().split() if rss_path.exists() else []
    peak = int(rss_lines[-1]) * KIB if rss_lines and rss_lines[-1].isdigit() else 0
    for path in (out_path, err_path, rss_path):
        path.unlink(missing_ok=True)
    child = ChildRun(args, seconds, peak, returncode, stdout, stderr)
    if check and child.returncode != 0:
        raise BenchError(f"{' '.join(args[:4])} exited {child.returncode}: {stderr.strip()[-800:]}")
    return child


def _kill_group(pid: int) -> None:
    """End the launcher and the child it started (their own session, made for them)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_python(
    target: str,
    args: dict[str, Any],
    *,
    ctx: Context,
    timeout: float = 1800,
    env: dict[str, str] | None = None,
) -> tuple[ChildRun, dict[str, Any]]:
    """Run ``target`` ("bench.cases.x:function") in a fresh interpreter with ``args``."""
    child = run(
        [sys.executable, "-m", "bench.child", target, json.dumps(args)], ctx=ctx, timeout=timeout, env=env
    )
    return child, child.result()


# ----------------------------------------------------------------------------- the machine


def _cpuinfo() -> tuple[str, set[str]]:
    model = platform.processor() or "unknown"
    flags: set[str] = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model in ("unknown", "", platform.processor()):
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    return model, flags


def _tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not installed"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def machine_info() -> dict[str, Any]:
    model, flags = _cpuinfo()
    mem = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * KIB
    info: dict[str, Any] = {
        "cpu": model,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_flags": sorted(f for f in ("sha_ni", "aes", "avx2", "avx512f", "vaes") if f in flags),
        "memory_gib": round(mem / GIB, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite_stdlib": sqlite3.sqlite_version,
        "openssl": _tool_version(["openssl", "version"]),
        "age": _tool_version(["age", "--version"]),
    }
    with contextlib.suppress(Exception):
        import sqlcipher3

        conn = sqlcipher3.connect(":memory:")
        info["sqlcipher"] = conn.execute("PRAGMA cipher_version").fetchone()[0]
        info["sqlite_sqlcipher"] = conn.execute("SELECT sqlite_version()").fetchone()[0]
        conn.close()
    with contextlib.suppress(Exception):
        import cryptography

        info["cryptography"] = cryptography.__version__
    with contextlib.suppress(Exception):
        import PySide6

        info["pyside6"] = PySide6.__version__
    with contextlib.suppress(OSError):
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def code_version() -> str:
    """The commit measured, and whether the code under test had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "victim_log", "resources"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.splitlines()
    except OSError:
        return "unknown"
    if not head:
        return "unknown"
    return head + (
        f" plus uncommitted changes in {len(dirty)} files under victim_log/ and resources/" if dirty else ""
    )


def machine_line(m: dict[str, Any]) -> str:
    flags = ", ".join(m.get("cpu_flags") or []) or "no sha_ni/aes flags"
    parts = [
        f"{m.get('cpu')}, {m.get('cores')} cores ({flags})",
        f"{m.get('memory_gib')} GiB RAM",
        str(m.get("os")),
        f"Python {m.get('python')}",
        str(m.get("openssl")),
        f"age {m.get('age')}",
        f"SQLite {m.get('sqlite_stdlib')} (stdlib)",
        f"SQLCipher {m.get('sqlcipher', '?')} (SQLite {m.get('sqlite_sqlcipher', '?')})",
        f"cryptography {m.get('cryptography', '?')}",
        f"PySide6 {m.get('pyside6', '?')}",
    ]
    return "; ".join(parts)


# ----------------------------------------------------------------------------- run context


class Context:
    """What every case gets: size mode, repetitions, a work folder, shared fixtures."""

    def __init__(self, *, quick: bool, reps: int, work: Path, log: Callable[[str], None]) -> None:
        self.quick = quick
        self.reps = reps
        self.work = work
        self.tmp = work / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.log = log
        self._fixtures: dict[str, Any] = {}
        self._cleanups: list[Callable[[], None]] = []
        self._kdf: Any = None

    def size(self, full: T, quick: T) -> T:
        return quick if self.quick else full

    def kdf(self) -> Any:
        """Argon2id costs calibrated on this machine, once per run (like a real vault)."""
        if self._kdf is None:
            from victim_log.crypto import keys

            self._kdf = keys.calibrate()
        return self._kdf

    def fixture(self, name: str, build: Callable[[], T]) -> T:
        if name not in self._fixtures:
            self._fixtures[name] = build()
        return self._fixtures[name]  # type: ignore[no-any-return]

    def on_cleanup(self, fn: Callable[[], None]) -> None:
        self._cleanups.append(fn)

    def scratch(self, name: str) -> Path:
        """A fresh folder under the work dir, removed at the end of the run."""
        path = self.work / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        self.on_cleanup(lambda: shutil.rmtree(path, ignore_errors=True))
        return path

    def cleanup(self) -> None:
        while self._cleanups:
            with contextlib.suppress(Exception):
                self._cleanups.pop()()


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


@contextlib.contextmanager
def progress(ctx: Context, what: str) -> Iterator[None]:
    start = time.perf_counter()
    ctx.log(f"  {what} ...")
    yield
    ctx.log(f"  {what}: {time.perf_counter() - start:.1f} s")


# ----------------------------------------------------------------------------- reporting


def _cells(row: Row, goals: dict[str, Goal]) -> list[str]:
    goal = goals.get(row.goal_id or "")
    issue = f"#{goal.issue}" if goal else ""
    return [issue, goal.text if goal else row.what, row.ours, row.reference, row.ratio, row.verdict]


HEADER = ["Issue", "Goal / measure", "Ours", "Reference", "Ratio", "Status"]


def all_rows(cases: Sequence[CaseReport]) -> tuple[list[Row], list[Row], dict[str, Goal]]:
    goals: dict[str, Goal] = {}
    goal_rows: list[Row] = []
    other: list[Row] = []
    for case in cases:
        for g in case.goals:
            goals[g.id] = g
        for row in case.rows:
            (goal_rows if row.goal_id else other).append(row)
    return goal_rows, other, goals


def print_table(cases: Sequence[CaseReport], out: Any = None) -> None:
    out = out or sys.stdout
    goal_rows, other, goals = all_rows(cases)
    rows = [_cells(r, goals) for r in goal_rows] + [_cells(r, goals) for r in other]
    widths = [len(h) for h in HEADER]
    limits = [5, 58, 26, 34, 30, 14]
    clipped = [
        [c if len(c) <= lim else c[: lim - 1] + "\u2026" for c, lim in zip(r, limits, strict=True)]
        for r in rows
    ]
    for r in clipped:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True))
    print(line, file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for i, r in enumerate(clipped):
        if i == len(goal_rows) and other:
            print("  ".join("-" * w for w in widths), file=out)
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip(), file=out)
    for case in cases:
        if case.status != "ran":
            print(f"[{case.name}] {case.status}: {case.reason}", file=out)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(cases: Sequence[CaseReport], meta: dict[str, Any]) -> str:
    goal_rows, other, goals = all_rows(cases)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{meta['command']}` on {meta['generated_at']} ({meta['mode']} size, "
        f"{meta['reps']} repetitions unless a row says otherwise). Regenerate with `make bench`; "
        "see `bench/__init__.py` for the options.",
        "",
        f"**Machine:** {machine_line(meta['machine'])}.",
        "",
        f"**Code measured:** {meta.get('code', 'unknown')}.",
        "",
        "Each reference tool ran in the same run, alternating with ours on the same input. "
        "A ratio is the median of the per-repetition ratios and says which direction is good; "
        "absolute times on this shared VM move by tens of percent between runs, ratios much less. "
        "Peak RSS is each child process's own maximum resident set (`/usr/bin/time -f %M`).",
        "",
        "## Goals from the issues",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(_md_escape(c) for c in _cells(r, goals)) + " |" for r in goal_rows]
    if other:
        lines += [
            "",
            "## Other measurements (no goal stated; reported so changes show)",
            "",
            "| Case | Measure | Ours | Reference | Ratio |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.case} | {_md_escape(r.what)} | {_md_escape(r.ours)} | "
            f"{_md_escape(r.reference)} | {_md_escape(r.ratio)} |"
            for r in other
        ]
    unmet = [r for r in goal_rows if r.met is False or (r.met is None and r.status)]
    if unmet:
        lines += ["", "## Goals not met or not measured: why, and what would meet them", ""]
        for r in unmet:
            goal = goals.get(r.goal_id or "")
            title = goal.text if goal else r.what
            lines.append(f"- **#{goal.issue if goal else '?'} {title}** ({r.verdict}): {r.note or 'no note'}")
    met_notes = [r for r in goal_rows if r not in unmet and r.note]
    if met_notes:
        lines += ["", "## Notes on the goals met", ""]
        for r in met_notes:
            goal = goals.get(r.goal_id or "")
            title = goal.text if goal else r.what
            lines.append(f"- **#{goal.issue if goal else '?'} {title}**: {r.note}")
    lines += ["", "## Details", ""]
    for case in cases:
        lines.append(f"### {case.name}: {case.title} (issue {case.issue})")
        lines.append("")
        if case.status != "ran":
            lines.append(f"{case.status}: {case.reason}")
        else:
            lines.append(
                f"Ran in {case.seconds:.0f} s ({case.mode} size, finished {case.finished_at}, "
                f"code {case.code or 'unknown'})."
            )
        lines.append("")
        for r in case.rows:
            if r.rss:
                lines.append(f"- Peak RSS, {r.what}: {r.rss}")
        lines += [f"- {d}" for d in case.details]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def case_to_json(case: CaseReport) -> dict[str, Any]:
    d = asdict(case)
    for row, raw in zip(case.rows, d["rows"], strict=True):
        raw["verdict"] = row.verdict
    return d


def case_from_json(d: dict[str, Any]) -> CaseReport:
    rows = [Row(**{k: v for k, v in r.items() if k != "verdict"}) for r in d.get("rows", [])]
    goals = [Goal(**g) for g in d.get("goals", [])]
    fields_ = {k: v for k, v in d.items() if k not in ("rows", "goals")}
    return CaseReport(**fields_, rows=rows, goals=goals)


def write_results(cases: Sequence[CaseReport], meta: dict[str, Any], md_path: Path, json_path: Path) -> None:
    doc = {**meta, "cases": [case_to_json(c) for c in cases]}
    json_path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
    md_path.write_text(markdown(cases, meta))


def load_previous(json_path: Path) -> list[CaseReport]:
    try:
        doc = json.loads(json_path.read_text())
        return [case_from_json(c) for c in doc.get("cases", [])]
    except (OSError, ValueError, TypeError):
        return []


def now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def clean_float(value: float, digits: int = 4) -> float | None:
    """JSON has no NaN: report a missing number as null."""
    return None if value != value else round(value, digits)  # noqa: PLR0124 - NaN check


_WORDS = re.compile(r"\s+")


def one_line(text: str, limit: int = 300) -> str:
    text = _WORDS.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
