"""Invented inputs for the benchmarks, generated at run time from a fixed seed.

Everything is made up (DOMAIN.md "Test data": Dan Marsh, 07700 900xxx numbers,
generic places). Text is varied on purpose: search speed depends on how many
distinct words there are and how often each occurs, so the pools mix very common
words ("outside", the perpetrator's name), medium ones (a third party's name) and
rare ones (a word in about 1 incident in 5,000), and sentences are assembled from
parts with numbers, times and places filled in.

Nothing here imports Victim Log: the cases turn these plain values into its types.
"""

from __future__ import annotations

import base64
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

MIB = 1024 * 1024

PEOPLE = [
    {
        "name": "Dan Marsh",
        "role": "perpetrator",
        "aliases": ["Danny", "dm_1987"],
        "phones": ["07700 900123", "07700 900456"],
        "accounts": ["@dan.marsh.87", "dan.marsh@example.com"],
        "vehicles": ["Blue hatchback XY21 ABC"],
    },
    {
        "name": "Kerry Marsh",
        "role": "third_party",
        "aliases": [],
        "phones": ["07700 900789"],
        "accounts": [],
        "vehicles": [],
    },
    {
        "name": "Priya Shah",
        "role": "witness",
        "aliases": [],
        "phones": ["07700 900321"],
        "accounts": [],
        "vehicles": [],
    },
]

PLACES = [
    "outside the Co-op on High Street",
    "at the bus stop on Mill Lane",
    "outside my house",
    "in the car park at work",
    "at the school gates",
    "outside the gym on Station Road",
    "near the library on Church Street",
    "in the big Tesco car park",
    "on the platform at Central station",
    "outside my mum's house on Elm Grove",
    "outside the GP surgery",
    "in the park by the canal",
    "at the end of my road",
    "outside the pharmacy",
    "at the petrol station on the ring road",
    "outside the nursery",
    "at the bottom of the stairs in my block",
    "by the cash machine on Market Square",
    "outside the chip shop",
    "in the queue at the post office",
    "at the swimming baths",
    "at my friend's flat on Victoria Road",
    "outside the community centre",
    "at the retail park",
]

QUOTES = [
    "I just want to talk, why are you ignoring me?",
    "You can't hide from me forever.",
    "I know where you were last night.",
    "You'll regret this.",
    "Nobody else will ever want you.",
    "I'm outside, come down.",
    "Answer your phone or I'll keep ringing.",
    "I saw you with him.",
    "You owe me an explanation.",
    "I'll be waiting for you after work.",
    "Nice dress today.",
    "Tell your sister to stop lying about me.",
    "If I can't have you nobody can.",
    "I'm not going anywhere.",
    "You looked tired this morning.",
    "Why did you block me?",
    "I only want to see you once more.",
    "I have your spare key still.",
    "I'll tell everyone what you did.",
    "Don't make me come round.",
    "I know your new number.",
    "You think the police scare me?",
]

EFFECT_LINES = [
    "I was shaking and couldn't sleep afterwards.",
    "I took a different route home.",
    "I stayed at my mum's that night.",
    "I called in sick the next day.",
    "I felt sick and frightened for the rest of the evening.",
    "I checked the locks three times.",
    "My daughter asked why I was crying.",
    "I didn't go to the gym again that week.",
    "I jump every time my phone buzzes now.",
    "I asked a colleague to walk me to the car.",
]

ACTION_LINES = [
    "I took screenshots and saved them.",
    "I blocked the number again.",
    "I rang 101 and got a reference.",
    "I told Priya next door.",
    "I saved the voicemail.",
    "I photographed the car and the registration.",
    "I wrote it down straight away.",
    "I reported the account to Instagram.",
    "I sent the screenshots to my support worker.",
    "I didn't reply.",
]

CARS = [
    "his blue hatchback XY21 ABC",
    "a silver Ford Focus",
    "a black taxi",
    "his work van",
    "a red Corsa I didn't recognise",
    "Kerry's white Fiesta",
]

