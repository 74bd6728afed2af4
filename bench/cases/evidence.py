"""Issues 4 and 17: evidence intake and read-back of a 1 GiB file (64 MiB in quick mode).

Per repetition, on the same random (incompressible) file, read from the page cache
by every tool (the source is warm, so the comparison is about CPU work and writing):

* ``age -r`` (file encryption, no fsync) and ``age -r`` followed by ``sync`` of its
  output (like for like: our intake fsyncs);
* ``dd if=FILE of=OUT bs=1M conv=fsync`` and our intake in a child
  (``vault.evidence.add``: hash + encrypt + write + fsync + rename + record), both
  writing into the same file system (the vault is beside dd's output): the disk's
  own speed is the limit for both. These two run back to back, in alternating order;
* the blob and age's output are then read once, so both read-backs start from a
  warm source;
* our read-back (``vault.evidence.save_copy``: decrypt + verify + atomic write, no
  fsync, like ``age -d`` and ``cp``: the copy is of something the vault keeps) and
  ``age -d`` of age's output, writing into the same folder on the disk, back to
  back in alternating order;
* ``openssl dgst -sha256 FILE`` (the CPU's SHA-256 limit), then our read-back and
  ``age -d`` writing to tmpfs (``/dev/shm``), where writing costs no disk at all;
* a plain ``dd`` copy (what writing a copy costs by itself), for information.

A ``sync`` before each timed tool means none starts while the previous one's writes
are still going to the disk.

Our children unlock with the recovery key (HKDF, no Argon2id) so their peak RSS is
the intake's own, not the key stretching's; a baseline child that unlocks and does
nothing shows what the interpreter and libraries take by themselves. At the end of
each repetition the item is removed permanently (crypto-erase), so the next intake
stores new bytes instead of finding a duplicate, and disk use stays at one copy.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import data
from ..harness import CaseReport
from ..harness import Context
from ..harness import Goal
from ..harness import Row
from ..harness import Skip
from ..harness import clean_float
from ..harness import median
from ..harness import paired_ratio
from ..harness import progress
from ..harness import rate
from ..harness import rss_mb
from ..harness import run as run_child
from ..harness import run_python
from ..harness import secs
from ..harness import size_label
from ..harness import spread
from . import fixtures

NAME = "evidence"
TITLE = "Evidence intake and read-back"
ISSUE = 4
GOALS = [
    Goal(
        "4.intake.openssl",
        4,
        "Intake (hash + encrypt + write) of a 1 GiB file >= 0.6x the throughput of openssl dgst -sha256",
    ),
    Goal("4.intake.age", 4, "Intake faster than age encrypting the same file"),
    Goal("4.get.openssl", 4, "evidence get (decrypt + verify + write) >= 0.6x openssl dgst -sha256"),
    Goal("4.rss", 4, "Peak RSS for a 1 GiB intake < 150 MB"),
    Goal("17.intake.dd", 17, "Intake >= 0.9x dd conv=fsync of the same file (same source, same disk)"),
    Goal("17.get.age", 17, "Read-back >= 1.0x age -d (both writing to the same disk)"),
    Goal("17.get.tmpfs", 17, "Read-back writing to tmpfs >= 0.6x openssl dgst -sha256"),
    Goal("17.rss", 17, "Peak RSS of intake and read-back of 1 GiB < 150 MB"),
]
RSS_LIMIT = 150_000_000
TMPFS = Path("/dev/shm")
# What every repetition times; each list gets one value per repetition.
TIMED = (
    "openssl",
    "age",
    "age_sync",
    "dd",
    "intake",
    "get",
    "age_d",
    "get_tmpfs",
    "age_d_tmpfs",
    "dd_cache",
)


def intake_child(args: dict[str, Any]) -> dict[str, Any]:
    from victim_log.vault import Vault

    with Vault.open(Path(args["vault"]), recovery_key=args["recovery"]) as vault:
        start = time.perf_counter()
        evidence_id, new = vault.evidence.add(Path(args["file"]))
        seconds = time.perf_counter() - start
        blob_id = vault.evidence.get(evidence_id).blob_id
    return {"seconds": seconds, "id": evidence_id, "new": new, "blob": f"blobs/{blob_id[:2]}/{blob_id}"}


def get_child(args: dict[str, Any]) -> dict[str, Any]:
    from victim_log.vault import Vault

    out = Path(args["out"])
    with Vault.open(Path(args["vault"]), recovery_key=args["recovery"]) as vault:
        start = time.perf_counter()
        item = vault.evidence.save_copy(int(args["id"]), out)
        seconds = time.perf_counter() - start
        size = out.stat().st_size
        out.unlink()
    return {"seconds": seconds, "size": size, "expected": item.size}


def erase_child(args: dict[str, Any]) -> dict[str, Any]:
    """Remove the item for good, so the next repetition's intake is new bytes again."""
    from victim_log.vault import Vault

    with Vault.open(Path(args["vault"]), recovery_key=args["recovery"]) as vault:
        vault.evidence.remove(int(args["id"]), "benchmark clean-up", permanent=True)
    return {}


