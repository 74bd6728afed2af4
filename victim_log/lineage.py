"""Does a newer export's history extend an older one's? (``verify OLD NEW``, ``--since``)

Why: a single bundle proves only that its key holder exported it. An officer who
received an export months ago holds its signed journal head (seq, hash); a later
export of the same vault must still contain that very entry at that seq, with the
same hash, or something up to it was removed or rewritten in between (a vault rolled
back to an old copy, or a history re-chained by its key holder). Both bundles must
be valid, and signed by the same key, or there is nothing to compare.

Exit codes as for ``verify``: 0 the newer extends the older, 1 it does not (or one
bundle is invalid or cannot show it), 2 one of them is not a bundle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .export import journal_check
from .verify import VerifyReport
from .verify import format_report
from .verify import verify_bundle


@dataclass(frozen=True)
class LineageReport:
    older: VerifyReport
    newer: VerifyReport
    problems: tuple[str, ...]

    @property
    def status(self) -> str:
        return "EXTENDS" if self.extends else "DOES NOT EXTEND"

    @property
    def extends(self) -> bool:
        """No problem found: the newer export still holds the older one's signed head."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "valid": self.extends,
            "extends": self.extends,
            "problems": list(self.problems),
            "older": self.older.to_json(),
            "newer": self.newer.to_json(),
        }


def _compare(older: VerifyReport, newer: VerifyReport) -> list[str]:
    if not older.valid or not newer.valid:
        which = [n for n, r in (("older", older), ("newer", newer)) if not r.valid]
        return [
            f"The {' and the '.join(which)} export {'is' if len(which) == 1 else 'are'} not "
            "valid (see above), so the history cannot be compared."
        ]
    if older.fingerprint != newer.fingerprint:
        return [
            f"The two exports were signed by different keys ({older.fingerprint} and "
            f"{newer.fingerprint}): they do not come from the same vault, or one was "
            "re-signed by someone else."
        ]
    head, new_head = older.journal_head, newer.journal_head
    if head is None or new_head is None:
        missing = [n for n, h in (("older", head), ("newer", new_head)) if h is None]
        return [
            f"The {' and the '.join(missing)} export {'has' if len(missing) == 1 else 'have'} "
            "no journal head (made by an earlier Victim Log), so it cannot be shown that "
            "the newer export's history extends the older one."
        ]
    if journal_check.extends(head, list(newer.journal_hashes)):
        return []
    where = (
        f"entry {head.seq}, the older export's last, is not in the newer export"
        if head.seq > len(newer.journal_hashes)
        else f"entry {head.seq}, the older export's last, is different in the newer export"
    )
    hint = ""
    if journal_check.extends(new_head, list(older.journal_hashes)):
        hint = " The first file given is the newer one: give the older export first (or after --since)."
    return [
        f"The newer export's history does not extend the older one: {where}, so entries up "
        f"to it were removed or rewritten in between.{hint}"
    ]


def verify_lineage(
    older: str | os.PathLike[str],
    newer: str | os.PathLike[str],
    *,
    expected_fingerprint: str | None = None,
    threads: int = 2,
) -> LineageReport:
    """Verify both bundles (NotABundle propagates) and compare their histories."""
    old_report = verify_bundle(older, expected_fingerprint=expected_fingerprint, threads=threads)
    new_report = verify_bundle(newer, expected_fingerprint=expected_fingerprint, threads=threads)
    return LineageReport(old_report, new_report, tuple(_compare(old_report, new_report)))


def format_lineage(report: LineageReport) -> str:
    """Each bundle's own result, then the comparison."""
    lines = [
        f"Older export, {report.older.bundle}:",
        _indent(format_report(report.older)),
        f"Newer export, {report.newer.bundle}:",
        _indent(format_report(report.newer)),
    ]
    old, new = report.older.journal_head, report.newer.journal_head
    if report.extends and old is not None and new is not None:
        lines.append(
            f"HISTORY EXTENDS: the newer export holds the older one's history unchanged "
            f"(entries 1 to {old.seq}) and continues it to entry {new.seq}."
        )
    else:
        lines.extend(f"HISTORY DOES NOT EXTEND: {p}" for p in report.problems)
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
