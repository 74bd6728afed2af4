"""Check an export bundle offline: is it complete, unchanged and signed?

Why it lives apart from the vault: an officer (or the defence) must be able to check a
bundle without a diary, a passphrase or Qt. Everything here reads the zip through
:mod:`victim_log.safezip` (strict policy), which refuses unsafe zips and never extracts.

What is checked, in order: the zip is safe and holds exactly one bag; ``bagit.txt``;
``bag-info.txt`` (and its Payload-Oxum against the payload); every tag file against
``tagmanifest-sha256.txt``; the Ed25519 signatures (minisign and SSHSIG, which must
name the same key) over the tag manifest, and that key against the
``Signing-Key-Fingerprint`` the bundle declares (README.txt and the PDF show that
one to the officer, so a bundle re-signed with another key must not pass); every
payload file against ``manifest-sha256.txt``; the journal chain against the signed
``Journal-Head`` (:mod:`victim_log.export.journal_check`). Every file in the bag is
covered: the only files no manifest lists are the two signatures, and those are
checked byte for byte.

A valid bundle proves only that the holder of its key made it; who that is, the
officer learns from the sender (phone or in person), so a report is "confirmed" only
when the caller pinned the expected key and it matched.

Outcomes: :class:`~victim_log.errors.NotABundle` (exit 2) when the file is not a safe
zip holding a bag; otherwise a :class:`VerifyReport`, ``valid`` only when nothing at all
is wrong (exit 0), else listing each problem with the file it concerns (exit 1).

Speed: payload files are hashed on two threads, straight from the zip with large
positional reads and no CRC (SHA-256 is the check), biggest first.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import BadInput
from .errors import NotABundle
from .export import journal_check
from .export import sign
from .export.bagit_zip import BAG_INFO_TXT
from .export.bagit_zip import BAGIT_TXT
from .export.bagit_zip import EXHIBIT_COUNT
from .export.bagit_zip import FETCH_TXT
from .export.bagit_zip import INCIDENT_COUNT
from .export.bagit_zip import MANIFEST
from .export.bagit_zip import PAYLOAD_DIR
from .export.bagit_zip import PAYLOAD_OXUM
from .export.bagit_zip import PERIOD
from .export.bagit_zip import TAGMANIFEST
from .export.bagit_zip import UNLISTED_TAG_FILES
from .export.bagit_zip import decode_manifest_path
from .export.journal_check import JOURNAL_FILE
from .export.journal_check import JOURNAL_HEAD
from .export.journal_check import JournalCheck
from .export.journal_check import JournalHead
from .fields import pick
from .safezip import DamagedMember
from .safezip import SafeZip
from .safezip import ZipMember
from .safezip import unsafe_name_reason
from .textsafe import is_unsafe_char
from .textsafe import plural

# Problem kinds (stable strings for to_json and tests).
CHANGED = "changed"
MISSING = "missing"
ADDED = "added"
DAMAGED = "damaged"
MALFORMED = "malformed"
SIGNATURE = "signature"
MISMATCH = "mismatch"
JOURNAL = "journal"

DECLARED_KEY = "Signing-Key-Fingerprint"

MAX_TAG_FILE = 64 * 1024 * 1024
_REQUIRED_LISTED = (BAGIT_TXT, BAG_INFO_TXT, MANIFEST)
_KEY_FILES = (sign.MINISIGN_PUB_NAME, sign.ALLOWED_SIGNERS_NAME)
_SIG_FILES = (sign.MINISIG_NAME, sign.SSHSIG_NAME)
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]{64})[ \t]+(\S.*)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SINGLE_LABELS = (PAYLOAD_OXUM, DECLARED_KEY, JOURNAL_HEAD)
_FULL_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
_OXUM = re.compile(r"([0-9]{1,20})\.([0-9]{1,10})")
_PERIOD = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})/([0-9]{4}-[0-9]{2}-[0-9]{2})")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def shown(untrusted_name: str, limit: int = 200) -> str:
    """A name safe to print: control, format and bidi characters become '?'."""
    out = "".join(
        "?" if is_unsafe_char(c) or unicodedata.category(c) == "Cf" else c for c in untrusted_name[:limit]
    )
    return out + ("..." if len(untrusted_name) > limit else "")


@dataclass(frozen=True)
class Problem:
    file: str  # path inside the bag ("data/exhibits/SM-1.jpg", "bag-info.txt")
    kind: str
    message: str  # a full plain-English sentence starting with the file name


@dataclass(frozen=True)
class VerifyReport:
    bundle: str
    bag_name: str
    problems: tuple[Problem, ...]
    fingerprint: str | None = None
    short_fingerprint: str | None = None
    incident_count: int | None = None
    exhibit_count: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_text: str | None = None
    payload_files: int = 0
    payload_bytes: int = 0
    bag_info: tuple[tuple[str, str], ...] = field(default=())
    declared_fingerprint: str | None = None  # what bag-info.txt says signed it
    expected_fingerprint: str | None = None  # the caller's pin (--expect-key)
    journal_head: JournalHead | None = None
    journal_format: str | None = None  # "chained" (format 14), "legacy", None: no journal
    journal_entries: int = 0
    journal_withheld: int = 0
    # seq -> hash of the chain (new format only), for verify_lineage; not in to_json.
    journal_hashes: tuple[str, ...] = field(default=(), repr=False)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def signer_confirmed(self) -> bool:
        """The caller pinned a key and the bundle is valid (so it was that key)."""
        return self.valid and self.expected_fingerprint is not None

    @property
    def status(self) -> str:
        return "VALID" if self.valid else "INVALID"

    def to_json(self) -> dict[str, Any]:
        """What ``verify --json`` prints (docs/export-format.md): add fields, never rename."""
        return {
            **pick(self, "status", "valid", "bundle", "bag_name", "fingerprint"),
            "fingerprint_short": self.short_fingerprint,
            **pick(self, "incident_count", "exhibit_count"),
            "period": {
                "start": self.period_start.isoformat() if self.period_start else None,
                "end": self.period_end.isoformat() if self.period_end else None,
                "text": self.period_text,
            },
            **pick(self, "payload_files", "payload_bytes"),
            "problems": [pick(p, "file", "kind", "message") for p in self.problems],
            "bag_info": [[k, v] for k, v in self.bag_info],
            **pick(self, "signer_confirmed", "declared_fingerprint", "expected_fingerprint"),
            "journal_head": self.journal_head.to_json() if self.journal_head else None,
            "journal": {
                "format": self.journal_format,
                "entries": self.journal_entries,
                "withheld": self.journal_withheld,
            },
        }


def _human_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def contents_text(report: VerifyReport) -> str:
    """What a bundle holds, in a line: "60 incidents, 3 exhibits, 1 Jun 2026 to 27 Aug
    2026" (the CLI's VALID line and the bundle viewer's banner say the same)."""
    parts = []
    if report.incident_count is not None:
        parts.append(plural(report.incident_count, "incident"))
    if report.exhibit_count is not None:
        parts.append(plural(report.exhibit_count, "exhibit"))
    if report.period_start and report.period_end:
        parts.append(f"{_human_date(report.period_start)} to {_human_date(report.period_end)}")
    elif report.period_text:
        parts.append(shown(report.period_text, 80))
    if not parts:
        parts.append(plural(report.payload_files, "file"))
    return ", ".join(parts)