def baseline_child(args: dict[str, Any]) -> dict[str, Any]:
    """Unlock and read one row: what a child costs before it does any evidence work."""
    from victim_log.vault import Vault

    with Vault.open(Path(args["vault"]), recovery_key=args["recovery"]) as vault:
        return {"items": len(vault.evidence.items())}


def _age_recipient(ctx: Context, folder: Path) -> str:
    if shutil.which("age") is None or shutil.which("age-keygen") is None:
        raise Skip("age is not installed (packaging/sysdeps.sh bench installs it)")
    key = folder / "age-key.txt"
    run_child(["age-keygen", "-o", key], ctx=ctx)
    match = re.search(r"age1[0-9a-z]+", key.read_text())
    if not match:
        raise Skip("age-keygen printed no recipient")
    return match.group(0)


def _is_tmpfs(path: Path) -> bool:
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    return any(f.split()[1:3] == [str(path), "tmpfs"] for f in mounts if len(f.split()) > 2)


def _warm(path: Path) -> None:
    """Read a file once, so the next reader finds it in the page cache."""
    with path.open("rb", buffering=0) as fh:
        buf = bytearray(4 << 20)
        while fh.readinto(buf):
            pass


class _Run:
    """One run's files and measurements: each timed step appends to ``t`` (seconds)
    and, for our children and the reference tools whose memory is reported, ``rss``."""

    def __init__(self, ctx: Context, size: int, folder: Path, vault: Path, recovery: str) -> None:
        self.ctx, self.size, self.folder, self.vault = ctx, size, folder, vault
        self.base = {"vault": str(vault), "recovery": recovery}
        self.src = folder / "exhibit.bin"
        self.age_key, self.age_out = folder / "age-key.txt", folder / "exhibit.age"
        self.shm: Path | None = None
        self.t: dict[str, list[float]] = {k: [] for k in TIMED}
        self.rss: dict[str, list[int]] = {k: [] for k in ("openssl", "age", "intake", "get", "get_tmpfs")}
        self.item: dict[str, Any] = {}

    def tool(self, key: str, argv: list[Any], out: Path | None = None) -> None:
        c = run_child(argv, ctx=self.ctx)
        self.t[key].append(c.seconds)
        if key in self.rss:
            self.rss[key].append(c.peak_rss)
        if out is not None:
            out.unlink()

    def dd(self) -> None:
        out = self.vault / "dd.bin"  # beside the vault's blobs: the same file system
        self.tool("dd", ["dd", f"if={self.src}", f"of={out}", "bs=1M", "conv=fsync"], out)

    def intake(self) -> None:
        c, res = run_python(
            "bench.cases.evidence:intake_child", {**self.base, "file": str(self.src)}, ctx=self.ctx
        )
        if not res["new"]:
            raise RuntimeError("the intake found a duplicate: the previous item was not erased")
        self.t["intake"].append(res["seconds"])
        self.rss["intake"].append(c.peak_rss)
        self.item = res

    def get(self, key: str, out: Path) -> Callable[[], None]:
        def step() -> None:
            args = {**self.base, "id": self.item["id"], "out": str(out)}
            c, got = run_python("bench.cases.evidence:get_child", args, ctx=self.ctx)
            if got["size"] != self.size:
                raise RuntimeError("the copy read back has the wrong size")
            self.t[key].append(got["seconds"])
            self.rss[key].append(c.peak_rss)

        return step

    def age_d(self, key: str, out: Path) -> Callable[[], None]:
        return lambda: self.tool(key, ["age", "-d", "-i", self.age_key, "-o", out, self.age_out], out)

    def repetition(self, rep: int, recipient: str) -> None:
        os.sync()
        self.tool("age", ["age", "-r", recipient, "-o", self.age_out, self.src], self.age_out)
        os.sync()  # age leaves its output in the page cache; our intake fsyncs. Like for like:
        sh = 'age -r "$0" -o "$1" "$2" && sync "$1"'
        self.tool("age_sync", ["sh", "-c", sh, recipient, self.age_out, self.src])
        _pair(rep, self.dd, self.intake)
        _warm(self.vault / self.item["blob"])
        _warm(self.age_out)
        _pair(
            rep, self.get("get", self.folder / "copy.bin"), self.age_d("age_d", self.folder / "age-plain.bin")
        )
        os.sync()
        self.tool("openssl", ["openssl", "dgst", "-sha256", self.src])
        if self.shm is not None:
            _pair(
                rep,
                self.get("get_tmpfs", self.shm / "copy.bin"),
                self.age_d("age_d_tmpfs", self.shm / "plain"),
            )
        self.age_out.unlink()
        os.sync()  # what writing a copy costs by itself: the same bytes into a new file, no fsync
        copy = self.folder / "dd-copy.bin"
        self.tool("dd_cache", ["dd", f"if={self.src}", f"of={copy}", "bs=1M"], copy)
        run_python("bench.cases.evidence:erase_child", {**self.base, "id": self.item["id"]}, ctx=self.ctx)


