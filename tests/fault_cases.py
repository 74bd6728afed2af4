"""The bad-input table of issue #23: each case is a command line, the exit code it must
give and a piece of the message it must print (stderr, or stdout for a success).

Placeholders: ``{t}`` is a folder of odd things (see ``tests/test_faults.py``:
``file.txt``, ``folder``, ``fifo``, ``sock``, ``loop`` (a symlink loop), ``dangling``,
``link`` (a symlink to file.txt), ``empty.txt``, ``binary.bin`` (not UTF-8),
``chat.txt``, and ``full`` and ``null``: copies of the device nodes, so that a
regression replaces a copy, never the machine's own /dev/full); the vault holds
incident 1 (non-ASCII summary), person 1, order 1
with two conditions and evidence 1. ``env`` cases run as a real process.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

BIG = "9223372036854775808"  # 2**63: one more than SQLite's largest integer
HUGE = "1" + "0" * 40
TOO_LARGE = "too large"
BAD = "\udcff\udcfeabc"  # invalid UTF-8 as it arrives in argv (surrogate-escaped)


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    message: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        text = " ".join(self.args)[:70]
        return text.encode("ascii", "backslashreplace").decode()


def c(code: int, message: str, *args: str, **env: str) -> Case:
    return Case(tuple(args), code, message, dict(env))


ADD = ("add", "--kind", "message", "--summary", "s")

CASES: list[Case] = [
    # ---- numbers >= 2**63 (and other bad numbers) as ids and options
    c(2, TOO_LARGE, "show", BIG),
    c(2, TOO_LARGE, "show", HUGE),
    c(2, TOO_LARGE, "edit", BIG, "--reason", "r", "--summary", "x"),
    c(2, TOO_LARGE, "delete", BIG, "--reason", "r"),
    c(2, TOO_LARGE, "evidence", "get", BIG, "--out", "{t}/out.bin"),
    c(2, TOO_LARGE, "evidence", "remove", BIG, "--reason", "r"),
    c(2, TOO_LARGE, "evidence", "add", "{t}/file.txt", "--incident", BIG),
    c(2, TOO_LARGE, "person", "delete", BIG, "--reason", "r"),
    c(2, TOO_LARGE, "list", "--limit", BIG),
    c(2, TOO_LARGE, "list", "--limit", HUGE),
    c(2, TOO_LARGE, "search", "x", "--limit", BIG),
    c(2, TOO_LARGE, "import", "{t}/chat.txt", "--format", "whatsapp", "--group-minutes", BIG),
    c(2, TOO_LARGE, "export", "--out", "{t}/big.zip", "--incidents", BIG),
    c(2, TOO_LARGE, "export", "--out", "{t}/big2.zip", "--incidents", f"1,{HUGE}"),
    c(2, TOO_LARGE, *ADD, "--order", BIG),
    c(2, "has 2 conditions", *ADD, "--order", "1", "--condition", BIG),
    c(2, "no incident -1", "show", "-1"),
    c(2, "no incident 0", "show", "0"),
    c(2, "not a whole number", "show", "abc"),
    c(2, "not a whole number", "show", "1.5"),
    c(2, "0 or more", "list", "--limit", "-5"),
    c(2, "not a whole number", "list", "--limit", "ten"),
    c(2, "0 or more", "import", "{t}/chat.txt", "--format", "whatsapp", "--group-minutes", "-1"),
    c(2, "not a whole number", "import", "{t}/chat.txt", "--format", "whatsapp", "--group-minutes", "x"),
    c(2, "not an entry number", "export", "--out", "{t}/n.zip", "--incidents", "1,abc"),
    c(2, "no incident 999", "export", "--out", "{t}/n2.zip", "--incidents", "999"),
    c(2, "no incident 999", "show", "999"),
    c(2, "no incident 999", "edit", "999", "--reason", "r", "--summary", "x"),
    c(2, "no incident 999", "delete", "999", "--reason", "r"),
    c(2, "no evidence item 999", "evidence", "get", "999", "--out", "{t}/o999"),
    c(2, "no evidence item 999", "evidence", "remove", "999", "--reason", "r"),
    c(2, "no incident 999", "evidence", "add", "{t}/file.txt", "--incident", "999"),
    c(2, "no person 999", "person", "delete", "999", "--reason", "r"),
    c(2, "no order 99", *ADD, "--order", "99"),
    c(2, "has 2 conditions", *ADD, "--order", "1", "--condition", "7"),
    c(2, "has 2 conditions", *ADD, "--order", "1", "--condition", "0"),
    # ---- dates: year 1, impossible dates, ranges
    c(2, "year", "add", "--kind", "message", "--summary", "s", "--when", "0001-01-01"),
    c(2, "year", "add", "--kind", "message", "--summary", "s", "--when", "0001-01-01T00:00"),
    c(2, "year", "list", "--from", "0001-01-01"),
    c(2, "year", "list", "--to", "0001-01-01"),
    c(2, "year", "export", "--out", "{t}/y1.zip", "--from", "0001-01-01"),
    c(2, "year", "edit", "1", "--reason", "r", "--when", "0001-01-01"),
    c(2, "not a date", *ADD, "--when", "yesterday-ish"),
    c(2, "not a date", *ADD, "--when", "2026-02-30"),
    c(2, "not a date", *ADD, "--when", "2026-01-01T25:00"),
    c(2, "not a date", *ADD, "--when", "2026-01-01T10:00+25:00"),
    c(2, "not a date", *ADD, "--when", BAD),
    c(2, "not a date", "list", "--from", "2026-13-01"),
    c(2, "not a date", "list", "--to", "garbage"),
    c(2, "not a date", "export", "--out", "{t}/d.zip", "--from", "garbage"),
    c(2, "end time is before the start", *ADD, "--from", "2026-01-02", "--to", "2026-01-01"),
    c(2, "--to needs --from", *ADD, "--to", "2026-01-01"),
    c(2, "either --when or --from", *ADD, "--when", "2026-01-01", "--from", "2026-01-01"),
    # ---- orders: dates validated, text cleaned
    c(
        2,
        "not a date",
        "order",
        "add",
        "--type",
        "SPO",
        "--made-on",
        "2024-13-45",
        "--expires-on",
        "next year",
    ),
    c(2, "not a date", "order", "add", "--type", "SPO", "--expires-on", "next year"),
    c(2, "not a date", "order", "add", "--type", "SPO", "--made-on", BAD),
    c(
        2,
        "before it was made",
        "order",
        "add",
        "--type",
        "SPO",
        "--made-on",
        "2025-01-01",
        "--expires-on",
        "2024-01-01",
    ),
    c(2, "what kind of order", "order", "add", "--type", ""),
    c(2, "what kind of order", "order", "add", "--type", "   "),
    c(2, "--type", "order", "add"),
    c(2, "too long", "order", "add", "--type", "x" * 300),
    c(2, "too long", "order", "add", "--type", "SPO", "--condition", "x" * 300_000),
    c(0, "", "order", "add", "--type", "SPO", "--condition", BAD),
    c(0, "", "order", "add", "--type", BAD, "--court", BAD, "--reference", BAD),
    c(
        0,
        "",
        "order",
        "add",
        "--type",
        "SPO",
        "--made-on",
        "2024-01-01",
        "--expires-on",
        "2026-01-01",
        "--condition",
        "No contact",
    ),
    # ---- incident fields: empty, huge, bad kinds and choices
    c(2, "--kind is required", "add", "--summary", "no kind"),
    c(2, "Unknown kind", "add", "--kind", "bogus", "--summary", "x"),
    c(2, "Unknown kind", "add", "--kind", "message,bogus", "--summary", "x"),
    c(2, "Unknown kind", "add", "--kind", BAD, "--summary", "x"),
    c(2, "short summary", "add", "--kind", "message"),
    c(2, "short summary", "add", "--kind", "message", "--summary", ""),
    c(2, "short summary", "add", "--kind", "message", "--summary", "   "),
    c(2, "too long", "add", "--kind", "message", "--summary", "x" * 3000),
    c(2, "too long", *ADD, "--details", "x" * 300_000),
    c(2, "too long", *ADD, "--where", "x" * 300_000),
    c(2, "too long", *ADD, "--witnesses", "x" * 300_000),
    c(2, "too long", *ADD, "--private-note", "x" * 300_000),
    c(2, "invalid choice", *ADD, "--precision", "bogus"),
    c(2, "Unknown effect", *ADD, "--effects", "bogus"),
    c(2, "needs a name", *ADD, "--person", ""),
    c(2, "too long", *ADD, "--person", "x" * 400),
    c(0, "", "add", "--kind", "message", "--summary", BAD, "--details", BAD, "--where", BAD),
    c(0, "", *ADD, "--person", BAD),
    c(2, "unrecognized arguments", *ADD, "--bogus"),
    c(2, "Nothing has changed", "edit", "1", "--reason", "r"),
    c(2, "reason", "edit", "1", "--reason", "", "--summary", "other"),
    c(2, "reason", "edit", "1", "--reason", "x" * 600, "--summary", "other"),
    c(2, "--reason", "edit", "1", "--summary", "x"),
    c(2, "reason", "evidence", "remove", "1", "--reason", "  "),
    c(2, "named in", "person", "delete", "1", "--reason", "r"),
    c(2, "invalid choice", "frobnicate"),
    c(2, "say what to do", "evidence"),
    c(2, "say what to do", "order"),
    c(2, "say what to do", "person"),
    # ---- files that are not files: attach, evidence add, import
    c(2, "is a folder", *ADD, "--attach", "{t}/folder"),
    c(2, "pipe (FIFO)", *ADD, "--attach", "{t}/fifo"),
    c(2, "socket", *ADD, "--attach", "{t}/sock"),
    c(2, "device", *ADD, "--attach", "/dev/zero"),
    c(2, "loop of links", *ADD, "--attach", "{t}/loop"),
    c(2, "broken link", *ADD, "--attach", "{t}/dangling"),
    c(2, "There is no file called", *ADD, "--attach", "{t}/missing.jpg"),
    c(2, "There is no file called", *ADD, "--attach", "{t}/" + BAD),
    c(2, "is a folder", *ADD, "--attach", ""),
    c(2, "not a date", *ADD, "--attach", "{t}/file.txt", "--when", "garbage"),
    c(2, "is a folder", "evidence", "add", "{t}/folder"),
    c(2, "pipe (FIFO)", "evidence", "add", "{t}/fifo"),
    c(2, "socket", "evidence", "add", "{t}/sock"),
    c(2, "device", "evidence", "add", "/dev/zero"),
    c(2, "loop of links", "evidence", "add", "{t}/loop"),
    c(2, "There is no file called", "evidence", "add", "{t}/missing"),
    c(2, "folder", "import", "{t}/folder", "--format", "whatsapp", "--sender", "Dan"),
    c(2, "pipe (FIFO)", "import", "{t}/fifo", "--format", "whatsapp", "--sender", "Dan"),
    c(2, "socket", "import", "{t}/sock", "--format", "sms-backup", "--sender", "Dan"),
    c(2, "device", "import", "/dev/zero", "--format", "email", "--sender", "Dan"),
    c(2, "loop of links", "import", "{t}/loop", "--format", "whatsapp", "--sender", "Dan"),
    c(2, "There is no file called", "import", "{t}/missing.txt", "--format", "calls"),
    c(2, "folder of pictures", "import", "{t}/file.txt", "--format", "photos"),
    c(2, "invalid choice", "import", "{t}/file.txt", "--format", "bogus"),
    c(2, "invalid choice", "import", "{t}/chat.txt", "--format", "whatsapp", "--date-order", "x"),
    # ---- output paths: never replace a device, FIFO, folder or link
    c(2, "not a file", "evidence", "get", "1", "--out", "{t}/full"),
    c(2, "not a file", "evidence", "get", "1", "--out", "{t}/null", "--force"),
    c(2, "pipe (FIFO)", "evidence", "get", "1", "--out", "{t}/fifo"),
    c(2, "pipe (FIFO)", "evidence", "get", "1", "--out", "{t}/fifo", "--force"),
    c(2, "link", "evidence", "get", "1", "--out", "{t}/link", "--force"),
    c(2, "folder", "evidence", "get", "1", "--out", "{t}/folder"),
    c(2, "already exists", "evidence", "get", "1", "--out", "{t}/file.txt"),
    c(2, "does not exist", "evidence", "get", "1", "--out", "{t}/nodir/x.bin"),
    c(2, "not a file", "export", "--out", "{t}/full"),
    c(2, "pipe (FIFO)", "export", "--out", "{t}/fifo"),
    c(2, "link", "export", "--out", "{t}/link"),
    c(2, "folder", "export", "--out", "{t}/folder"),
    c(2, "does not exist", "export", "--out", "{t}/nodir/x.zip"),
    c(2, "invalid choice", "export", "--out", "{t}/f.zip", "--format", "docx"),
    c(2, "nobody called", "export", "--out", "{t}/p.zip", "--person", "Nobody Known"),
    c(2, "not a file", "backup", "--out", "{t}/full"),
    c(2, "pipe (FIFO)", "backup", "--out", "{t}/fifo"),
    c(2, "link", "backup", "--out", "{t}/link"),
    c(2, "is a folder", "backup", "--out", "{t}/folder"),
    c(2, "does not exist", "backup", "--out", "{t}/nodir/b.zip"),
    c(0, "Exported", "export", "--out", "{t}/Polizei-Export-Müller.zip"),
    c(0, "Exported", "export", "--out", "{t}/日記.zip"),
    c(0, "Exported", "export", "--out", "{t}/Müller.pdf", "--format", "pdf"),
    c(0, "Exported", "export", "--out", "{t}/x.csv", "--format", "csv"),
    # ---- restore, verify, passphrase files, vault folders
    c(2, "no backup file", "restore", "{t}/missing.zip", "--vault", "{t}/restored"),
    c(2, "not a zip file", "restore", "{t}/file.txt", "--vault", "{t}/restored2"),
    c(2, "no backup file", "restore", "{t}/folder", "--vault", "{t}/restored3"),
    c(2, "already a vault", "restore", "{t}/file.txt", "--vault", "{v}"),
    c(2, "There is no vault", "list", "--vault", "{t}/novault"),
    c(2, "There is no vault", "list", "--vault", "{t}/file.txt"),
    c(2, "Cannot read the passphrase file", "list", "--passphrase-file", "{t}/missing"),
    c(2, "Cannot read the passphrase file", "list", "--passphrase-file", "{t}/folder"),
    c(2, "not UTF-8", "list", "--passphrase-file", "{t}/binary.bin"),
    # ---- things that must simply work
    c(0, "", "list"),
    c(0, "", "list", "--json"),
    c(0, "", "list", "--limit", "0"),
    c(0, "", "list", "--kind", "bogus"),
    c(0, "", "search", ""),
    c(0, "", "search", BAD),
    c(0, "", "show", "1", "--history"),
    c(0, "All good", "check"),
    c(0, "", "evidence", "list"),
    c(0, "", "person", "list"),
    c(0, "", "order", "list"),
    c(0, "Caf", "list", PYTHONIOENCODING="ascii"),
    c(0, "Caf", "list", "--json", PYTHONIOENCODING="ascii"),
    c(0, "Caf", "show", "1", PYTHONIOENCODING="ascii"),
    c(0, "Caf", "list", LC_ALL="C", PYTHONIOENCODING="ascii:strict"),
]
