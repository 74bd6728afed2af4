"""What erase for good takes out of an exhibit's stored records (#17.4).

An erased file's records keep only a tombstone: when it was added and by whom, its
blob id and size, when it was erased (the reason is the removal version's own
``reason`` column), and the SHA-256 of the body the journal entry was written for.
Its name, media type, hash, photo details (EXIF: date taken, GPS, device) and how it
was obtained are dropped. The journal keeps its hashes, so the chain and every
earlier export still verify; ``check`` accepts a tombstone in place of a body whose
hash it names (:func:`stands_for`).
"""

from __future__ import annotations

import json
from typing import Any

from ..model import canonical_json
from . import journal
from .db import Connection

KEPT = ("added_at", "added_by", "blob_id", "size")


def tombstone(body_text: str, erased_at: str) -> str:
    try:
        body = json.loads(body_text)
    except ValueError:
        body = {}
    kept = {k: body[k] for k in KEPT if isinstance(body, dict) and k in body}
    stub: dict[str, Any] = {**kept, "erased": {"at": erased_at, "body_sha256": journal.body_hash(body_text)}}
    return canonical_json(stub).decode()


def stands_for(body_text: str) -> str | None:
    """The body hash a tombstone names (None when ``body_text`` is not one)."""
    if '"erased":{' not in body_text:
        return None
    try:
        body = json.loads(body_text)
    except ValueError:
        return None
    erased = body.get("erased") if isinstance(body, dict) else None
    digest = erased.get("body_sha256") if isinstance(erased, dict) else None
    return digest if isinstance(digest, str) else None


def is_tombstone(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("erased"), dict)


def redact(conn: Connection, evidence_id: int, erased_at: str) -> None:
    """Replace every stored version of the exhibit with its tombstone (in the erase's
    transaction; ``secure_delete`` overwrites what the old bodies freed)."""
    rows = conn.execute(
        "SELECT version, body FROM records WHERE kind = 'evidence' AND id = ?", (evidence_id,)
    ).fetchall()
    conn.executemany(
        "UPDATE records SET body = ? WHERE kind = 'evidence' AND id = ? AND version = ?",
        [
            (tombstone(str(body), erased_at), evidence_id, int(version))
            for version, body in rows
            if stands_for(str(body)) is None
        ],
    )


def erased_blob_ids(conn: Connection) -> list[str]:
    """Every blob erased for good (its key gone); its file should be gone too."""
    return [str(r[0]) for r in conn.execute("SELECT blob_id FROM blobs WHERE erased = 1 ORDER BY blob_id")]
