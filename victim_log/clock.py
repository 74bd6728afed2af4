"""The one clock the diary stamps changes with.

Recorded-at times are contemporaneous-note evidence, so they carry the machine's UTC
offset with them (never a naive local time) and are taken in one place.
"""

from __future__ import annotations

import time
from datetime import datetime

_last_now: tuple[int, str] = (-1, "")


def now_iso() -> str:
    """Recorded-at times: the machine's clock with its UTC offset, to the second.

    Remembered for the rest of the second: an import stamps tens of thousands of
    records and looking up the local zone each time was a tenth of its time.
    """
    global _last_now
    second = int(time.time())
    if second != _last_now[0]:
        stamp = datetime.fromtimestamp(second).astimezone().isoformat(timespec="seconds")
        _last_now = (second, stamp)
    return _last_now[1]