def _pair(rep: int, first: Callable[[], None], second: Callable[[], None]) -> None:
    """Two timed steps back to back, each after a ``sync``, in alternating order per
    repetition so neither always runs on a disk the other just left busy."""
    for step in (first, second) if rep % 2 == 0 else (second, first):
        os.sync()
        step()


def run(ctx: Context, report: CaseReport) -> None:
    if shutil.which("openssl") is None:
        raise Skip("openssl is not installed (packaging/sysdeps.sh bench installs it)")
    size = ctx.size(1024, 64) * 1024 * 1024
    folder = ctx.scratch("evidence")
    recipient = _age_recipient(ctx, folder)
    with progress(ctx, "creating an empty vault"):
        made = fixtures.make_vault(ctx, folder, 0)
    bench = _Run(ctx, size, folder, Path(made["path"]), made["recovery"])
    with progress(ctx, f"writing a {size_label(size)} random file"):
        data.random_file(bench.src, size)
    if _is_tmpfs(TMPFS) and shutil.disk_usage(TMPFS).free > 3 * size:
        shm = Path(tempfile.mkdtemp(prefix="victim-log-bench-", dir=TMPFS))
        ctx.on_cleanup(lambda: shutil.rmtree(shm, ignore_errors=True))
        bench.shm = shm
    else:
        ctx.log(f"  {TMPFS} is not a tmpfs with room for {size_label(3 * size)}: no tmpfs rows")
    load = [os.getloadavg()]
    for rep in range(ctx.reps):
        ctx.log(f"  repetition {rep + 1}/{ctx.reps}")
        bench.repetition(rep, recipient)
    load.append(os.getloadavg())
    baseline, _ = run_python("bench.cases.evidence:baseline_child", bench.base, ctx=ctx)
    bench.src.unlink()
    _rows(ctx, report, size, bench.t, bench.rss, baseline.peak_rss)
    report.details.append(
        "Load average (1, 5, 15 min) at the start and the end of the repetitions: "
        + "; ".join(", ".join(f"{x:.2f}" for x in one) for one in load)
    )


