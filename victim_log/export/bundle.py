"""The police export: one signed BagIt zip an officer can read and check offline.

This module only glues: :mod:`.case` decides what is exported (and redacts),
:mod:`.pdf` and :mod:`.tables` render it, :mod:`.bagit_zip` writes the bag and
:mod:`.sign` signs it. The exhibits are streamed straight from the evidence locker,
verified chunk by chunk and against their intake SHA-256; if any fails, the whole
export is abandoned (the zip is written to a temporary file and renamed only at the
end), so a bundle never holds bytes we could not vouch for.

The vault's signing key (Ed25519) is made on the first export and kept inside the
encrypted database; its fingerprint is printed in the PDF so the victim can read it
to the officer on the phone.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from itertools import chain
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import __version__
from ..errors import BadInput
from ..errors import VictimLogError
from ..fsutil import atomic_writer
from ..fsutil import check_output_path
from ..fsutil import unrecorded_reason
from ..model import canonical_json
from ..resources import resource_path
from ..store import journal
from ..vault import Vault
from ..vault import now_iso
from . import sign
from .bagit_zip import EXHIBIT_COUNT
from .bagit_zip import INCIDENT_COUNT
from .bagit_zip import PERIOD
from .bagit_zip import PayloadEntry
from .bagit_zip import TagFile
from .bagit_zip import period_value
from .bagit_zip import verify_script_tag_file
from .bagit_zip import write_bag_zip
from .case import ExportCase
from .case import ExportOptions
from .case import build_case
from .derivation import with_unredacted_hash
from .disclosure import readme_text
from .pdf import write_pdf
from .portal import DEFAULT_BATCH_SIZE
from .portal import PORTAL_MAX_FILE_BYTES
from .portal import check_batch_size
from .portal import check_portal_dir
from .portal import plan_portal
from .portal import portal_json
from .portal import write_portal
from .support import support_csv
from .tables import exhibits_csv
from .tables import not_included_csv
from .tables import timeline_csv_chunks
from .tables import timeline_json_chunks
from .tables import versions_csv_chunks

FORMATS = ("bundle", "pdf", "csv", "json", "support-csv")
VERIFY_PS1 = "verify_bundle.ps1"  # checks the hashes on Windows, not the signature (#21)
SIGNING_KEY_META = "export_signing_key"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    incidents: int
    exhibits: int
    fingerprint: str
    short_fingerprint: str
    redactions: tuple[str, ...]
    not_recorded: str = ""  # why the diary's history does not record this export, if so
    portal: dict[str, object] | None = None  # the upload batches written (export/portal.py)


@dataclass(frozen=True)
class PortalRequest:
    """Upload-link batches to write beside the bundle (#21, export/portal.py)."""

    folder: Path
    batch_size: int = DEFAULT_BATCH_SIZE
    max_file_bytes: int = PORTAL_MAX_FILE_BYTES


def signing_key(vault: Vault) -> Ed25519PrivateKey:
    """The vault's export signing key, made (and journalled) on first use."""
    stored = vault.get_meta(SIGNING_KEY_META)
    if stored is not None:
        return sign.private_key_from_bytes(bytes.fromhex(stored))
    key = sign.generate_signing_key()
    with vault.transaction("the signing key") as tx:
        stored = tx.get_meta(SIGNING_KEY_META)  # made meanwhile by another window: that one
        if stored is not None:
            return sign.private_key_from_bytes(bytes.fromhex(stored))
        tx.put_meta(SIGNING_KEY_META, sign.private_key_to_bytes(key).hex(), replace=False)
        tx.record_event("signing_key_created", {"fingerprint": sign.fingerprint(key.public_key())})
    return key


def signing_fingerprint(vault: Vault) -> tuple[str, str]:
    pub = signing_key(vault).public_key()
    return sign.fingerprint(pub), sign.short_fingerprint(pub)


JOURNAL_HEAD_FIELD = "Journal-Head"  # bag-info.txt: "<seq> <hash>" (FORMAT-14)


def _journal_head(vault: Vault) -> tuple[int, str]:
    """The last journal entry's (seq, hash): what bag-info.txt signs, before the lines
    are streamed (:func:`_journal_chunks` stops there, whatever is added meanwhile)."""
    head = (0, journal.GENESIS)
    for entry in vault.iter_journal_entries():
        head = (entry.seq, entry.hash)
    return head


def _journal_chunks(vault: Vault, case: ExportCase, head_seq: int) -> Iterator[bytes]:
    """``journal.jsonl``: the journal chain 1..``head_seq``, one canonical JSON per line,
    read and written a page at a time, never held whole (#23.8).

    Entries about the exported incidents and exhibits are given in full, so an
    officer can recompute their hashes. Every other entry is a stub
    ``{"hash", "prev", "seq", "withheld": true}``: what it was about stays
    undisclosed, but the chain can be walked from entry 1 to the head signed in
    bag-info.txt, so nothing earlier can be dropped or rewritten unseen, and a later
    export can be shown to extend this one.
    """
    # Context entries (the victim's replies kept from an import, #16.5) are exported too.
    incidents = {i.id for i in chain(case.incidents, case.context)}  # one at a time (#23.8)
    exhibits = {e.evidence_id for e in case.exhibits}
    lines: list[bytes] = []
    for entry in vault.iter_journal_entries():
        if entry.seq > head_seq:
            break
        if (entry.kind == "incident" and entry.id in incidents) or (
            entry.kind == "evidence" and entry.id in exhibits
        ):
            lines.append(canonical_json(entry.to_json()) + b"\n")
        else:
            lines.append(
                canonical_json({"hash": entry.hash, "prev": entry.prev, "seq": entry.seq, "withheld": True})
                + b"\n"
            )
        if len(lines) == _JOURNAL_BATCH:
            yield b"".join(lines)
            lines = []
    yield b"".join(lines)


_JOURNAL_BATCH = 1000


def _readme(case: ExportCase, key: Ed25519PrivateKey, bag_name: str) -> bytes:
    """The officer's README.txt.

    It prints no key on purpose (``key`` is unused): whoever alters a bundle can alter
    this file too, so the only key worth comparing is the one the sender gives the
    officer directly, and the signature must be checked before anything inside the
    bundle (its checker script included) is trusted or run (issue #14).
    """
    del key
    redacted = "\n".join(f"  - {r}" for r in case.redactions) or "  - nothing"
    one_file = "data\\exhibits\\" + case.exhibit_file_example.replace("...", "NAME")  # Windows form
    text = f"""VICTIM LOG EXPORT: {case.case_title}
{"=" * (19 + len(case.case_title))}

What this is
------------
A log of incidents kept by {case.owner or "the person named above"} with Victim Log
{case.software}, exported on {case.exported_at}. It covers {case.period_text}:
{len(case.incidents)} incidents and {len(case.exhibits)} exhibits.

  data/timeline.pdf    the log to read: summary, pattern over time, breaches of
                       orders, every incident in date order, earlier versions of
                       changed entries (Appendix A)
  data/timeline.csv    one row per incident, for case systems (columns: see
  data/timeline.json   docs in timeline.json "schema"); the same as JSON
  data/exhibits.csv    every exhibit: reference, original name, SHA-256, size, type
  data/versions.csv    every earlier version of each changed entry, one row each,
                       with its text as it was (timeline.json "versions" the same)
  data/exhibits/       the original evidence files, byte for byte as they were kept
                       (named by exhibit reference, e.g. {case.exhibit_file_example})
  data/journal.jsonl   the vault's hash-chained history: entries about these
                       incidents and exhibits in full, the others as placeholders

Each incident shows when it happened and, separately, when it was first recorded
(set by the app, not editable). Changes are never made in place: a changed entry
says when and why, and the wording of each earlier version is in this bundle: as a
word-by-word comparison (with the first version in full) in the PDF's Appendix A,
and in full in versions.csv and timeline.json. A file attached to an entry, or
taken off it, is counted apart: it is not a change to the account. Private notes
of earlier versions are included only if private notes are.

Redactions in this copy
-----------------------
{redacted}
Private notes: {"included" if case.include_private else "not included"}.

{readme_text(case.not_included)}
Checking the bundle: the signature first
----------------------------------------
Whoever changes a bundle can also change this file, the PDF and the checker script
inside it. So trust nothing inside the bundle, and run no script from inside it,
until you have checked its signature with a tool of your own, against the key the
sender gave you.

1. Get the key from the sender, by phone or in person, not from this bundle.
   Victim Log shows it to them after each export: "SHA256:" and 43 characters,
   and a read-out form of six groups like 95B9 ACA0 0D32 2047 0489 50D1.

2. Check the signature against that key, with any one of:

   Victim Log:   victim-log verify {bag_name}.zip --expect-key "KEY FROM THE SENDER"

   OpenSSH, inside the unzipped folder:
     ssh-keygen -Y verify -f allowed_signers -I victim-log-export -n victim-log \\
         -s tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt
   It must say "Good ... signature" and name the key SHA256:... the sender gave you.

   minisign, inside the unzipped folder, if the sender sent you their minisign
   public key line (use theirs, not the one in this bundle's minisign.pub):
     minisign -Vm tagmanifest-sha256.txt -P "MINISIGN KEY FROM THE SENDER"

   verify_bundle.py (Python 3, nothing to install): only a copy whose SHA-256
   matches the one published in Victim Log's README for this version, not the copy
   inside the bundle until the signature has been checked:
     python3 verify_bundle.py {bag_name}.zip --expect-key "KEY FROM THE SENDER"

   Victim Log and verify_bundle.py check everything at once: the zip's layout,
   the signature, every file, and the history in data/journal.jsonl. Without
   --expect-key they print the key that signed and say it is not yet confirmed.

3. After the OpenSSH or minisign check, check the files against the signed lists,
   inside the unzipped folder:
     sha256sum -c tagmanifest-sha256.txt && sha256sum -c manifest-sha256.txt
   or with bagit-python:  bagit.py --validate {bag_name}

On a Windows computer with nothing installed
--------------------------------------------
Windows can check the files against the lists, but not the signature: have the
signature checked (step 2) on any computer that has one of the tools above, or ask
for it to be done, before relying on the files.

  One file, in Command Prompt, inside the unzipped folder:
    certutil -hashfile {one_file} SHA256
  or in PowerShell:
    Get-FileHash -Algorithm SHA256 -LiteralPath {one_file}
  The hash printed must equal the one for that file in manifest-sha256.txt (and
  in exhibits.csv and the PDF's exhibit list); upper or lower case does not matter.

  Every file at once, in PowerShell, inside the unzipped folder (typed or pasted
  in, so it works where running scripts is not allowed):
    Get-Content manifest-sha256.txt | ForEach-Object {{ $h, $p = $_ -split '\\s+', 2;
      if ((Get-FileHash -Algorithm SHA256 -LiteralPath $p).Hash -ne $h) {{ "CHANGED: $p" }} }}
  It prints nothing when every file matches.

  verify_bundle.ps1 does the same for every file in both lists, names each file
  changed, missing or not listed, and says plainly that it does not check the
  signature (a copy whose SHA-256 matches the one in Victim Log's README):
    powershell -ExecutionPolicy Bypass -File verify_bundle.ps1 -Path {bag_name}.zip

An earlier export from the same sender anchors this one: with both,
  victim-log verify EARLIER.zip {bag_name}.zip
says whether this export's history still contains the earlier one's unchanged.

What the signature proves, and what it does not
-----------------------------------------------
Checked against the key the sender gave you, it proves that every file is exactly
as it was when the holder of that key exported it: nothing was added, removed or
changed afterwards. It does not prove that what they recorded is true. Victim Log
shows when each entry was first recorded and keeps every amendment, so changes made
inside the app are visible; the vault's owner could still rewrite their own history
before exporting, which is why an earlier export is worth keeping.
"""
    return text.encode("utf-8")


def _period(case: ExportCase) -> str | None:
    start = case.requested_start or case.first_incident
    end = case.requested_end or case.last_incident
    try:
        if start and end:
            return period_value(date.fromisoformat(start[:10]), date.fromisoformat(end[:10]))
    except ValueError:
        return None
    return None


def export(
    vault: Vault,
    out: Path,
    options: ExportOptions,
    *,
    fmt: str = "bundle",
    timestamp: int | None = None,
    portal: PortalRequest | None = None,
) -> ExportResult:
    """Export to ``out``; ``fmt`` is bundle (signed zip), pdf, csv or json.

    ``portal`` also writes upload-link batches cut from the same export (the same PDF
    bytes, references and hashes as the bundle), so it goes with a bundle only."""
    if fmt not in FORMATS:
        raise BadInput(f"Unknown export format '{fmt}'. Use one of: {', '.join(FORMATS)}.")
    out = check_output_path(Path(out), "the export", overwrite=True)
    if portal is not None:
        if fmt != "bundle":
            raise BadInput(
                "Upload batches (--portal) go with the signed bundle, so that the officer can match "
                "each file to it: leave out --format."
            )
        check_batch_size(portal.batch_size)
        check_portal_dir(portal.folder)
    key = signing_key(vault)
    pub = key.public_key()
    portal_report: dict[str, object] | None = None
    portal_batches = 0
    exported_at = (
        datetime.fromtimestamp(timestamp, UTC).astimezone().isoformat(timespec="seconds")
        if timestamp is not None
        else now_iso()
    )
    case = build_case(vault, options, exported_at=exported_at, fingerprint=sign.fingerprint(pub))
    case = with_unredacted_hash(vault, options, case)  # a redacted copy names its original
    if fmt != "bundle":
        chunks: Iterator[bytes | bytearray] = iter(())
        if fmt == "csv":
            chunks = timeline_csv_chunks(case)
        elif fmt == "support-csv":  # for support services' case systems (export/support.py)
            chunks = iter([support_csv(case)])
        elif fmt != "pdf":
            chunks = timeline_json_chunks(case)
        with atomic_writer(out, "the export") as fh:  # streamed, never the whole file at once
            if fmt == "pdf":
                write_pdf(case, fh.write, standalone=True)  # says it is an unsigned copy
            for chunk in chunks:
                fh.write(chunk)
    else:
        pdf_copy = _write_bundle(vault, out, case, key, timestamp, keep_pdf=portal is not None)
        if portal is not None and pdf_copy is not None:
            pdf = bytes(pdf_copy)  # the same bytes, for the upload batches
            plan = plan_portal(
                case,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                pdf_size=len(pdf),
                bundle_name=out.name,
                batch_size=portal.batch_size,
                max_file_bytes=portal.max_file_bytes,
            )
            write_portal(
                portal.folder,
                plan,
                case,
                pdf=pdf,
                bundle_name=out.name,
                open_exhibit=vault.evidence.iter_verified,
            )
            portal_report = portal_json(portal.folder, plan)
            portal_batches = len(plan.batches)
    not_recorded = ""  # the file is complete: a full vault disk must not make it a failure
    detail: dict[str, object] = {
        "format": fmt,
        "incidents": len(case.incidents),
        "exhibits": len(case.exhibits),
        "private_notes": case.include_private,
        "redactions": list(case.redact),
    }
    if portal_batches:
        detail["portal_batches"] = portal_batches  # the log records that batches were made
    try:
        vault.record_event("export", detail)
    except VictimLogError as exc:
        not_recorded = unrecorded_reason(exc)
    return ExportResult(
        out,
        fmt,
        len(case.incidents),
        len(case.exhibits),
        sign.fingerprint(pub),
        sign.short_fingerprint(pub),
        case.redactions,
        not_recorded,
        portal_report,
    )


def _write_bundle(
    vault: Vault,
    out: Path,
    case: ExportCase,
    key: Ed25519PrivateKey,
    timestamp: int | None,
    *,
    keep_pdf: bool = False,
) -> bytearray | None:
    """Write the signed bag; with ``keep_pdf``, return a copy of its timeline PDF (the
    upload batches carry the same bytes), else None: the PDF goes into the zip as it
    is made and is never held whole."""
    stem = out.name[:-4] if out.name.lower().endswith(".zip") else out.name
    # Any name suits the zip file (Müller.zip, 日記.zip); the bag folder inside needs ASCII.
    bag_name = (
        "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "-" for ch in stem)[:90] or "export"
    )
    if not bag_name[0].isalnum():
        bag_name = "export" + bag_name
    head_seq, head_hash = _journal_head(vault)
    pdf_copy = bytearray() if keep_pdf else None

    def make_pdf(put: Callable[[bytes | bytearray], None]) -> None:
        if pdf_copy is None:
            write_pdf(case, put)
            return

        def put_and_keep(chunk: bytes | bytearray) -> None:
            put(chunk)
            pdf_copy.extend(chunk)

        write_pdf(case, put_and_keep)

    # The PDF, the tables and the journal are written into the zip as they are made,
    # and hashed on the way (bagit_zip): none is ever held whole, so a 100,000-entry
    # export stays within a few hundred MB (#23.8).
    payload = [
        PayloadEntry.written("timeline.pdf", make_pdf),
        # Sizes not known until written, and far below 4 GiB (1 KB to 4 KB an entry):
        # no zip64 headers, so the zip is the same as when each was made whole.
        PayloadEntry("timeline.csv", lambda: timeline_csv_chunks(case), zip64=False),
        PayloadEntry("timeline.json", lambda: timeline_json_chunks(case), zip64=False),
        PayloadEntry.from_bytes("exhibits.csv", exhibits_csv(case)),
        PayloadEntry.from_bytes("not_included.csv", not_included_csv(case)),
        PayloadEntry("versions.csv", lambda: versions_csv_chunks(case), zip64=False),
        PayloadEntry("journal.jsonl", lambda: _journal_chunks(vault, case, head_seq), zip64=False),
    ]
    for ex in case.exhibits:
        payload.append(
            PayloadEntry(
                ex.payload_path, functools.partial(vault.evidence.iter_verified, ex.evidence_id), ex.size
            )
        )
    info = [
        ("Source-Organization", "Victim Log (exported by the person who kept the log)"),
        ("External-Description", f"Incident log: {case.case_title}"),
        ("Exported-By", case.owner or "the vault's owner"),
        ("Export-Time", case.exported_at),
        ("Software", f"Victim Log {__version__}"),
        (INCIDENT_COUNT, str(len(case.incidents))),
        (EXHIBIT_COUNT, str(len(case.exhibits))),
        ("Private-Notes", "included" if case.include_private else "not included"),
        ("Redactions", "; ".join(case.redactions) or "none"),
        ("Signing-Key-Fingerprint", sign.fingerprint(key.public_key())),
        (JOURNAL_HEAD_FIELD, f"{head_seq} {head_hash}"),
    ]
    period = _period(case)
    if period:
        info.insert(7, (PERIOD, period))
    tags = [
        TagFile("README.txt", _readme(case, key, bag_name)),
        verify_script_tag_file(),
        TagFile(VERIFY_PS1, resource_path(VERIFY_PS1).read_bytes()),
    ]
    write_bag_zip(out, bag_name, payload, bag_info=info, tag_files=tags, signing_key=key, timestamp=timestamp)
    return pdf_copy
