"""Which incident an imported message made (kept beside :mod:`.imports`).

A chat exported "without media" and later "with media" holds the same messages; the
second import finds the incidents the first made, to attach the photos to them
(#19.2). The item keys are made by :mod:`victim_log.importers.service`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .db import Connection

_BATCH = 500


def incidents_for_items(conn: Connection, item_keys: Iterable[str]) -> dict[str, int]:
    """The incident each remembered item key made (keys never imported are left out)."""
    keys = list(dict.fromkeys(item_keys))
    found: dict[str, int] = {}
    for start in range(0, len(keys), _BATCH):
        part = keys[start : start + _BATCH]
        marks = ",".join("?" * len(part))
        rows = conn.execute(
            f"SELECT item_key, incident_id FROM imported_items WHERE item_key IN ({marks})",  # noqa: S608
            part,
        ).fetchall()
        found.update((str(k), int(i)) for k, i in rows)
    return found
