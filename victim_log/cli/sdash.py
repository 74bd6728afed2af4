"""``victim-log sdash``: the S-DASH stalking screening questions (#20), answered and dated.

Shows the 11 questions with the latest answers, what the log suggests for each, and how
answers changed; ``--answer`` keeps a new dated set. Never a score: the same advice,
to talk to the police or the helpline, whatever the answers.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from .. import casetime
from .. import sdash
from ..errors import EXIT_OK
from ..stats import compute
from .output import one_line
from .output import print_json
from .session import open_vault

#: ``sdash --json``.
SDASH_FIELDS: tuple[str, ...] = ("questions", "history", "changes", "advice")


def add_sdash_command(command: Any) -> None:
    """Register ``sdash`` (called from cli/parser.py)."""
    p = command("sdash", cmd_sdash, "the stalking screening questions (S-DASH): answer, see changes")
    p.add_argument(
        "--answer",
        metavar="Q=A",
        action="append",
        help="record an answer: a question's number (1-11) or id, then yes, no or not_sure; repeat",
    )
    p.add_argument(
        "--by", metavar="WHO", default="victim", help="'victim' or 'support:NAME' (answered together)"
    )
    p.add_argument("--json", action="store_true")


def cmd_sdash(args: argparse.Namespace) -> int:
    from ..store.stats import tally
    from ..vault import IncidentFilter

    with open_vault(args) as vault:
        zone = casetime.use_vault_zone(vault)
        now = datetime.now(zone)
        if args.answer:
            answers = sdash.parse_answers(list(args.answer))
            sdash.record(vault, answers, by=args.by or "victim", at=now.isoformat(timespec="seconds"))
        sets = sdash.answer_sets(vault)
        hints = sdash.suggestions(compute(tally(vault.conn, IncidentFilter(), zone, now.date())))
    latest = sets[-1] if sets else None
    questions: list[dict[str, Any]] = []
    for n, (q, text) in enumerate(sdash.QUESTIONS, 1):
        answered = next((s for s in reversed(sets) if s.answer(q)), None)
        questions.append(
            {
                "number": n,
                "id": q,
                "text": text,
                "answer": answered.answer(q) if answered else "",
                "answered_on": answered.at[:10] if answered else "",
                "suggestion": hints.get(q, ""),
            }
        )
    history = [{"at": s.at, "by": s.by, "answers": dict(s.answers)} for s in sets]
    moved: list[dict[str, Any]] = [
        {"id": q, "answers": [{"on": d, "answer": a} for d, a in seq]} for q, seq in sdash.changes(sets)
    ]
    if args.json:
        print_json({"questions": questions, "history": history, "changes": moved, "advice": sdash.ADVICE})
        return EXIT_OK
    if args.answer and latest is not None:
        print(f"Kept your answers of {latest.at[:10]} ({len(latest.answers)} answered).")
    for row in questions:
        answer = sdash.ANSWERS.get(str(row["answer"]), "not answered yet")
        when = f" ({row['answered_on']})" if row["answered_on"] else ""
        print(f"{row['number']:2d}. {row['text']}  {answer}{when}")
        if row["suggestion"]:
            print(f"    From your log: {row['suggestion']}")
    for m in moved:
        steps = ", then ".join(f"{sdash.ANSWERS[a['answer']].lower()} on {a['on']}" for a in m["answers"])
        print(f"Changed: question {sdash.QUESTION_IDS.index(str(m['id'])) + 1}: {one_line(steps)}.")
    print(sdash.ADVICE)
    return EXIT_OK
