"""Property test: generate chats, render them as WhatsApp would, parse them back."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from victim_log.importers import parse_whatsapp

NAMES = st.sampled_from(["Dan Marsh", "Sarah Jones", "+44 7700 900123", "Amy", "Zo\u00eb O'Neil"])
# Letters, spaces and punctuation (":" included); no digits or "[" so a continuation
# line can never look like a timestamp, and no invisible marks (dropped on purpose).
WORD_CHARS = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Zs", "Po", "So"),
    exclude_characters="[\u200e\u200f\u202f\u00a0\u2028\u2029\u3000\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f",
)
LINE = st.text(WORD_CHARS, max_size=40)
TEXT = st.lists(LINE, min_size=1, max_size=4).map("\n".join)


def _special(text: str) -> bool:
    """Texts the parser deliberately interprets (media, deletions, calls...)."""
    first = text.split("\n", 1)[0].strip()
    return (
        first in ("<Media omitted>", "This message was deleted", "You deleted this message")
        or first.endswith(("omitted", "(file attached)", "<This message was edited>"))
        or text.strip().endswith("<This message was edited>")
        or first.startswith(("<attached:", "Missed ", "Silenced "))
    )


@dataclass(frozen=True)
class Msg:
    when: datetime
    sender: str
    text: str


@st.composite
def chats(draw: st.DrawFn) -> list[Msg]:
    start = draw(st.datetimes(min_value=datetime(2009, 1, 1), max_value=datetime(2030, 1, 1)))
    start = start.replace(microsecond=0)
    msgs = []
    when = start
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        when += timedelta(seconds=draw(st.integers(min_value=0, max_value=200_000)))
        text = draw(TEXT.filter(lambda t: not _special(t)))
        msgs.append(Msg(when, draw(NAMES), text))
    return msgs


def _hour12(dt: datetime) -> tuple[int, str]:
    return (dt.hour % 12 or 12), ("AM" if dt.hour < 12 else "PM")


def render_android(msgs: list[Msg], order: str, twelve: bool, short_year: bool) -> bytes:
    lines = ["\ufeff"]  # Android exports often start with a BOM
    for m in msgs:
        d = m.when
        year = f"{d.year % 100:02d}" if short_year else f"{d.year}"
        date = f"{d.day:02d}/{d.month:02d}/{year}" if order == "dmy" else f"{d.month}/{d.day}/{year}"
        if twelve:
            h, ampm = _hour12(d)
            time = f"{h}:{d.minute:02d}\u202f{ampm}"
        else:
            time = f"{d.hour:02d}:{d.minute:02d}"
        sender = f"\u202a{m.sender}\u202c" if m.sender.startswith("+") else m.sender
        lines.append(f"{date}, {time} - {sender}: {m.text}\n")
    return "".join(lines).encode("utf-8")


def render_ios(msgs: list[Msg], order: str, twelve: bool) -> bytes:
    out = []
    for m in msgs:
        d = m.when
        date = (
            f"{d.day:02d}/{d.month:02d}/{d.year}"
            if order == "dmy"
            else f"{d.month}/{d.day}/{d.year % 100:02d}"
        )
        if twelve:
            h, ampm = _hour12(d)
            time = f"{h}:{d.minute:02d}:{d.second:02d}\u202f{ampm}"
        else:
            time = f"{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
        out.append(f"[{date}, {time}] {m.sender}: {m.text}\r\n".replace("\n", "\r\n").replace("\r\r", "\r"))
    return "".join(out).encode("utf-8")


SETTINGS = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(chats(), st.sampled_from(["dmy", "mdy"]), st.booleans(), st.booleans())
def test_android_round_trip(msgs: list[Msg], order: str, twelve: bool, short_year: bool) -> None:
    data = render_android(msgs, order, twelve, short_year)
    items = parse_whatsapp(data, date_order=order, me="Sarah Jones").collect().items  # type: ignore[arg-type]
    assert [i.sender for i in items] == [m.sender for m in msgs]
    assert [i.text for i in items] == [m.text for m in msgs]
    assert [i.occurred_at for i in items] == [m.when.replace(second=0) for m in msgs]
    assert [i.direction for i in items] == ["out" if m.sender == "Sarah Jones" else "in" for m in msgs]
    assert all(i.flags == frozenset() for i in items)


@SETTINGS
@given(chats(), st.sampled_from(["dmy", "mdy"]), st.booleans(), st.booleans())
def test_ios_round_trip(msgs: list[Msg], order: str, twelve: bool, zipped: bool) -> None:
    data = render_ios(msgs, order, twelve)
    if zipped:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("_chat.txt", data)
        data = buf.getvalue()
    with parse_whatsapp(data, date_order=order) as stream:  # type: ignore[arg-type]
        items = list(stream)
    assert [(i.sender, i.text, i.occurred_at) for i in items] == [(m.sender, m.text, m.when) for m in msgs]
    assert stream.stats.senders() == sorted(
        {(s, sum(m.sender == s for m in msgs)) for s in {m.sender for m in msgs}},
        key=lambda kv: (-kv[1], kv[0]),
    )
