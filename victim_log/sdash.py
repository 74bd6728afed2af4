"""The S-DASH stalking screening questions (#20), in plain words, answered and dated.

UK police use S-DASH (11 questions) to think about risk in a stalking case. Here the
victim (alone or with a support worker) answers them as often as they like; each set of
answers is kept with its date and never overwritten, so the log shows how the picture
changed. The log suggests answers from what it holds ("the log has 3 entries of damage
to property") for the person to confirm; nothing is answered for them.

Never a score or a verdict: whatever the answers, the advice is the same, to talk to
the police or the National Stalking Helpline. Included in an export only when chosen.
Answers are kept as vault settings named ``sdash:<time>`` (one per set, journalled like
every change).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from .errors import BadInput
from .stats import PRESENCE
from .stats import Stats
from .stats import day_text
from .textsafe import ascii_digits
from .textsafe import plural

__all__ = [
    "ADVICE",
    "ANSWERS",
    "QUESTIONS",
    "AnswerSet",
    "answer_sets",
    "changes",
    "parse_answers",
    "record",
    "suggestions",
]

SETTING_PREFIX = "sdash:"

#: (id, the question in plain words). The ids are stable: exports and scripts use them.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("frightened", "Are you very frightened?"),
    ("previous", "Has this person harassed or stalked anyone before (you or someone else)?"),
    ("damage", "Have they damaged your home, car or other things of yours?"),
    ("visits", "Do they turn up, wait around or follow you more than three times a week?"),
    ("loitering", "Do they loiter near you or watch you (home, work, school or elsewhere)?"),
    ("threats", "Have they threatened physical or sexual violence?"),
    ("third_parties", "Have they harassed people close to you (family, friends, colleagues)?"),
    ("violent", "Have they been violent towards anyone?"),
    ("recruited", "Have they got other people to help them (to watch you, contact you, find you)?"),
    ("drugs_alcohol", "Do they have problems with drugs or alcohol?"),
    ("history", "Have they a history of violence or abuse (for example to a partner or family)?"),
)
QUESTION_IDS = tuple(q for q, _ in QUESTIONS)
ANSWERS: dict[str, str] = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}

ADVICE = (
    "These are the questions police use to think about risk in stalking cases. They are a "
    "prompt to talk to someone, never a score. Whatever your answers, if you are worried, "
    "talk to the police (101, or 999 if you are in danger now) or the National Stalking "
    "Helpline (0808 802 0300)."
)


class Settings(Protocol):
    """What this module needs of a vault (declared here: no import of the vault)."""

    def set_setting(self, name: str, value: str) -> None: ...

    def settings_with_prefix(self, prefix: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class AnswerSet:
    """One sitting: when, who answered (the victim, or "support:NAME" with them), and
    the answers given (questions left out were not answered)."""

    at: str  # ISO 8601 with offset
    by: str
    answers: tuple[tuple[str, str], ...]  # (question id, answer id), in question order

    def answer(self, question: str) -> str:
        return dict(self.answers).get(question, "")


def parse_answers(items: list[str]) -> tuple[tuple[str, str], ...]:
    """``["threats=yes", "3=no"]`` (a question's id or its number 1-11) to answers;
    BadInput naming what is wrong."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip().casefold(), value.strip().casefold().replace(" ", "_").replace("-", "_")
        if not sep:
            raise BadInput("Give each answer as QUESTION=yes, no or not_sure (for example threats=yes).")
        if ascii_digits(key) and 1 <= int(key) <= len(QUESTIONS):
            key = QUESTION_IDS[int(key) - 1]
        if key not in QUESTION_IDS:
            raise BadInput(
                f"There is no question '{key[:40]}'. Questions: 1-11 or {', '.join(QUESTION_IDS)}."
            )
        if value not in ANSWERS:
            raise BadInput("Answer each question with yes, no or not_sure.")
        out[key] = value
    if not out:
        raise BadInput("Give at least one answer.")
    return tuple((q, out[q]) for q in QUESTION_IDS if q in out)


def record(vault: Settings, answers: tuple[tuple[str, str], ...], *, by: str, at: str) -> AnswerSet:
    """Keep one dated set of answers (a new setting each time: nothing is overwritten)."""
    who = by.strip() or "victim"
    if who != "victim" and not (who.startswith("support:") and len(who) > len("support:")):
        raise BadInput("--by is 'victim' or 'support:NAME'.")
    taken = {name for name, _v in vault.settings_with_prefix(SETTING_PREFIX + at)}
    name, n = SETTING_PREFIX + at, 1
    while name in taken:  # two sets in one second: both kept
        n += 1
        name = f"{SETTING_PREFIX}{at}#{n}"
    entry = AnswerSet(at, who, answers)
    vault.set_setting(name, json.dumps({"by": who, "answers": dict(answers)}, sort_keys=True))
    return entry


def answer_sets(vault: Settings) -> tuple[AnswerSet, ...]:
    """Every set of answers, oldest first (one that cannot be read is left out)."""
    out: list[tuple[str, int, AnswerSet]] = []
    for name, value in vault.settings_with_prefix(SETTING_PREFIX):
        try:
            doc = json.loads(value)
            answers = {str(k): str(v) for k, v in dict(doc["answers"]).items()}
        except (ValueError, KeyError, TypeError):
            continue
        kept = tuple((q, answers[q]) for q in QUESTION_IDS if answers.get(q) in ANSWERS)
        key = name[len(SETTING_PREFIX) :]
        at, _sep, n = key.partition("#")
        out.append((at, int(n) if n.isdigit() else 1, AnswerSet(at, str(doc.get("by", "victim")), kept)))
    return tuple(a for _at, _n, a in sorted(out, key=lambda x: (x[0], x[1])))


def changes(sets: tuple[AnswerSet, ...]) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Per question whose answer changed: (question id, ((date, answer), ...)) at each change."""
    out = []
    for q in QUESTION_IDS:
        seen: list[tuple[str, str]] = []
        for s in sets:
            a = s.answer(q)
            if a and (not seen or seen[-1][1] != a):
                seen.append((s.at[:10], a))
        if len(seen) > 1:
            out.append((q, tuple(seen)))
    return tuple(out)


def suggestions(stats: Stats) -> dict[str, str]:
    """What the log already says, per question, for the person to confirm (never an
    answer given for them)."""
    kinds = {k: n for k, _label, n in stats.by_kind}
    first = {k: (i, d) for k, i, d in stats.first_entries}
    out: dict[str, str] = {}

    for q, kind, tail in (
        ("damage", "damage", "of damage to property"),
        ("loitering", "loitering", "of loitering or watching"),
        ("threats", "threat", "of a threat"),
        ("third_parties", "third_party", "of contact through someone else"),
        ("violent", "violence", "of violence"),
    ):
        if kinds.get(kind) and kind in first:
            i, d = first[kind]
            out[q] = (
                f"The log has {plural(kinds[kind], 'entry', 'entries')} {tail} "
                f"(first: Entry {i}, {day_text(d)})."
            )
    busy = [w for w in stats.weeks if sum(n for k, n in w.by_kind if k in PRESENCE) > 3]
    if busy:
        top = max(busy, key=lambda w: sum(n for k, n in w.by_kind if k in PRESENCE))
        n = sum(count for k, count in top.by_kind if k in PRESENCE)
        out["visits"] = (
            f"In {plural(len(busy), 'week')} the log has more than three visits, following or "
            f"watching (most: {n} in the week beginning {top.label})."
        )
    helpers = [name for _i, name, role, _n in stats.by_person if role == "third_party"]
    if helpers:
        out["recruited"] = f"The log names {plural(len(helpers), 'person', 'people')} acting for them."
    return out