TEMPLATES: list[tuple[tuple[str, ...], str, list[str]]] = [
    (
        ("message",),
        "Text messages from Dan",
        [
            "{n} texts from {phone} between {t1} and {t2}.",
            'He wrote: "{quote}"',
            'Another message at {t2}: "{quote}"',
        ],
    ),
    (
        ("phone_call",),
        "Missed calls from a withheld number",
        [
            "{n} missed calls between {t1} and {t2}, number withheld.",
            "The pattern matches Dan's usual calls.",
            "One call rang out for over a minute.",
        ],
    ),
    (
        ("voicemail",),
        "Voicemail from Dan",
        ["A voicemail at {t1}, {n} seconds long.", 'He says "{quote}"', "He sounded drunk."],
    ),
    (
        ("social_media",),
        "New Instagram account following me",
        [
            "A new account {account} followed me and liked {n} old photos.",
            'It commented "{quote}" under my profile picture.',
            "The profile photo is one Dan took.",
        ],
    ),
    (
        ("in_person", "order_breach"),
        "Dan approached me {place}",
        [
            "He walked up to me {place} at {t1}.",
            'He said "{quote}"',
            "I walked away and he followed for a bit.",
        ],
    ),
    (
        ("loitering",),
        "Saw Dan watching the house",
        [
            "He was standing {place} for about {n} minutes from {t1}.",
            "He was looking up at my window.",
            "Priya saw him too.",
        ],
    ),
    (
        ("following",),
        "Followed on the way home",
        [
            "I noticed {car} behind me from {place}.",
            "It stayed behind me for {n} minutes.",
            "I drove to the police station and it turned off.",
        ],
    ),
    (
        ("turned_up",),
        "Dan turned up {place}",
        ["He was {place} when I arrived at {t1}.", "He pretended it was a coincidence.", 'He said "{quote}"'],
    ),
    (
        ("gift",),
        "Flowers left on the doorstep",
        [
            "A bunch of flowers was left {place} with a card.",
            'The card said "{quote}"',
            "No one saw who left them.",
        ],
    ),
    (
        ("damage",),
        "Car windscreen damaged",
        [
            "My windscreen was smashed overnight {place}.",
            "A neighbour heard a bang at about {t1}.",
            "Repairs quoted at \u00a3{n}0.",
        ],
    ),
    (
        ("third_party",),
        "Kerry messaged me for Dan",
        [
            "Kerry Marsh sent {n} messages saying Dan only wants to talk.",
            'She wrote: "{quote}"',
            "Gareth from work said Kerry had asked him about my shifts.",
        ],
    ),
    (
        ("monitoring",),
        "Found a tracker on my car",
        [
            "The garage found a small tracker under the bumper.",
            "It had been there for about {n} weeks.",
            "Dan always seemed to know where I was.",
        ],
    ),
    (
        ("threat",),
        "Threatening message",
        ['He wrote "{quote}" at {t1}.', "It came from {phone}.", "I was terrified."],
    ),
    (
        ("email",),
        "Emails to my work address",
        [
            "{n} emails from dan.marsh@example.com to my work account.",
            'Subject line: "{quote}"',
            "My manager has seen them.",
        ],
    ),
]

RARE_WORDS = ["trampoline", "marmalade", "harmonica", "lighthouse"]


def _time(rng: random.Random) -> str:
    return f"{rng.randrange(6, 24):02d}:{rng.randrange(60):02d}"


