"""A redacted export names the unredacted export it derives from, by hash (#16.6).

Why a module of its own: the hash is of the ``timeline.json`` that the same export
would give without redaction, made at the same moment, so it needs both the case
builder and the JSON writer; building it inside either would make them import each
other. :func:`victim_log.export.bundle.export` calls :func:`with_unredacted_hash`
after building the redacted case. ``victim-log export --unredacted-copy`` writes that
unredacted export beside the redacted one, so the hash can be checked with
``sha256sum`` or ``certutil`` (see export/disclosure.py and docs/export-format.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING

from .case import ExportCase
from .case import ExportOptions
from .case import build_case
from .tables import timeline_json_chunks

if TYPE_CHECKING:
    from ..vault import Vault

__all__ = ["unredacted_timeline_sha256", "with_unredacted_hash"]


def unredacted_timeline_sha256(
    vault: Vault, options: ExportOptions, *, exported_at: str, fingerprint: str
) -> str:
    """SHA-256 of the ``timeline.json`` the same export gives without redaction."""
    full = build_case(
        vault, replace(options, redact=frozenset()), exported_at=exported_at, fingerprint=fingerprint
    )
    digest = hashlib.sha256()
    for chunk in timeline_json_chunks(full):  # streamed: never the whole file at once (#23.8)
        digest.update(chunk)
    return digest.hexdigest()


def with_unredacted_hash(vault: Vault, options: ExportOptions, case: ExportCase) -> ExportCase:
    """``case`` whose schedule names the unredacted export by hash when it is redacted."""
    if not options.redact or case.not_included is None:
        return case
    digest = unredacted_timeline_sha256(
        vault, options, exported_at=case.exported_at, fingerprint=case.fingerprint
    )
    return replace(case, not_included=replace(case.not_included, unredacted_sha256=digest))
