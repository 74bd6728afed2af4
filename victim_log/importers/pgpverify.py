"""Checking a detached OpenPGP signature (ProofMode's ``.asc`` files) with ``gpgv``.

ProofMode signs each photo or video, and its proof CSV and JSON, with a key the app
made on the phone, and puts the public key in the zip (``pubkey.asc``). We check each
signature with GnuPG's ``gpgv``, the small verify-only tool: it is given that one key
as its whole keyring in a temporary folder removed afterwards, so nothing in the
computer's own GnuPG set-up is read or changed, no agent is started, and nothing is
fetched from a key server. The file's bytes are piped in, never written to disk
outside the vault.

What a good signature proves: the file is exactly what the holder of that key signed.
The key came in the same zip, so who holds it is for the phone to show (ProofMode
displays its key's fingerprint); the fingerprint is recorded for that comparison.
Without ``gpgv`` (or ``gpg``) on the computer the signature is kept but reported as not
checked, in those words; nothing pretends to have checked it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["SigCheck", "dearmor", "gpgv_path", "verify_detached"]

Status = Literal["good", "bad", "unknown_key", "unreadable", "not_checked"]
MAX_KEY_BYTES = 1024 * 1024
TIMEOUT_S = 600
_FPR = re.compile(r"^\[GNUPG:\] VALIDSIG ([0-9A-F]{40,64}) ", re.M)


@dataclass(frozen=True)
class SigCheck:
    status: Status
    fingerprint: str = ""  # the signing key's fingerprint, when the signature is good

    def describe(self) -> str:
        """One line for an incident's details and an exhibit's description."""
        if self.status == "good":
            return f"OpenPGP signature good, key {self.fingerprint} (the public key in the export)"
        return {
            "bad": "OpenPGP signature BAD: the file is not what was signed",
            "unknown_key": "OpenPGP signature made by a key the export does not hold; signature not checked",
            "unreadable": "OpenPGP signature unreadable; signature not checked",
            "not_checked": "signature not checked (GnuPG's gpgv is not installed on this computer)",
        }[self.status]


def gpgv_path() -> str | None:
    """The ``gpgv`` program, or None when GnuPG is not installed."""
    return shutil.which("gpgv")


def dearmor(armored: bytes) -> bytes | None:
    """The binary packets of an ASCII-armoured OpenPGP block (a key or a signature)."""
    text = armored.decode("ascii", "replace").replace("\r\n", "\n")
    begin = text.find("-----BEGIN PGP ")
    end = text.find("-----END PGP ", begin + 1)
    if begin < 0 or end < 0:
        return None
    lines = text[begin:end].split("\n")[1:]
    try:
        blank = next(i for i, ln in enumerate(lines) if not ln.strip())
    except StopIteration:
        return None
    body = "".join(ln.strip() for ln in lines[blank + 1 :] if ln.strip() and not ln.startswith("="))
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None


def verify_detached(signature: bytes, public_key: bytes, data: Iterable[bytes]) -> SigCheck:
    """Check ``signature`` (armoured or binary) over ``data`` against ``public_key`` only."""
    gpgv = gpgv_path()
    if gpgv is None:
        return SigCheck("not_checked")
    key = dearmor(public_key) if b"-----BEGIN PGP" in public_key[:4096] else public_key
    if not key or len(key) > MAX_KEY_BYTES:
        return SigCheck("unknown_key")
    with tempfile.TemporaryDirectory(prefix="victim-log-pgp-") as tmp:
        os.chmod(tmp, 0o700)
        keyring, sig = Path(tmp, "key.gpg"), Path(tmp, "file.sig")
        keyring.write_bytes(key)
        sig.write_bytes(signature)
        status = Path(tmp, "status")
        env = {"PATH": os.environ.get("PATH", ""), "GNUPGHOME": tmp, "LC_ALL": "C"}
        with open(status, "wb") as out:
            try:
                proc = subprocess.Popen(  # noqa: S603 - gpgv with fixed arguments and our own temp files
                    [gpgv, "--homedir", tmp, "--keyring", str(keyring), "--status-fd", "1", str(sig), "-"],
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )
            except OSError:
                return SigCheck("not_checked")  # gpgv there but cannot be run
            assert proc.stdin is not None
            try:
                for chunk in data:
                    proc.stdin.write(chunk)
                proc.stdin.close()
            except BrokenPipeError:
                pass  # gpgv stopped reading: an unreadable signature; its status says so
            try:
                proc.wait(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                return SigCheck("unreadable")
        lines = status.read_text("ascii", "replace")
    if "[GNUPG:] BADSIG" in lines:
        return SigCheck("bad")
    m = _FPR.search(lines)
    if "[GNUPG:] GOODSIG" in lines and m is not None and proc.returncode == 0:
        return SigCheck("good", m.group(1))
    if "[GNUPG:] NO_PUBKEY" in lines:
        return SigCheck("unknown_key")
    return SigCheck("unreadable")
