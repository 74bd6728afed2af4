"""Big SMS backups: constant memory and throughput, measured in a fresh process.

The default run parses a generated 24 MB backup; ``--long`` parses ~200 MB and also
checks the throughput goal (>= 20 MB/s). Peak RSS must stay under 200 MB either way.
"""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
from pathlib import Path

MEASURE = r"""
import json, os, resource, sys, time
from victim_log.importers import parse_sms_backup
path = sys.argv[1]
start = time.perf_counter()
items = attachments = decoded = 0
with parse_sms_backup(path) as stream:
    for item in stream:
        items += 1
        for att in item.attachments:
            attachments += 1
            if attachments % 50 == 1:
                decoded += sum(len(p) for p in att.iter_bytes())
seconds = time.perf_counter() - start
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:  # VmHWM is this process's own peak; ru_maxrss can include the forking parent
    with open("/proc/self/status") as fh:
        rss_mb = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024
except (OSError, StopIteration, ValueError):
    pass
print(json.dumps({
    "items": items, "attachments": attachments, "decoded": decoded, "seconds": seconds,
    "mb": os.path.getsize(path) / 1e6,
    "rss_mb": rss_mb,
    "senders": len(stream.stats.senders()),
}))
"""


def generate(path: Path, megabytes: int, seed: int = 7) -> int:
    """A backup of mostly SMS with a photo MMS every 2,000 messages; returns #items."""
    rng = random.Random(seed)
    photo = base64.b64encode(rng.randbytes(600_000)).decode()
    target = megabytes * 1024 * 1024
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"0\">\n")
        while fh.tell() < target:
            n += 1
            when = 1709323865000 + n * 60_000
            number = f"07700900{n % 1000:03d}"
            if n % 2000 == 0:
                fh.write(
                    f'  <mms date="{when}" msg_box="1" address="{number}" m_type="132" '
                    f'contact_name="Dan Marsh"><parts><part seq="0" ct="image/jpeg" '
                    f'name="IMG_{n}.jpg" text="null" data="{photo}" /><part seq="1" '
                    f'ct="text/plain" text="look &amp; see" /></parts><addrs><addr '
                    f'address="{number}" type="137" /></addrs></mms>\n'
                )
            else:
                body = "I know where you are &amp; who you are with &#10;" * rng.randint(1, 4)
                fh.write(
                    f'  <sms protocol="0" address="{number}" date="{when}" type="{1 + n % 2}" '
                    f'subject="null" body="{body}" toa="null" sc_toa="null" service_center="null" '
                    f'read="1" status="-1" locked="0" date_sent="0" sub_id="1" '
                    f'readable_date="1 Mar 2024 20:11:05" contact_name="Dan Marsh {n % 7}" />\n'
                )
        fh.write("</smses>\n")
    return n


def measure(path: Path) -> dict[str, float]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_big_backup_constant_memory(tmp_path: Path, long_run: bool) -> None:
    path = tmp_path / "big.xml"
    megabytes = 200 if long_run else 24
    n = generate(path, megabytes)
    result = measure(path)
    print(f"\nSMS scale: {result}")
    assert result["items"] == n
    assert result["attachments"] == n // 2000
    assert result["rss_mb"] < 200
    if long_run:
        assert result["mb"] / result["seconds"] >= 20
