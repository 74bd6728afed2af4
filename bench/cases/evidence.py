"""Issue 4: evidence intake and read-back of a 1 GiB file (64 MiB in quick mode).

Per repetition, on the same random (incompressible) file, in this order:
``openssl dgst -sha256 FILE`` (the CPU's SHA-256 limit, the yardstick),
``age -r RECIPIENT -o OUT FILE`` (file encryption), our intake in a child
(``vault.evidence.add``: hash + encrypt + write + fsync), our read-back in a child
(``vault.evidence.save_copy``: decrypt + verify + atomic write, no fsync, like
``age -d`` and ``cp``: the copy is of something the vault keeps), ``age -d`` of
age's output, ``age`` followed by ``sync`` of its output (age does not fsync; our
intake does), ``dd conv=fsync`` of as many bytes (what the disk takes) and a plain
``dd`` copy (what writing a copy costs by itself); the last four are for
information. The file stays in the page cache throughout, so every tool reads
at memory speed and the comparison is about CPU work and writing; a ``sync``
before each tool means none starts while the previous one's writes are still
going to the disk.

Our children unlock with the recovery key (HKDF, no Argon2id) so their peak RSS is
the intake's own, not the key stretching's; a baseline child that unlocks and does
nothing shows what the interpreter and libraries take by themselves. After each
read-back the item is removed permanently (crypto-erase), so the next intake stores
new bytes instead of finding a duplicate, and disk use stays at one copy.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from .. import data
from ..harness import MIB
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
]
RSS_LIMIT = 150_000_000


def intake_child(args: dict[str, Any]) -> dict[str, Any]:
    from victim_log.vault import Vault

    with Vault.open(Path(args["vault"]), recovery_key=args["recovery"]) as vault:
        start = time.perf_counter()
        evidence_id, new = vault.evidence.add(Path(args["file"]))
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "id": evidence_id, "new": new}


def get_child(args: dict[str, Any]) -> dict[str, Any]:
    from victim_log.vault import Vault

    out = Path(args["out"])
    with Vault.open(Path(args["vault"]), recovery_key=args["recovery"]) as vault:
        start = time.perf_counter()
        item = vault.evidence.save_copy(int(args["id"]), out)
        seconds = time.perf_counter() - start
        size = out.stat().st_size
        out.unlink()
        vault.evidence.remove(int(args["id"]), "benchmark clean-up", permanent=True)
    return {"seconds": seconds, "size": size, "expected": item.size}


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


def run(ctx: Context, report: CaseReport) -> None:
    if shutil.which("openssl") is None:
        raise Skip("openssl is not installed (packaging/sysdeps.sh bench installs it)")
    size = ctx.size(1024, 64) * 1024 * 1024
    folder = ctx.scratch("evidence")
    recipient = _age_recipient(ctx, folder)
    with progress(ctx, "creating an empty vault"):
        made = fixtures.make_vault(ctx, folder, 0)
    vault, recovery = made["path"], made["recovery"]
    src = folder / "exhibit.bin"
    with progress(ctx, f"writing a {size_label(size)} random file"):
        data.random_file(src, size)
    base = {"vault": vault, "recovery": recovery}
    t: dict[str, list[float]] = {
        k: [] for k in ("openssl", "age", "age_sync", "age_d", "intake", "get", "dd", "dd_cache")
    }
    rss: dict[str, list[int]] = {k: [] for k in ("openssl", "age", "intake", "get")}
    age_out = folder / "exhibit.age"
    for rep in range(ctx.reps):
        ctx.log(f"  repetition {rep + 1}/{ctx.reps}")
        os.sync()  # each tool starts with no earlier writes still going to the disk
        c = run_child(["openssl", "dgst", "-sha256", src], ctx=ctx)
        t["openssl"].append(c.seconds)
        rss["openssl"].append(c.peak_rss)
        os.sync()
        c = run_child(["age", "-r", recipient, "-o", age_out, src], ctx=ctx)
        t["age"].append(c.seconds)
        rss["age"].append(c.peak_rss)
        age_out.unlink()
        # age leaves its output in the page cache; our intake fsyncs. Like for like:
        os.sync()
        c = run_child(["sh", "-c", 'age -r "$0" -o "$1" "$2" && sync "$1"', recipient, age_out, src], ctx=ctx)
        t["age_sync"].append(c.seconds)
        os.sync()
        c, res = run_python("bench.cases.evidence:intake_child", {**base, "file": str(src)}, ctx=ctx)
        if not res["new"]:
            raise RuntimeError("the intake found a duplicate: the previous item was not erased")
        t["intake"].append(res["seconds"])
        rss["intake"].append(c.peak_rss)
        os.sync()
        c, got = run_python(
            "bench.cases.evidence:get_child",
            {**base, "id": res["id"], "out": str(folder / "copy.bin")},
            ctx=ctx,
        )
        if got["size"] != size:
            raise RuntimeError("the copy read back has the wrong size")
        t["get"].append(got["seconds"])
        rss["get"].append(c.peak_rss)
        os.sync()
        c = run_child(
            ["age", "-d", "-i", folder / "age-key.txt", "-o", folder / "age-plain.bin", age_out], ctx=ctx
        )
        t["age_d"].append(c.seconds)
        (folder / "age-plain.bin").unlink()
        age_out.unlink()
        # What writing a copy costs by itself: the same bytes into a new file, no fsync.
        os.sync()
        c = run_child(["dd", f"if={src}", f"of={folder / 'dd-copy.bin'}", "bs=1M"], ctx=ctx)
        t["dd_cache"].append(c.seconds)
        (folder / "dd-copy.bin").unlink()
        # What this disk can take: the same number of bytes written and fsync'd, no CPU work.
        os.sync()
        c = run_child(
            ["dd", "if=/dev/zero", f"of={folder / 'dd.bin'}", "bs=1M", f"count={size // MIB}", "conv=fsync"],
            ctx=ctx,
        )
        t["dd"].append(c.seconds)
        (folder / "dd.bin").unlink()
    baseline, _ = run_python("bench.cases.evidence:baseline_child", base, ctx=ctx)
    src.unlink()
    _rows(ctx, report, size, t, rss, baseline.peak_rss)


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
    ssl = median(t["openssl"])
    vs_ssl = paired_ratio(t["openssl"], t["intake"])  # speed ratio = their time / ours
    vs_age = paired_ratio(t["age"], t["intake"])
    get_vs_ssl = paired_ratio(t["openssl"], t["get"])
    dd_vs_ssl = paired_ratio(t["openssl"], t["dd"])
    intake_vs_dd = paired_ratio(t["dd"], t["intake"])
    report.rows.append(
        Row(
            NAME,
            "Intake vs openssl dgst",
            "4.intake.openssl",
            ours=f"{rate(size, median(t['intake']))}{scale}",
            reference=f"openssl dgst {rate(size, ssl)}",
            ratio=f"{vs_ssl:.2f}x speed, higher is better",
            met=vs_ssl >= 0.6,
            note=(
                f"Intake hashes, encrypts (AES-256-GCM in 1 MiB chunks) and writes with fsync; "
                f"openssl only hashes. Writing the same bytes with dd conv=fsync runs at "
                f"{rate(size, median(t['dd']))} here ({dd_vs_ssl:.2f}x openssl): "
                + (
                    "no intake that fsyncs can reach 0.6x on this disk"
                    if dd_vs_ssl < 0.6
                    else f"the disk allows up to {dd_vs_ssl:.2f}x"
                )
                + f"; ours runs at {intake_vs_dd:.2f}x of the disk's speed. What would meet it: at that "
                f"share, a disk that writes with fsync at {0.6 / max(intake_vs_dd, 0.01):.2f}x openssl's "
                f"rate (about {rate(size, ssl * max(intake_vs_dd, 0.01) / 0.6)} here)"
                + ("." if dd_vs_ssl < 0.6 else "; or an intake that keeps closer to the disk's speed.")
            ),
            data={"intake_s": t["intake"], "openssl_s": t["openssl"], "ratio": clean_float(vs_ssl)},
        )
    )
    report.rows.append(
        Row(
            NAME,
            "Intake vs age",
            "4.intake.age",
            ours=f"{rate(size, median(t['intake']))}",
            reference=f"age -r {rate(size, median(t['age']))}",
            ratio=f"{vs_age:.2f}x speed, higher is better (> 1 = faster)",
            met=vs_age > 1.0,
            note=(
                f"age writes its output without fsync (it stays in the page cache); our intake "
                f"fsyncs before it reports success. Against age followed by sync of its output "
                f"({rate(size, median(t['age_sync']))}) the intake runs at "
                f"{paired_ratio(t['age_sync'], t['intake']):.2f}x."
            ),
            data={"age_s": t["age"], "age_sync_s": t["age_sync"], "ratio": clean_float(vs_age)},
        )
    )
    vs_age_sync = paired_ratio(t["age_sync"], t["intake"])
    report.rows.append(
        Row(
            NAME,
            "Intake vs age + sync of its output (like for like)",
            None,
            ours=rate(size, median(t["intake"])),
            reference=f"age -r; sync {rate(size, median(t['age_sync']))}",
            ratio=f"{vs_age_sync:.2f}x speed, higher is better",
            data={"ratio": clean_float(vs_age_sync)},
        )
    )
    report.rows.append(
        Row(
            NAME,
            "Read-back vs openssl dgst",
            "4.get.openssl",
            ours=f"{rate(size, median(t['get']))}{scale}",
            reference=f"openssl dgst {rate(size, ssl)}",
            ratio=f"{get_vs_ssl:.2f}x speed, higher is better",
            met=get_vs_ssl >= 0.6,
            note=(
                f"Read-back decrypts, checks every chunk's tag and the SHA-256, and writes the copy "
                f"atomically without waiting for the disk (as age -d and cp do; the vault keeps the "
                f"original, durably). age -d, doing the same work, runs at "
                f"{paired_ratio(t['openssl'], t['age_d']):.2f}x openssl here and ours at "
                f"{paired_ratio(t['age_d'], t['get']):.2f}x of age -d. A plain dd copy of the same GiB "
                f"(no fsync, no CPU work) took {spread(t['dd_cache'], secs)} on this VM: writing a "
                "fresh GiB is itself slow here and varies from run to run."
            ),
            data={"get_s": t["get"], "ratio": clean_float(get_vs_ssl)},
        )
    )
    peak = max(rss["intake"])
    report.rows.append(
        Row(
            NAME,
            f"{label} intake",
            "4.rss",
            ours=f"{rss_mb(peak)} (max of {len(rss['intake'])})",
            reference=f"baseline child {rss_mb(baseline_rss)}; age {rss_mb(max(rss['age']))}",
            met=peak < RSS_LIMIT,
            rss=f"intake {rss_mb(peak)}, read-back {rss_mb(max(rss['get']))}, "
            f"baseline (unlock only) {rss_mb(baseline_rss)}, openssl {rss_mb(max(rss['openssl']))}, "
            f"age {rss_mb(max(rss['age']))}",
            data={
                "intake_rss": rss["intake"],
                "get_rss": rss["get"],
                "baseline_rss": baseline_rss,
                "openssl_rss": rss["openssl"],
                "age_rss": rss["age"],
            },
        )
    )
    age_d = paired_ratio(t["age_d"], t["get"])
    report.rows.append(
        Row(
            NAME,
            "Read-back vs age -d (decrypt)",
            None,
            ours=rate(size, median(t["get"])),
            reference=f"age -d {rate(size, median(t['age_d']))}",
            ratio=f"{age_d:.2f}x speed, higher is better",
            data={"age_d_s": t["age_d"]},
        )
    )
    report.rows.append(
        Row(
            NAME,
            "Copy without fsync (dd), the ceiling for read-back",
            None,
            ours=rate(size, median(t["get"])) + " read-back",
            reference=f"dd {rate(size, median(t['dd_cache']))}",
            ratio=f"{paired_ratio(t['dd_cache'], t['get']):.2f}x of dd speed, higher is better; "
            f"dd itself {paired_ratio(t['openssl'], t['dd_cache']):.2f}x openssl",
            data={"dd_cache_s": t["dd_cache"]},
        )
    )
    report.rows.append(
        Row(
            NAME,
            "Disk write with fsync (dd conv=fsync), the floor for intake",
            None,
            ours=rate(size, median(t["intake"])) + " intake",
            reference=f"dd {rate(size, median(t['dd']))}",
            ratio=f"{paired_ratio(t['dd'], t['intake']):.2f}x of dd speed, higher is better",
            data={"dd_s": t["dd"]},
        )
    )
    for key, what in (
        ("dd", "dd conv=fsync"),
        ("openssl", "openssl dgst -sha256"),
        ("age", "age -r (encrypt)"),
        ("age_sync", "age -r then sync"),
        ("intake", "our intake"),
        ("get", "our read-back"),
        ("age_d", "age -d (decrypt)"),
        ("dd_cache", "dd copy, no fsync"),
    ):
        report.details.append(f"{what}: {spread(t[key], secs)} for {label}")
    from victim_log.crypto.stream import ciphertext_size

    stored = ciphertext_size(size)
    report.details.append(
        f"Bytes written: our intake {stored:,} (the plaintext padded to its PADME size "
        f"class, plus a tag per chunk), {stored / size:.3f}x the {size:,} dd writes: "
        f"at the disk's speed, intake alone would reach {size / stored:.2f}x of dd."
    )
    if ctx.quick:
        report.details.append("Quick mode: 64 MiB; process start-up weighs more than at 1 GiB.")
