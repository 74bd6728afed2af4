"""What the import wizard offers and asks: the formats, the file to open, the date question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ...widgets import privacy
from ...widgets.savepath import diary_of


@dataclass(frozen=True)
class FormatChoice:
    key: str  # the core's format name
    label: str
    how: str  # one line: how to make this export on a phone
    filters: tuple[str, ...]  # file dialog filters; empty for a folder
    noun: str  # what one item is called ("message", "call", "email", "photo")
    #: Whether the wizard asks who sent it. Photos and a capture app's files are the
    #: person's own: no sender page, and the import is given none.
    asks_sender: bool = True


FORMATS: tuple[FormatChoice, ...] = (
    FormatChoice(
        "whatsapp",
        "WhatsApp chat (.txt or .zip)",
        "In WhatsApp, open the chat, tap ⋮ › More › Export chat (on iPhone tap their "
        "name › Export chat) and send the file to this computer.",
        ("WhatsApp chat (*.txt *.zip)", "All files (*)"),
        "message",
    ),
    FormatChoice(
        "sms-backup",
        "Text messages (SMS Backup & Restore, .xml)",
        "On Android, the free app “SMS Backup & Restore” saves your texts as an .xml "
        "file: back up Messages, then copy the file here.",
        ("SMS backup (*.xml)", "All files (*)"),
        "message",
    ),
    FormatChoice(
        "calls",
        "Call log (SMS Backup & Restore, .xml)",
        "In the same app, back up Call logs (the file name starts with “calls-”) and copy it here.",
        ("Call log backup (*.xml)", "All files (*)"),
        "call",
    ),
    FormatChoice(
        "email",
        "Emails (.eml, .msg or .mbox)",
        "In your email program, save each message (Download or Save as .eml; Outlook: drag it "
        "to a folder or File › Save As, .msg), or export a whole folder as an .mbox file.",
        ("Email (*.eml *.msg *.mbox)", "All files (*)"),
        "email",
    ),
    FormatChoice(
        "signal",
        "Signal chat (a signal-export folder)",
        "Signal has no export of its own: link Signal Desktop to your phone, then run the free "
        "signal-export tool. It makes a folder per chat holding chat.md and media: choose that folder.",
        ("Signal export (chat.md chat.html)", "All files (*)"),
        "message",
    ),
    FormatChoice(
        "telegram",
        "Telegram chat (Telegram Desktop, JSON or HTML)",
        "In Telegram Desktop open the chat, ⋮ › Export chat history, format “Machine-readable "
        "JSON” or HTML (tick photos and files to keep them); choose the folder, its result.json "
        "or its messages.html.",
        ("Telegram export (result.json messages*.html)", "All files (*)"),
        "message",
    ),
    FormatChoice(
        "messenger",
        "Messenger or Instagram chat (JSON or HTML)",
        "Meta's Accounts Centre › Download your information › messages, format JSON or HTML; unzip "
        "it, then choose the chat's folder or its message_1.json (or message_1.html).",
        ("Messenger export (message_*.json message_*.html)", "All files (*)"),
        "message",
    ),
    FormatChoice(
        "imessage",
        "iPhone Messages (imessage-exporter or iMazing)",
        "Back up the iPhone to a computer (Finder or iTunes, not encrypted), then export a "
        "conversation with the free imessage-exporter (txt or html, with --copy-method) or iMazing "
        "(Messages › Export to CSV); choose that conversation's file.",
        ("iPhone Messages export (*.txt *.html *.csv)", "All files (*)"),
        "message",
    ),
    FormatChoice(
        "iphone-backup",
        "iPhone texts and iMessages (an unencrypted backup)",
        "Back up the iPhone with Finder or iTunes with “Encrypt local backup” off, then choose "
        "the backup's folder (“Choose its folder…”); it is read, never changed.",
        ("iPhone Messages database (sms.db *)", "All files (*)"),
        "message",
    ),
    FormatChoice(
        "iphone-calls",
        "iPhone call history (an unencrypted backup)",
        "The same unencrypted backup holds the call history: choose the backup's folder "
        "(“Choose its folder…”), or the CSV iMazing saves (Phone › Call History › Export to CSV).",
        ("iPhone call history (CallHistory.storedata *.csv)", "All files (*)"),
        "call",
    ),
    FormatChoice(
        "photos",
        "A folder of photos or screenshots",
        "Copy the photos and screenshots from your phone into one folder on this "
        "computer. Each becomes evidence, dated from the photo.",
        (),
        "photo",
        asks_sender=False,
    ),
    FormatChoice(
        "proofmode",
        "ProofMode proof (zip)",
        "In ProofMode (or the phone's gallery) choose the photos or videos › Share › Share proof, "
        "and send the zip to this computer. Each file is checked against what ProofMode recorded "
        "when it was taken, and its signature with the key in the zip.",
        ("ProofMode proof (*.zip)", "All files (*)"),
        "file",
        asks_sender=False,
    ),
    FormatChoice(
        "tella",
        "Tella verification export (CSV)",
        "With verification mode on, export the files from Tella with their verification "
        "information into one folder (the files and one .csv); choose that folder (“Choose its "
        "folder…”) or the .csv. Each file is checked against the SHA-256 Tella recorded.",
        ("Tella verification (*.csv)", "All files (*)"),
        "file",
        asks_sender=False,
    ),
)
FORMAT_BY_KEY = {f.key: f for f in FORMATS}

PREVIEW_LINES = 5
DUPLICATES_SHOWN = 10
SENDER_SHOWN_CHARS = 100

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CHAT_DATE = re.compile(r"^[\ufeff\u200e\u200f\[]*(\d{1,2})([/.\-])(\d{1,2})[/.\-]\d{2,4}")


#: Formats whose export may be chosen as its folder (the chat beside its media, Tella's
#: CSV beside its files).
FOLDER_FORMATS = frozenset(
    {"whatsapp", "signal", "telegram", "messenger", "iphone-backup", "iphone-calls", "tella"}
)


def choose_open_path(parent: QWidget | None, fmt: str, *, folder: bool = False) -> Path | None:
    """Ask for the export file (or, for photos or when ``folder``, the folder). Tests replace this."""
    remember = diary_of(parent)  # starts in the folder last used, kept inside the diary
    if fmt == "photos" or folder:
        title = "Choose the folder of photos" if fmt == "photos" else "Choose the export's folder"
        chosen = privacy.pick_paths(parent, privacy.Mode.FOLDER, title, remember=remember)
    else:
        filters = list(FORMAT_BY_KEY[fmt].filters)
        title = "Choose the file to import"
        chosen = privacy.pick_paths(parent, privacy.Mode.OPEN, title, name_filters=filters, remember=remember)
    return chosen[0] if chosen else None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_question(sample: tuple[int, str, int] | None) -> tuple[str, str, str]:
    """The question and the two answers for a day/month-ambiguous date like 03/04."""
    a, sep, b = sample or (3, "/", 4)
    shown = f"{a:02d}{sep}{b:02d}"
    question = (
        f"Is {shown} the {_ordinal(a)} of {_MONTH_NAMES[b - 1]} or {_MONTH_NAMES[a - 1]} {_ordinal(b)}?"
    )
    dmy = f"The {_ordinal(a)} of {_MONTH_NAMES[b - 1]} (day first, as in the UK)"
    mdy = f"{_MONTH_NAMES[a - 1]} {_ordinal(b)} (month first, as in the US)"
    return question, dmy, mdy


def ambiguous_sample(path: Path) -> tuple[int, str, int] | None:
    """The first date in a chat .txt that reads both ways (both numbers 1..12, different).

    Best effort and only for the question's wording; a .zip or odd file gives None
    and the question uses 03/04 as its example.
    """
    if path.suffix.lower() != ".txt":
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(256 * 1024).decode("utf-8", "ignore")
    except OSError:
        return None
    for line in head.splitlines():
        m = _CHAT_DATE.match(line)
        if m:
            a, b = int(m.group(1)), int(m.group(3))
            if 1 <= a <= 12 and 1 <= b <= 12 and a != b:
                return a, m.group(2), b
    return None


# --------------------------------------------------------------------------- pages
