"""Who entered each entry's latest version, for the timeline's "with NAME" mark (#18).

The timeline's index rows do not carry the author, and most entries are the victim's
own: this reads only the latest versions that a support worker entered, for the ids
the timeline shows, so the common case (no worker) costs one indexed look-up per 500.
"""

from __future__ import annotations

from collections.abc import Sequence

from .db import Connection

_CHUNK = 500
_SUPPORT_AUTHORS = (
    "SELECT r.id, json_extract(r.body, '$.data.author') FROM records r"
    " JOIN incidents i ON r.kind = 'incident' AND r.id = i.id AND r.version = i.version"
    " WHERE r.id IN ({marks}) AND json_valid(r.body)"
    " AND json_extract(r.body, '$.data.author') LIKE 'support:%'"
)


def support_authors(conn: Connection, incident_ids: Sequence[int]) -> dict[int, str]:
    """id -> author (``support:NAME``) of the entries among ``incident_ids`` whose
    latest version a support worker entered; the others are left out."""
    out: dict[int, str] = {}
    ids = list(dict.fromkeys(incident_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        sql = _SUPPORT_AUTHORS.format(marks=",".join("?" * len(chunk)))
        for row in conn.execute(sql, chunk).fetchall():
            out[int(row[0])] = str(row[1])
    return out