def _rows(
    ctx: Context,
    report: CaseReport,
    size: int,
    t: dict[str, list[float]],
    rss: dict[str, list[int]],
    baseline_rss: int,
) -> None:
    label = size_label(size)
    scale = "" if size == 1024**3 else f" ({label}, quick)"

    def speed(key: str) -> str:
        return rate(size, median(t[key]))

    def ratio(reference: str, ours: str) -> float:
        """Speed ratio: their time / ours, median over the repetitions."""
        return paired_ratio(t[reference], t[ours])

    def speed_row(
        what: str, goal: tuple[str, float] | None, ours: str, reference: str, note: str = ""
    ) -> Row:
        """A row comparing our ``ours`` with the tool timed as ``reference`` ("key name")."""
        key, _, name = reference.partition(" ")
        r = ratio(key, ours)
        return Row(
            NAME,
            what,
            goal[0] if goal else None,
            ours=f"{speed(ours)}{scale if goal else ''}",
            reference=f"{name} {speed(key)}",
            ratio=f"{r:.2f}x speed, higher is better",
            met=r >= goal[1] if goal else None,
            note=note,
            data={f"{ours}_s": t[ours], f"{key}_s": t[key], "ratio": clean_float(r)},
        )

    from victim_log.crypto.stream import ciphertext_size

    stored = ciphertext_size(size)
    dd_vs_ssl = ratio("openssl", "dd")
    disk = (
        "no intake that fsyncs can reach 0.6x on this disk"
        if dd_vs_ssl < 0.6
        else f"the disk allows up to {dd_vs_ssl:.2f}x"
    )
    rows = [
        speed_row(
            "Intake vs openssl dgst",
            ("4.intake.openssl", 0.6),
            "intake",
            "openssl openssl dgst",
            "Intake hashes, encrypts (AES-256-GCM in 1 MiB chunks) and writes with fsync; openssl only "
            f"hashes. Writing the same file with dd conv=fsync runs at {speed('dd')} here "
            f"({dd_vs_ssl:.2f}x openssl): {disk}; ours runs at {ratio('dd', 'intake'):.2f}x of the "
            "disk's speed.",
        ),
        speed_row(
            "Intake vs age",
            ("4.intake.age", 1.0),
            "intake",
            "age age -r",
            "age writes its output without fsync (it stays in the page cache); our intake fsyncs "
            f"before it reports success. Against age followed by sync of its output ({speed('age_sync')}) "
            f"the intake runs at {ratio('age_sync', 'intake'):.2f}x.",
        ),
        speed_row(
            "Read-back vs openssl dgst",
            ("4.get.openssl", 0.6),
            "get",
            "openssl openssl dgst",
            "Read-back decrypts, checks every chunk's tag and the SHA-256, and writes the copy "
            "atomically to the disk without waiting for it (as age -d and cp do; the vault keeps the "
            f"original, durably). A plain dd copy of the same file (no fsync, no CPU work) took "
            f"{spread(t['dd_cache'], secs)}.",
        ),
        _rss_row("4.rss", f"{label} intake", rss, ["intake"], baseline_rss, detail=False),
        speed_row(
            "Intake vs dd conv=fsync of the same file",
            ("17.intake.dd", 0.9),
            "intake",
            "dd dd conv=fsync",
            "Both read the same file from the page cache and write into the same file system, back to "
            f"back. Intake writes {stored / size:.3f}x the bytes dd writes (PADME size padding and a "
            f"16-byte tag per 1 MiB chunk), so at the disk's own speed it reaches at most "
            f"{size / stored:.2f}x; on top, it needs CPU time dd does not (SHA-256 and AES-GCM of every "
            "byte, on 2 cores shared with everything else on the machine).",
        ),
        speed_row(
            "Read-back vs age -d, both writing to the disk",
            ("17.get.age", 1.0),
            "get",
            "age_d age -d",
            "Both read their encrypted file from the page cache and write the plaintext into the same "
            "folder without fsync, back to back; ours also checks the SHA-256 recorded at intake.",
        ),
    ]
    if t["get_tmpfs"]:
        rows.append(
            speed_row(
                "Read-back writing to tmpfs vs openssl dgst",
                ("17.get.tmpfs", 0.6),
                "get_tmpfs",
                "openssl openssl dgst",
                f"The copy goes to {TMPFS} (memory), so no disk is involved: decrypting, hashing and "
                f"writing are the whole cost. age -d writing there runs at "
                f"{ratio('openssl', 'age_d_tmpfs'):.2f}x openssl; ours at "
                f"{ratio('age_d_tmpfs', 'get_tmpfs'):.2f}x of age -d.",
            )
        )
    rows.append(
        _rss_row("17.rss", f"{label} intake and read-back", rss, ["intake", "get", "get_tmpfs"], baseline_rss)
    )
    rows.append(
        speed_row(
            "Intake vs age + sync of its output (like for like)", None, "intake", "age_sync age -r; sync"
        )
    )
    if t["get_tmpfs"]:
        rows.append(
            speed_row("Read-back vs age -d, both writing to tmpfs", None, "get_tmpfs", "age_d_tmpfs age -d")
        )
    rows.append(
        speed_row("Read-back vs a plain dd copy without fsync (its ceiling)", None, "get", "dd_cache dd")
    )
    report.rows += rows
    for key, what in (
        ("dd", "dd conv=fsync"),
        ("intake", "our intake"),
        ("openssl", "openssl dgst -sha256"),
        ("age", "age -r (encrypt)"),
        ("age_sync", "age -r then sync"),
        ("get", "our read-back"),
        ("age_d", "age -d (decrypt)"),
        ("get_tmpfs", "our read-back to tmpfs"),
        ("age_d_tmpfs", "age -d to tmpfs"),
        ("dd_cache", "dd copy, no fsync"),
    ):
        if t[key]:
            report.details.append(f"{what}: {spread(t[key], secs)} for {label}")
    report.details.append(
        f"Bytes written: our intake {stored:,} (the plaintext padded to its PADME size "
        f"class, plus a tag per chunk), {stored / size:.3f}x the {size:,} dd writes: "
        f"at the disk's speed, intake alone would reach {size / stored:.2f}x of dd."
    )
    if ctx.quick:
        report.details.append("Quick mode: 64 MiB; process start-up weighs more than at 1 GiB.")


def _rss_row(
    goal_id: str,
    what: str,
    rss: dict[str, list[int]],
    ours: list[str],
    baseline_rss: int,
    *,
    detail: bool = True,
) -> Row:
    """Peak RSS of our children ``ours`` (the largest of all their runs) against the limit;
    with ``detail``, every measured process's peak goes into the details."""
    runs = [v for key in ours for v in rss[key]]
    peak = max(runs)
    each = ", ".join(f"{key.replace('_', ' ')} {rss_mb(max(rss[key]))}" for key in rss if rss[key])
    return Row(
        NAME,
        what,
        goal_id,
        ours=f"{rss_mb(peak)} (max of {len(runs)})",
        reference=f"baseline child (unlock only) {rss_mb(baseline_rss)}",
        met=peak < RSS_LIMIT,
        rss=each if detail else "",
        data={**{f"{key}_rss": rss[key] for key in rss}, "baseline_rss": baseline_rss},
    )
