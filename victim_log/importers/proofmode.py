"""ProofMode proof zips ("Share proof" in the ProofMode app, Android or iPhone).

The zip holds each photo or video unchanged and, named by the file's SHA-256 ``H``:
``H.asc`` (ProofMode's OpenPGP signature of the file), ``H.proof.csv`` and
``H.proof.json`` (what the phone knew when the file was taken: ``File Hash SHA256``,
``File Path``, ``File Created``, device, network, location) with their signatures
``H.proof.csv.asc`` and ``H.proof.json.asc``, ``H.ots`` (an OpenTimestamps proof) and
``H.gst`` (a Google SafetyNet/Play Integrity token) when made, and ``pubkey.asc``, the
phone's ProofMode public key. The zip is read through :mod:`victim_log.safezip`.

Checked for every file: our SHA-256 equals the one ProofMode recorded (in the proof
JSON/CSV and in the proof files' names); each signature, with ``pubkey.asc`` only
(:mod:`.pgpverify`). A hash that differs, a bad signature, or proofs for a file the
zip does not hold refuse the whole import with both hashes shown. Timestamps (.ots)
and integrity tokens (.gst) are kept, not checked (that needs the network).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..safezip import LENIENT
from ..safezip import DamagedMember
from ..safezip import SafeZip
from ..safezip import UnsafeZip
from ..safezip import ZipMember
from ..safezip import is_zip
from ..textsafe import display_safe
from .capture import CapturedFile
from .capture import CaptureSet
from .capture import ProofFile
from .capture import app_time
from .capture import check_hash
from .capture import hash_mismatch
from .pgpverify import SigCheck
from .pgpverify import verify_detached
from .records import ImportFormatError

__all__ = ["NOT_PROOFMODE", "read_proofmode"]

APP = "ProofMode"
NOT_PROOFMODE = "This file doesn't look like a ProofMode proof zip (made with 'Share proof' in ProofMode)."
MAX_PROOF_BYTES = 4 * 1024 * 1024
_PROOF_SUFFIXES = {
    ".proof.csv.asc": "signature of the proof CSV",
    ".proof.json.asc": "signature of the proof JSON",
    ".proof.csv": "proof CSV",
    ".proof.json": "proof JSON",
    ".asc": "OpenPGP signature",
    ".ots": "OpenTimestamps proof (not checked)",
    ".gst": "Google SafetyNet / Play Integrity token (not checked)",
}
_FACTS = (
    ("Manufacturer", "Device maker"),
    ("Hardware", "Device"),
    ("DeviceID", "Device ID"),
    ("Location.Latitude", "Latitude"),
    ("Location.Longitude", "Longitude"),
    ("Location.Provider", "Location from"),
    ("Network", "Network"),
)
_TIME_FIELDS = ("File Created", "File Modified", "Proof Generated")


def _split(name: str) -> tuple[str, str] | None:
    """(SHA-256, suffix) for a proof file's name ``H<suffix>``, or None for another file."""
    base = os.path.basename(name).lower()
    for suffix in _PROOF_SUFFIXES:
        if base.endswith(suffix) and len(base) == 64 + len(suffix):
            return base[:64], suffix
    return None


def _fields(zf: SafeZip, members: dict[str, ZipMember]) -> dict[str, str]:
    """ProofMode's fields for one file: the proof JSON, else the first row of the CSV."""
    out: dict[str, str] = {}
    if ".proof.json" in members:
        try:
            value: Any = json.loads(zf.read_bytes(members[".proof.json"], MAX_PROOF_BYTES))
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            out = {str(k)[:100]: str(v)[:1000] for k, v in value.items() if isinstance(v, (str, int, float))}
    if not out and ".proof.csv" in members:
        text = zf.read_bytes(members[".proof.csv"], MAX_PROOF_BYTES).decode("utf-8", "replace")
        try:
            row = next(csv.DictReader(io.StringIO(text)), None)
        except csv.Error:
            row = None
        if row:
            out = {str(k)[:100]: str(v)[:1000] for k, v in row.items() if k is not None and v is not None}
    return out


def _chunks(zf: SafeZip, m: ZipMember) -> Iterator[bytes]:
    try:
        yield from zf.iter_chunks(m)
    except DamagedMember as exc:
        raise ImportFormatError(f"{exc.message} Nothing was imported.") from None


def _check(zf: SafeZip, sig: ZipMember | None, key: bytes | None, data: ZipMember, what: str) -> SigCheck:
    if sig is None:
        return SigCheck("not_checked") if key is None else SigCheck("unreadable")
    if key is None:
        return SigCheck("unknown_key")
    result = verify_detached(zf.read_bytes(sig, MAX_PROOF_BYTES), key, _chunks(zf, data))
    if result.status == "bad":
        shown = display_safe(what, single_line=True)[:120]
        raise ImportFormatError(
            f"ProofMode's signature of '{shown}' does not match it: the file is not what the phone signed. "
            "Nothing was imported."
        )
    return result