@dataclass
class IncidentText:
    summary: str
    kinds: tuple[str, ...]
    occurred_start: str
    precision: str
    location: str
    details: str
    people: tuple[int, ...]  # indexes into PEOPLE
    effect_text: str = ""
    actions: str = ""
    effects: tuple[str, ...] = ()
    police_reference: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def incidents(
    count: int, *, seed: int = 20240301, start: datetime | None = None, days: int = 3 * 365
) -> Iterator[IncidentText]:
    """``count`` incidents spread evenly over ``days`` (about 90 a day for 100,000 in
    three years), mostly in the order they happened, as a diary fills up."""
    rng = random.Random(seed)  # noqa: S311 - invented data, not security
    start = start or datetime(2023, 1, 1, tzinfo=UTC)
    span = days * 86400
    effects_pool = (
        "afraid_violence",
        "alarm_distress",
        "changed_routine",
        "stayed_home",
        "sleep_affected",
        "work_affected",
    )
    for i in range(count):
        offset = int(span * (i + rng.random()) / count)
        if rng.random() < 0.03:  # written up later: an earlier date
            offset = max(0, offset - rng.randrange(30 * 86400))
        when = start + timedelta(seconds=offset)
        kinds, summary, parts = TEMPLATES[rng.randrange(len(TEMPLATES))]
        fill = {
            "n": str(rng.randrange(2, 40)),
            "t1": _time(rng),
            "t2": _time(rng),
            "quote": rng.choice(QUOTES),
            "place": rng.choice(PLACES),
            "car": rng.choice(CARS),
            "phone": rng.choice(("07700 900123", "07700 900456", f"07700 900{rng.randrange(1000):03d}")),
            "account": rng.choice(("@dan.marsh.87", f"@user{rng.randrange(10**6)}", "@d.m.watching")),
        }
        sentences = [p.format(**fill) for p in parts if rng.random() < 0.85] or [parts[0].format(**fill)]
        if rng.random() < 0.5:
            sentences.append(f"It was about {fill['t1']} {fill['place']}.")
        if rng.random() < 0.0002 * len(RARE_WORDS):
            sentences.append(f"He mentioned the {rng.choice(RARE_WORDS)} in the garden.")
        if rng.random() < 0.01:
            sentences.append("Gareth saw it happen and offered to be a witness.")
        people = [0] if rng.random() < 0.9 else []
        if "Kerry" in " ".join(sentences) or rng.random() < 0.04:
            people.append(1)
        if rng.random() < 0.05:
            people.append(2)
        precision = rng.choices(("exact", "approximate", "day"), (85, 10, 5))[0]
        yield IncidentText(
            summary=summary.format(**fill),
            kinds=kinds,
            occurred_start=when.isoformat(timespec="seconds"),
            precision=precision,
            location=fill["place"] if rng.random() < 0.7 else "",
            details=" ".join(sentences),
            people=tuple(people),
            effect_text=rng.choice(EFFECT_LINES) if rng.random() < 0.4 else "",
            actions=rng.choice(ACTION_LINES) if rng.random() < 0.6 else "",
            effects=tuple(sorted(set(rng.sample(effects_pool, rng.randrange(0, 3))))),
            police_reference=f"CC-{when.year}-{rng.randrange(10**5):05d}" if rng.random() < 0.05 else "",
        )


# ----------------------------------------------------------------------------- big random files


def random_file(path: Path, size: int, chunk: int = 4 * MIB) -> Path:
    """``size`` random bytes (incompressible, like photos and video), written in chunks."""
    with path.open("wb") as fh:
        left = size
        while left:
            n = min(left, chunk)
            fh.write(os.urandom(n))
            left -= n
    return path


def random_chunks(size: int, chunk: int = 4 * MIB) -> Iterator[bytes]:
    left = size
    while left:
        n = min(left, chunk)
        yield os.urandom(n)
        left -= n