def format_report(report: VerifyReport) -> str:
    """Plain English for the CLI and the GUI; one line per problem."""
    if not report.valid:
        lines = [f"INVALID: {p.message}" for p in report.problems]
        lines.append(
            "This bundle is not exactly as it was exported. Do not rely on it; "
            "ask the sender for a fresh copy."
        )
        return "\n".join(lines)
    if report.signer_confirmed:
        first = (
            f"VALID, signed by the expected key {report.fingerprint} "
            f"(read-out form {report.short_fingerprint})."
        )
    else:
        first = (
            f"VALID, signed by key {report.fingerprint} (read-out form "
            f"{report.short_fingerprint}).\n"
            "The signer is not yet confirmed: compare this with the key the sender read to "
            "you by phone or in person (anyone can sign a bundle with a key of their own)."
        )
    return f"{first}\nContents: {contents_text(report)}.\n{history_text(report)}"


def history_text(report: VerifyReport) -> str:
    """One line on the journal: what a later export can be checked against."""
    if report.journal_head is not None:
        withheld = (
            f", {report.journal_withheld} of them about records not in this export"
            if report.journal_withheld
            else ""
        )
        return (
            f"History: {plural(report.journal_entries, 'journal entry', 'journal entries')} "
            f"in one unbroken chain{withheld}; head {report.journal_head.seq} "
            f"{report.journal_head.hash[:16]}."
        )
    if report.journal_format == "legacy":
        return (
            f"History: {plural(report.journal_entries, 'journal entry', 'journal entries')}, "
            "each unchanged; this older bundle has no journal head, so it cannot show "
            "that nothing was left out."
        )
    return "History: this bundle has no journal."


