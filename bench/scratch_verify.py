"""Scratch benchmark: how fast does verify_bundle check 1 GiB of exhibits?

Compares, on the same payload bytes with a warm page cache (best of N runs):
  openssl dgst -sha256 over the exhibit files      (the ceiling for one hashing stream)
  victim_log.verify.verify_bundle on the .zip       (ours, straight from the zip)
  bagit-python Bag.validate() on the unzipped bag  (processes=1, its default, and 2)
  sha256sum -c manifest-sha256.txt in the unzipped bag

Run: .venv/bin/python bench/scratch_verify.py [--size-mib 1024] [--layout mixed|single]
Needs about 3x the payload size of free disk in the work folder (default: a temp dir).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from victim_log.export import bagit_zip as bz
from victim_log.export import sign
from victim_log.verify import verify_bundle

MIB = 1024 * 1024
BAG = "victim-log-export-bench"


def layout(total_mib: int, kind: str) -> list[int]:
    """Exhibit sizes in MiB: one big file, or a realistic mix (one video, some voice
    notes, many photos)."""
    if kind == "single":
        return [total_mib]
    big = total_mib // 2
    mids = [total_mib * 3 // 32] * 4
    rest = total_mib - big - sum(mids)
    return [big, *mids, *([4] * (rest // 4)), *([rest % 4] if rest % 4 else [])]


def exhibit(index: int, size_mib: int, block: bytes) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        tag = hashlib.sha256(str(index).encode()).digest()
        for i in range(size_mib):
            yield tag + block[i % 7 : i % 7 + MIB - 32]

    return chunks


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_ok(args: list[str], cwd: Path | None = None) -> None:
    out = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if out.returncode != 0:
        raise SystemExit(f"{args[0]} failed: {out.stderr.decode()[:500]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--layout", choices=["mixed", "single"], default="mixed")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vl-bench-", dir=args.workdir))
    try:
        sizes = layout(args.size_mib, args.layout)
        block = os.urandom(MIB + 8)
        entries = [
            bz.PayloadEntry(f"exhibits/SM-{i + 1}.bin", exhibit(i, s, block), s * MIB)
            for i, s in enumerate(sizes)
        ]
        bundle = work / "bundle.zip"
        start = time.perf_counter()
        bz.write_bag_zip(
            bundle,
            BAG,
            entries,
            bag_info=[("Exhibit-Count", str(len(sizes)))],
            signing_key=sign.generate_signing_key(),
        )
        export_s = time.perf_counter() - start
        with zipfile.ZipFile(bundle) as zf:
            zf.extractall(work / "x")
        bag_dir = work / "x" / BAG
        files = sorted(str(p) for p in (bag_dir / "data").rglob("*") if p.is_file())
        payload = sum(os.path.getsize(f) for f in files)
        for f in [*files, str(bundle)]:  # warm the page cache for every contender
            with open(f, "rb") as fh:
                while fh.read(8 * MIB):
                    pass

        import bagit

        logging.getLogger("bagit").setLevel(logging.ERROR)

        def ours() -> None:
            report = verify_bundle(bundle)
            assert report.valid, report.problems

        contenders: dict[str, Callable[[], object]] = {
            "openssl dgst -sha256": lambda: run_ok(["openssl", "dgst", "-sha256", *files]),
            "verify_bundle (zip, 2 threads)": ours,
            "verify_bundle (zip, 1 thread)": lambda: verify_bundle(bundle, threads=1),
            "bagit-python validate (processes=1)": lambda: bagit.Bag(str(bag_dir)).validate(),
            "bagit-python validate (processes=2)": lambda: bagit.Bag(str(bag_dir)).validate(
                processes=2
            ),
        }
        if shutil.which("sha256sum"):
            contenders["sha256sum -c"] = lambda: run_ok(
                ["sha256sum", "-c", "manifest-sha256.txt"], cwd=bag_dir
            )
        # Round-robin, best of N: on a shared machine, noise then hits every contender.
        results = {name: float("inf") for name in contenders}
        for _ in range(args.runs):
            for name, fn in contenders.items():
                results[name] = min(results[name], best_of(1, fn))

        print(f"payload: {len(files)} files, {payload / MIB:.0f} MiB ({args.layout}); "
              f"export took {export_s:.2f} s ({payload / MIB / export_s:.0f} MiB/s)")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        ours_s = results["verify_bundle (zip, 2 threads)"]
        for name, seconds in results.items():
            print(f"  {name:40s} {seconds:6.3f} s  {payload / MIB / seconds:7.0f} MiB/s")
        openssl_s = results["openssl dgst -sha256"]
        print(f"ours vs openssl throughput:       {openssl_s / ours_s:.2f}x  (goal >= 0.8)")
        bagit_s = results["bagit-python validate (processes=1)"]
        print(f"ours vs bagit-python (default):   {bagit_s / ours_s:.2f}x  (goal >= 1)")
        bagit2_s = results["bagit-python validate (processes=2)"]
        print(f"ours vs bagit-python (2 procs):   {bagit2_s / ours_s:.2f}x")
        if "sha256sum -c" in results:
            print(f"ours vs sha256sum -c:             {results['sha256sum -c'] / ours_s:.2f}x"
                  "  (goal >= 3)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