def _signature_line(checks: list[tuple[str, SigCheck]], has_key: bool) -> str:
    if not has_key:
        return "signature not checked (the zip holds no public key, pubkey.asc)"
    if all(c.status == "good" for _w, c in checks):
        fprs = {c.fingerprint for _w, c in checks}
        keys = ", ".join(sorted(fprs))
        return f"OpenPGP signatures of the file and its proof good, key {keys} (pubkey.asc)"
    parts = [f"{what}: {c.describe()}" for what, c in checks]
    return "; ".join(parts)


def _opener(zf: SafeZip, m: ZipMember) -> Any:
    return lambda: _chunks(zf, m)


def read_proofmode(path: Path, zf: SafeZip) -> CaptureSet:
    """Every file in an open ProofMode zip, checked (see the module's doc)."""
    try:
        return _read(zf)
    except DamagedMember as exc:
        raise ImportFormatError(f"{exc.message} Nothing was imported.") from None


def _read(zf: SafeZip) -> CaptureSet:
    proofs: dict[str, dict[str, ZipMember]] = {}
    media: list[ZipMember] = []
    key_member: ZipMember | None = None
    for m in zf.members:
        if m.is_dir:
            continue
        base = os.path.basename(m.name)
        split = _split(m.name)
        if split is not None:
            proofs.setdefault(split[0], {})[split[1]] = m
        elif base.lower() == "pubkey.asc":
            key_member = m
        elif not base.lower().endswith(".txt") and not base.startswith("."):
            media.append(m)
    if not proofs:
        raise ImportFormatError(NOT_PROOFMODE)
    key = zf.read_bytes(key_member, MAX_PROOF_BYTES) if key_member is not None else None
    out = CaptureSet(APP, [])
    if key_member is not None:
        out.shared.append(ProofFile(os.path.basename(key_member.name), "public key", _opener(zf, key_member)))
    used: set[str] = set()
    by_path = {}
    for h, members in proofs.items():
        fields = _fields(zf, members)
        written = fields.get("File Path", "").replace("\\", "/")
        if written:
            by_path[os.path.basename(written)] = (h, fields)
    for m in media:
        ours, _size = zf.sha256(m)
        name = os.path.basename(m.name)
        if ours in proofs:
            h, fields = ours, _fields(zf, proofs[ours])
        elif name in by_path:
            h, fields = by_path[name]
            raise hash_mismatch(APP, name, fields.get("File Hash SHA256") or h, ours)
        else:
            out.skipped.append(f"{display_safe(name, single_line=True)[:120]}: no ProofMode proof in the zip")
            continue
        used.add(h)
        app_hash = check_hash(APP, name, fields.get("File Hash SHA256") or h, ours)
        members = proofs[h]
        checks = [(name, _check(zf, members.get(".asc"), key, m, name))]
        for data_suffix in (".proof.csv", ".proof.json"):
            if data_suffix in members:
                what = os.path.basename(members[data_suffix].name)
                sig = members.get(data_suffix + ".asc")
                checks.append((what, _check(zf, sig, key, members[data_suffix], what)))
        when_text = next((fields[k] for k in _TIME_FIELDS if fields.get(k)), "")
        kept = tuple(
            ProofFile(os.path.basename(pm.name), _PROOF_SUFFIXES[suffix], _opener(zf, pm))
            for suffix, pm in sorted(members.items(), key=lambda kv: kv[1].index)
        )
        out.files.append(
            CapturedFile(
                name=name,
                opener=_opener(zf, m),
                our_sha256=ours,
                app_sha256=app_hash,
                captured_at=app_time(when_text),
                captured_text=when_text[:120],
                signature=_signature_line(checks, key is not None),
                proofs=kept,
                facts=tuple((label, fields[k][:200]) for k, label in _FACTS if fields.get(k)),
            )
        )
    orphans = sorted(set(proofs) - used)
    if orphans:
        raise ImportFormatError(
            f"This ProofMode zip holds proof for a file it does not contain (ProofMode recorded SHA-256 "
            f"{orphans[0]}): a file may have been changed or left out. Nothing was imported."
        )
    if not out.files:
        raise ImportFormatError(NOT_PROOFMODE)
    return out


def open_proofmode(path: Path) -> SafeZip:
    """The zip, checked by safezip; a file that is no zip or an unsafe one refused kindly."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        raise ImportFormatError("We couldn't read this file.") from None
    if not is_zip(head):
        raise ImportFormatError(NOT_PROOFMODE)
    try:
        return SafeZip(path, LENIENT)
    except UnsafeZip as exc:
        raise ImportFormatError(f"{exc.message} Nothing was imported.") from None