# --- parsing tag files ----------------------------------------------------------------------


def _text_lines(data: bytes) -> list[str] | None:
    """Tag files are UTF-8 with LF, CR or CRLF line ends (RFC 8493 2.1)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        return None
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse_bag_info(data: bytes) -> list[tuple[str, str]] | None:
    """``Label: value`` lines, continuation lines starting with whitespace; None if not."""
    lines = _text_lines(data)
    if lines is None:
        return None
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and fields:
            label, value = fields[-1]
            fields[-1] = (label, f"{value} {line.strip()}")
            continue
        label, colon, value = line.partition(":")
        if not colon or not label or label != label.strip():
            return None
        fields.append((label, value.strip()))
    return fields


def parse_manifest(data: bytes, name: str) -> tuple[dict[str, str], list[Problem]]:
    """Map of decoded path -> lower-case hex digest, plus problems for bad lines."""
    entries: dict[str, str] = {}
    problems: list[Problem] = []
    lines = _text_lines(data)
    if lines is None:
        return entries, [Problem(name, MALFORMED, f"{name} cannot be read: it is not UTF-8 text.")]
    for number, line in enumerate(lines, 1):
        m = _MANIFEST_LINE.fullmatch(line)
        if not m:
            problems.append(Problem(name, MALFORMED, f"{name} line {number} is not a checksum line."))
            continue
        path = decode_manifest_path(m.group(2))
        if unsafe_name_reason(path) or path.endswith("/"):
            problems.append(Problem(name, MALFORMED, f"{name} line {number} names an unsafe path."))
        elif path in entries:
            problems.append(Problem(name, MALFORMED, f"{name} lists {shown(path)} twice (line {number})."))
        else:
            entries[path] = m.group(1).lower()
    return entries, problems


def _int_field(info: dict[str, str], label: str) -> int | None:
    value = info.get(label.casefold(), "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _period(value: str | None) -> tuple[date | None, date | None]:
    m = _PERIOD.fullmatch(value or "")
    if not m:
        return None, None
    try:
        return date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
    except ValueError:
        return None, None


# --- the check --------------------------------------------------------------------------------


class _Check:
    """One verification run over an open SafeZip."""

    def __init__(self, z: SafeZip, root: str, threads: int) -> None:
        self.z = z
        self.root = root
        self.threads = max(1, threads)
        self.problems: list[Problem] = []
        self.payload: dict[str, ZipMember] = {}
        self.tags: dict[str, ZipMember] = {}
        for m in z.members:
            if m.is_dir:
                continue
            if not m.name.startswith(root):
                self.add(m.name, ADDED, f"{m.name} was added after export (outside the bundle folder).")
                continue
            rel = m.name[len(root) :]
            (self.payload if rel.startswith(PAYLOAD_DIR) else self.tags)[rel] = m

    def add(self, file: str, kind: str, message: str) -> None:
        self.problems.append(Problem(shown(file), kind, message))

    def read_tag(self, name: str) -> bytes | None:
        member = self.tags.get(name)
        if member is None:
            self.add(name, MISSING, f"{name} is missing from the bundle.")
            return None
        try:
            return self.z.read_bytes(member, MAX_TAG_FILE)
        except DamagedMember as exc:
            self.add(name, DAMAGED, exc.message)
            return None

    def hash_member(self, member: ZipMember) -> tuple[str, int] | DamagedMember:
        try:
            return self.z.sha256(member)
        except DamagedMember as exc:
            return exc
        except OSError:
            return DamagedMember(member.name, f"{member.name} cannot be read from the disk.")

    def hash_all(
        self, members: Iterable[tuple[str, ZipMember]]
    ) -> dict[str, tuple[str, int] | DamagedMember]:
        """Hash biggest first on ``threads`` workers, so the long ones start early."""
        ordered = sorted(members, key=lambda item: -item[1].size)
        if self.threads == 1 or len(ordered) < 2:
            return {rel: self.hash_member(m) for rel, m in ordered}
        with ThreadPoolExecutor(self.threads, thread_name_prefix="verify") as pool:
            futures = {rel: pool.submit(self.hash_member, m) for rel, m in ordered}
            return {rel: f.result() for rel, f in futures.items()}

    # -- steps --------------------------------------------------------------------------

    def check_bagit_txt(self) -> None:
        data = self.read_tag(BAGIT_TXT)
        if data is None:
            return
        info = parse_bag_info(data)
        fields = dict(info or [])
        if (
            info is None
            or len(info) != 2
            or fields.get("BagIt-Version") not in ("1.0", "0.97")
            or fields.get("Tag-File-Character-Encoding", "").upper() != "UTF-8"
        ):
            self.add(BAGIT_TXT, MALFORMED, f"{BAGIT_TXT} is not a valid BagIt declaration.")

    def read_bag_info(self) -> list[tuple[str, str]]:
        data = self.read_tag(BAG_INFO_TXT)
        if data is None:
            return []
        info = parse_bag_info(data)
        if info is None:
            self.add(BAG_INFO_TXT, MALFORMED, f"{BAG_INFO_TXT} cannot be read: it is malformed.")
            return []
        return info

    def check_tag_files(self) -> tuple[bytes | None, set[str]]:
        """Check every tag file against the tag manifest; return it and the changed names."""
        changed: set[str] = set()
        data = self.read_tag(TAGMANIFEST)
        if data is None:
            return None, changed
        listed, problems = parse_manifest(data, TAGMANIFEST)
        self.problems.extend(problems)
        for name in _REQUIRED_LISTED:
            if name not in listed:
                self.add(name, MISSING, f"{TAGMANIFEST} does not list {name}.")
        for name, expected in listed.items():
            member = self.tags.get(name)
            if name.startswith(PAYLOAD_DIR):
                self.add(TAGMANIFEST, MALFORMED, f"{TAGMANIFEST} lists a payload file.")
            elif member is None:
                self.add(name, MISSING, f"{shown(name)} is missing (it was in the export).")
            else:
                result = self.hash_member(member)
                if isinstance(result, DamagedMember):
                    self.add(name, DAMAGED, result.message)
                    changed.add(name)
                elif result[0] != expected:
                    self.add(name, CHANGED, f"{name} has changed since export.")
                    changed.add(name)
        for name in sorted(self.tags):
            if name not in listed and name != TAGMANIFEST and name not in UNLISTED_TAG_FILES:
                self.add(name, ADDED, f"{name} was added after export.")
        if FETCH_TXT in self.tags:
            self.add(FETCH_TXT, MALFORMED, f"{FETCH_TXT}: a bundle must hold all its files.")
        return data, changed

    def check_signature(self, tagmanifest: bytes | None) -> Ed25519PublicKey | None:
        """Both signatures must verify with the same key; returns it, else None."""
        present = [n for n in (*_KEY_FILES, *_SIG_FILES) if n in self.tags]
        if not present:
            self.add(
                sign.MINISIG_NAME,
                MISSING,
                "The bundle is not signed: the signature files are missing.",
            )
            return None
        before = len(self.problems)
        minisign_pub, allowed, minisig, sshsig = (self.read_tag(n) for n in (*_KEY_FILES, *_SIG_FILES))
        key_m = self._parse_key(sign.MINISIGN_PUB_NAME, minisign_pub, _our_minisign_key)
        key_s = self._parse_key(sign.ALLOWED_SIGNERS_NAME, allowed, sign.parse_allowed_signers)
        if key_m and key_s and sign.public_key_bytes(key_m) != sign.public_key_bytes(key_s):
            self.add(
                sign.ALLOWED_SIGNERS_NAME,
                SIGNATURE,
                f"{sign.ALLOWED_SIGNERS_NAME} and {sign.MINISIGN_PUB_NAME} name different keys.",
            )
        if tagmanifest is not None and key_m and minisig is not None:
            try:
                parsed = sign.minisign_verify(key_m, minisig, tagmanifest)
                if parsed.untrusted_comment != sign.minisign_untrusted_comment(key_m):
                    raise sign.BadSignature(
                        f"{sign.MINISIG_NAME} has been altered: its comment line was changed."
                    )
            except sign.BadSignature as exc:
                self.add(sign.MINISIG_NAME, SIGNATURE, exc.message)
        if tagmanifest is not None and key_s and sshsig is not None:
            try:
                sign.sshsig_verify(key_s, sshsig, tagmanifest)
            except sign.BadSignature as exc:
                self.add(sign.SSHSIG_NAME, SIGNATURE, exc.message)
        if len(self.problems) != before or tagmanifest is None:
            return None
        return key_m

    def _parse_key(self, name: str, data: bytes | None, parse: Any) -> Ed25519PublicKey | None:
        if data is None:
            return None
        try:
            key: Ed25519PublicKey = parse(data)
        except sign.BadSignature as exc:
            self.add(name, SIGNATURE, exc.message)
            return None
        return key

    def check_payload(self, manifest_changed: bool) -> None:
        data = self.read_tag(MANIFEST)
        if data is None:
            return
        listed, problems = parse_manifest(data, MANIFEST)
        self.problems.extend(problems)
        for path in listed:
            if not path.startswith(PAYLOAD_DIR):
                self.add(MANIFEST, MALFORMED, f"{MANIFEST} lists a file outside data/.")
        present = [(rel, m) for rel, m in self.payload.items() if rel in listed]
        results = self.hash_all(present)
        for path, expected in listed.items():
            if not path.startswith(PAYLOAD_DIR):
                continue
            result = results.get(path)
            if result is None:
                self.add(path, MISSING, f"{shown(path)} is missing (it was in the export).")
            elif isinstance(result, DamagedMember):
                self.add(path, DAMAGED, result.message)
            elif result[0] != expected:
                self.add(
                    path,
                    CHANGED,
                    f"{path} does not match {MANIFEST}, which has itself been changed."
                    if manifest_changed
                    else f"{path} has changed since export.",
                )
        for rel in sorted(self.payload):
            if rel not in listed:
                self.add(rel, ADDED, f"{rel} was added after export.")

    def check_single_labels(self, info_list: list[tuple[str, str]]) -> None:
        """A label that decides something must appear once: readers that take the first
        and readers that take the last would otherwise see different bundles."""
        for label in _SINGLE_LABELS:
            count = sum(1 for k, _ in info_list if k.casefold() == label.casefold())
            if count > 1:
                self.add(
                    BAG_INFO_TXT,
                    MALFORMED,
                    f"{BAG_INFO_TXT} has {count} {label} lines; a bundle has one.",
                )

    def check_declared_key(self, info: dict[str, str], key: Ed25519PublicKey) -> None:
        """The key that signed must be the key the bundle names (README.txt and the PDF
        show that one): a bundle re-signed with another key is not the one exported."""
        declared = info.get(DECLARED_KEY.casefold())
        if declared is None:
            return
        actual = sign.fingerprint(key)
        if declared.strip() != actual:
            self.add(
                BAG_INFO_TXT,
                SIGNATURE,
                f"The bundle was signed by key {actual}, but {BAG_INFO_TXT} (and so "
                f"README.txt and the PDF) names key {shown(declared, 80)}: it was re-signed "
                "by someone else.",
            )

    def check_journal(self, info_list: list[tuple[str, str]]) -> JournalCheck:
        heads = [v for k, v in info_list if k.casefold() == JOURNAL_HEAD.casefold()]
        rel = JOURNAL_FILE
        if len(heads) > 1 or any(p.file == rel for p in self.problems):
            return JournalCheck(bool(heads))  # already reported (check_single_labels, payload)
        member = self.payload.get(rel)
        try:
            result = journal_check.check_journal(
                None if member is None else self.z.iter_chunks(member), heads
            )
        except DamagedMember as exc:
            self.add(rel, DAMAGED, exc.message)
            return JournalCheck(bool(heads))
        for file, message in result.problems:
            self.add(file, JOURNAL, message)
        return result

    def check_oxum(self, info: dict[str, str]) -> None:
        declared = info.get(PAYLOAD_OXUM.casefold())
        count = len(self.payload)
        octets = sum(m.size for m in self.payload.values())
        m = _OXUM.fullmatch(declared or "")
        if m is None:
            self.add(BAG_INFO_TXT, MALFORMED, f"{BAG_INFO_TXT} has no valid Payload-Oxum.")
        elif (int(m.group(1)), int(m.group(2))) != (octets, count):
            self.add(
                BAG_INFO_TXT,
                MISMATCH,
                f"{BAG_INFO_TXT} says the payload is {plural(int(m.group(2)), 'file')} "
                f"({m.group(1)} bytes), but the bundle holds {plural(count, 'file')} "
                f"({octets} bytes).",
            )


def _our_minisign_key(data: bytes) -> Ed25519PublicKey:
    key_id, key = sign.parse_minisign_public_key(data)
    if key_id != sign.minisign_key_id(key):
        raise sign.BadSignature(
            f"{sign.MINISIGN_PUB_NAME} has been altered: its key id does not belong to its key."
        )
    return key


def bag_roots(z: SafeZip) -> set[str]:
    """Every place (``""`` for the zip root, or ``"name/"`` for a top-level folder) that
    holds one of the bag's core files.

    Any one of them is enough, so a deleted ``bagit.txt`` is reported as missing
    rather than making the whole bundle unrecognisable; the checker and the bundle
    viewer each refuse a zip with none or several in their own words.
    """
    markers = (BAGIT_TXT, BAG_INFO_TXT, MANIFEST, TAGMANIFEST)
    roots = set()
    for m in z.members:
        folder, _, base = m.name.rpartition("/")
        if base in markers and "/" not in folder:
            roots.add(folder + "/" if folder else "")
    return roots


def _find_root(z: SafeZip, label: str) -> str:
    """The bag folder: the one place holding the bag's core files (see :func:`bag_roots`)."""
    roots = bag_roots(z)
    if not roots:
        raise NotABundle(f"{label} is a zip file, but not an export bundle (it has no {BAGIT_TXT}).")
    if len(roots) > 1:
        raise NotABundle(f"{label} holds more than one bundle; check each one separately.")
    return roots.pop()