def exhibit_sizes(total: int) -> list[int]:
    """A realistic mix of exhibits adding up to ``total`` bytes: one long video (about
    half), four voice notes or short clips, then phone photos of 1-6 MiB."""
    rng = random.Random(7)  # noqa: S311
    big = total // 2
    mids = [total * 3 // 32] * 4
    sizes = [big, *mids]
    left = total - sum(sizes)
    while left > 0:
        n = min(left, rng.randrange(1 * MIB, 6 * MIB))
        sizes.append(n)
        left -= n
    return sizes


MAGIC = {
    "screenshot": b"\x89PNG\r\n\x1a\n",
    "photo": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "video": b"\x00\x00\x00\x18ftypmp42",
}


def case_exhibits(total: int) -> list[tuple[str, int]]:
    """Evidence of a long case adding up to ``total`` bytes, as (kind, size): one
    video of a quarter of it, phone photos of 2-5 MiB for about 35 %, and the rest
    screenshots of 100 KiB - 1 MiB, which is what most victims attach."""
    rng = random.Random(3)  # noqa: S311
    out: list[tuple[str, int]] = [("video", total // 4)]
    photos = int(total * 0.35)
    while photos > 0:
        n = min(photos, rng.randrange(2 * MIB, 5 * MIB))
        out.append(("photo", n))
        photos -= n
    left = total - sum(n for _, n in out)
    while left > 0:
        n = min(left, rng.randrange(100 * 1024, MIB))
        out.append(("screenshot", n))
        left -= n
    return out


def exhibit_file(path: Path, kind: str, size: int) -> Path:
    """Random bytes behind the kind's magic number, so media sniffing sees an image or video."""
    head = MAGIC.get(kind, b"")[:size]
    with path.open("wb") as fh:
        fh.write(head)
        for chunk in random_chunks(size - len(head)):
            fh.write(chunk)
    return path


# ----------------------------------------------------------------------------- SMS Backup & Restore


def _xml_attr(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
    )


def _readable(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%d %b %Y %H:%M:%S")


def sms_backup(path: Path, size: int, *, seed: int = 11) -> dict[str, int]:
    """An SMS Backup & Restore ``<smses>`` file of about ``size`` bytes.

    About 25 % of the bytes are text messages (roughly 350 bytes of XML each; one
    in seven with the perpetrator's two numbers, the rest with family, friends, work
    and a witness; with quotes, ampersands, newlines and emoji) and 75 % are
    ``<mms>`` picture messages whose photos are base64 ``data`` attributes of
    20-150 KiB, as the app writes them: photos are what make backups big. Emoji are
    literal UTF-8, not the app's older surrogate-pair references, so the stdlib
    reference parser can read it.
    """
    rng = random.Random(seed)  # noqa: S311
    counts = {"sms": 0, "mms": 0, "base64_bytes": 0}
    when = 1_672_531_200_000  # 2023-01-01
    names = {
        "07700 900123": "Dan Marsh",
        "07700 900456": "Dan Marsh",
        "07700 900789": "Kerry Marsh",
        "07700 900321": "Priya Shah",
        "07700 900555": "Mum",
        "07700 900600": "Work",
        "07700 900611": "Jo",
        "07700 900622": "Alex",
        "07700 900633": "Nursery",
        "07700 900644": "Chris",
        "07700 900655": "Sis",
        "07700 900666": "Gym",
        "07700 900677": "Sam W",
        "07700 900688": "Dentist",
    }
    numbers = list(names)
    own = [
        "ok",
        "Please stop contacting me.",
        "I've told you I don't want to talk.",
        "Running late, see you at 6 \U0001f60a",
        "Can you pick up milk & bread?",
    ]
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
            "<!--File Created By SMS Backup & Restore v10.20.002 on 01/03/2026 20:11:05-->\n"
            '<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n'
            '<smses count="0" backup_set="5b2f0d0c-bench" backup_date="1772395865000" type="full">\n'
        )
        written = 0
        sms_bytes = 0
        while written < size:
            when += rng.randrange(20_000, 3_600_000)
            number = rng.choice(numbers)
            if sms_bytes < written * 0.25:
                incoming = rng.random() < 0.8
                if incoming:
                    body = " ".join(rng.sample(QUOTES, rng.randrange(1, 4)))
                    if rng.random() < 0.2:
                        body += "\n" + rng.choice(QUOTES) + " \U0001f621"
                    if rng.random() < 0.1:
                        body += " & " + rng.choice(PLACES)
                else:
                    body = rng.choice(own)
                line = (
                    f'  <sms protocol="0" address="{number}" date="{when}" type="{1 if incoming else 2}" '
                    f'subject="null" body="{_xml_attr(body)}" toa="null" sc_toa="null" '
                    f'service_center="{"+447700900000" if incoming else "null"}" read="1" status="-1" '
                    f'locked="0" date_sent="{when - 2000 if incoming else 0}" sub_id="1" '
                    f'readable_date="{_readable(when)}" contact_name="{names[number]}" />\n'
                )
                counts["sms"] += 1
                sms_bytes += len(line)
            else:
                raw = os.urandom(rng.randrange(20 * 1024, 150 * 1024))
                data = base64.b64encode(b"\xff\xd8\xff\xe0" + raw).decode("ascii")
                counts["base64_bytes"] += len(data)
                caption = rng.choice(QUOTES)
                line = (
                    f'  <mms date="{when}" rr="null" sub="null" ct_t="application/vnd.wap.multipart.related" '
                    f'read_status="null" seen="1" msg_box="1" address="{number}" sub_cs="null" '
                    f'resp_st="null" retr_st="null" d_tm="null" text_only="0" exp="null" locked="0" '
                    f'm_id="mms{counts["mms"]}@bench" st="null" retr_txt_cs="null" retr_txt="null" '
                    f'creator="com.google.android.apps.messaging" date_sent="0" read="1" '
                    f'm_size="{len(raw)}" rpt_a="null" ct_cls="null" pri="null" sub_id="1" '
                    f'tr_id="T{counts["mms"]:08x}" resp_txt="null" ct_l="null" m_cls="personal" '
                    f'd_rpt="null" v="18" _id="{counts["mms"] + 1}" m_type="132" '
                    f'readable_date="{_readable(when)}" contact_name="{names[number]}">\n'
                    "    <parts>\n"
                    '      <part seq="-1" ct="application/smil" name="null" chset="null" cd="null" '
                    'fn="null" cid="&lt;smil&gt;" cl="smil.xml" ctt_s="null" ctt_t="null" '
                    'text="&lt;smil&gt;&lt;body&gt;&lt;par dur=&quot;5000ms&quot;&gt;&lt;img '
                    'src=&quot;IMG.jpg&quot;/&gt;&lt;/par&gt;&lt;/body&gt;&lt;/smil&gt;" />\n'
                    f'      <part seq="0" ct="image/jpeg" name="IMG_{counts["mms"]:05d}.jpg" chset="null" '
                    f'cd="null" fn="null" cid="&lt;0&gt;" cl="IMG_{counts["mms"]:05d}.jpg" ctt_s="null" '
                    f'ctt_t="null" text="null" data="{data}" />\n'
                    f'      <part seq="0" ct="text/plain" name="null" chset="106" cd="null" fn="null" '
                    'cid="&lt;text&gt;" cl="text.txt" ctt_s="null" ctt_t="null" '
                    f'text="{_xml_attr(caption)}" />\n'
                    "    </parts>\n"
                    "    <addrs>\n"
                    f'      <addr address="{number}" type="137" charset="106" />\n'
                    '      <addr address="07700 900999" type="151" charset="106" />\n'
                    "    </addrs>\n"
                    "  </mms>\n"
                )
                counts["mms"] += 1
            fh.write(line)
            written += len(line.encode("utf-8")) if not line.isascii() else len(line)
        fh.write("</smses>\n")
    counts["bytes"] = path.stat().st_size
    return counts


# ----------------------------------------------------------------------------- WhatsApp


def whatsapp_chat(path: Path, lines: int, *, seed: int = 5) -> dict[str, int]:
    """An Android "Export chat" ``.txt`` of ``lines`` lines (day-first dates, 24 h).

    Mostly the perpetrator's messages with replies, about one message in twelve
    running onto continuation lines, media placeholders, attachments, deleted
    messages and the odd system line, as real exports have.
    """
    rng = random.Random(seed)  # noqa: S311
    when = datetime(2024, 1, 13, 8, 0)
    counts = {"lines": 0, "messages": 0}
    out: list[str] = [
        "13/01/2024, 08:00 - Messages and calls are end-to-end encrypted. "
        "No one outside of this chat, not even WhatsApp, can read or listen to them. "
        "Tap to learn more."
    ]
    while len(out) < lines:
        when += timedelta(seconds=rng.randrange(10, 5000))
        stamp = when.strftime("%d/%m/%Y, %H:%M")
        sender = "Dan Marsh" if rng.random() < 0.75 else "Sam Taylor"
        r = rng.random()
        if r < 0.04:
            text = "<Media omitted>"
        elif r < 0.06:
            text = f"IMG-{when:%Y%m%d}-WA{rng.randrange(10000):04d}.jpg (file attached)"
        elif r < 0.07:
            text = "This message was deleted"
        elif r < 0.075:
            out.append(
                f"{stamp} - Dan Marsh changed their phone number to a new number. "
                "Tap to message or add the new number."
            )
            continue
        else:
            text = " ".join(rng.sample(QUOTES, rng.randrange(1, 3)))
        out.append(f"{stamp} - {sender}: {text}")
        counts["messages"] += 1
        if rng.random() < 0.08:
            for _ in range(rng.randrange(1, 4)):
                out.append(rng.choice(QUOTES + EFFECT_LINES))
    out = out[:lines]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    counts["lines"] = len(out)
    counts["bytes"] = path.stat().st_size
    return counts