def normalise_expected_key(text: str) -> str:
    """A key fingerprint as the sender gave it: ``SHA256:`` and 43 base64 characters, or
    the 24-digit read-out form (spaces and dashes ignored). Raises BadInput otherwise,
    so a mistyped pin is a usage error, not a bundle that "fails"."""
    want = text.strip()
    if want[:7].upper() == "SHA256:" and _FULL_FINGERPRINT.fullmatch("SHA256:" + want[7:]):
        return "SHA256:" + want[7:]
    compact = re.sub(r"[\s-]", "", want).upper()
    if re.fullmatch(r"[0-9A-F]{24}", compact):
        return " ".join(compact[i : i + 4] for i in range(0, 24, 4))
    raise BadInput(
        "The expected key must be written as SHA256: followed by 43 letters, digits, + or /"
        ", or as the read-out form of 24 digits and letters A to F."
    )


def _matches(expected: str, key: Ed25519PublicKey) -> bool:
    if expected.startswith("SHA256:"):
        return expected == sign.fingerprint(key)
    return expected == sign.short_fingerprint(key)


def verify_bundle(
    path: str | os.PathLike[str],
    *,
    expected_fingerprint: str | None = None,
    threads: int = 2,
) -> VerifyReport:
    """Check the bundle at ``path``; see the module docstring.

    ``expected_fingerprint`` (``SHA256:...`` or the read-out hex groups), when given,
    must match the signing key: the key inside a bundle proves only that whoever holds
    it made the bundle.
    """
    pin = normalise_expected_key(expected_fingerprint) if expected_fingerprint else None
    bundle = Path(path)
    with SafeZip(bundle) as z:
        root = _find_root(z, bundle.name)
        check = _Check(z, root, threads)
        check.check_bagit_txt()
        info_list = check.read_bag_info()
        info = {k.casefold(): v for k, v in info_list}
        check.check_single_labels(info_list)
        check.check_oxum(info)
        tagmanifest, changed = check.check_tag_files()
        key = check.check_signature(tagmanifest)
        if key is not None:
            check.check_declared_key(info, key)
        if key is not None and pin and not _matches(pin, key):
            check.add(
                sign.MINISIGN_PUB_NAME,
                SIGNATURE,
                f"The bundle is signed by key {sign.fingerprint(key)} "
                f"({sign.short_fingerprint(key)}), not by the key you expected ({pin}).",
            )
        check.check_payload(MANIFEST in changed)
        journal = check.check_journal(info_list)
        start, end = _period(info.get(PERIOD.casefold()))
        return VerifyReport(
            bundle=bundle.name,
            bag_name=root.rstrip("/") or bundle.stem,
            problems=tuple(check.problems),
            fingerprint=sign.fingerprint(key) if key else None,
            short_fingerprint=sign.short_fingerprint(key) if key else None,
            incident_count=_int_field(info, INCIDENT_COUNT),
            exhibit_count=_int_field(info, EXHIBIT_COUNT),
            period_start=start,
            period_end=end,
            period_text=info.get(PERIOD.casefold()),
            payload_files=len(check.payload),
            payload_bytes=sum(m.size for m in check.payload.values()),
            bag_info=tuple(info_list),
            declared_fingerprint=info.get(DECLARED_KEY.casefold()),
            expected_fingerprint=pin,
            journal_head=journal.head,
            journal_format=(
                "chained" if journal.chained else "legacy" if JOURNAL_FILE in check.payload else None
            ),
            journal_entries=journal.entries,
            journal_withheld=journal.withheld,
            journal_hashes=tuple(journal.hashes),
        )
