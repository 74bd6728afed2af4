#!/usr/bin/env python3
"""Check a Victim Log export bundle with nothing but Python 3 (3.8 or later).

BEFORE YOU RUN THIS SCRIPT: a copy found inside a bundle you were sent is part of what
you are checking; whoever changed the bundle could have changed the script too, and
running it runs whatever they wrote. Either check the signature first with a tool you
already trust, in the unzipped bundle folder:
    minisign -Vm tagmanifest-sha256.txt -p minisign.pub
    ssh-keygen -Y verify -f allowed_signers -I victim-log-export -n victim-log \\
        -s tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt
    victim-log verify BUNDLE.zip
(and compare the key they name with the one the sender read to you), or run a copy of
this script whose SHA-256 (sha256sum verify_bundle.py) matches the one published in
Victim Log's README.md for that release.

Usage:
    python3 verify_bundle.py BUNDLE.zip          check the zip file as received
    python3 verify_bundle.py FOLDER              check an unzipped bundle folder
    python3 verify_bundle.py                     inside the unzipped folder: check it
Options:
    --expect-key KEY   the signing key the sender gave you by phone or in person:
                       SHA256:... or the read-out form (six groups of four hex digits)
    --since OLD.zip    also check that this bundle's history extends an older export
    --json             print the result as JSON

What it checks (the same as `victim-log verify`):
  - a .zip is one unambiguous archive: its files follow each other from the first byte
    to the directory with nothing before, between or after them, one end record and no
    comment, both records of every file agree, and Python's own zip reader sees the
    same files, so no unzip tool can show other contents than the ones checked; names
    are safe (no absolute or .. paths, control or bidi characters, duplicates, also
    after case folding or Unicode normalisation), no links, encryption or zip bombs;
  - bagit.txt; bag-info.txt with exactly one Payload-Oxum matching the payload;
    no fetch.txt; every file against tagmanifest-sha256.txt or manifest-sha256.txt;
    nothing added and nothing missing;
  - the Ed25519 signatures over tagmanifest-sha256.txt, in both formats (minisign's
    .minisig and ssh-keygen's .sig): both must verify with the same key, the one in
    minisign.pub and allowed_signers and the one bag-info.txt declares;
  - the hash chain of the bundle's history, data/journal.jsonl: every entry in order
    from the first to the Journal-Head that bag-info.txt signs (older bundles without
    one: each entry's own hash); with --since, that the newer export still holds the
    older one's head, so nothing up to it was removed or rewritten in between.

A valid signature proves only that whoever holds that key made the bundle: the
result names the key (SHA256:... and a read-out form), and you must compare it with
the key the sender read to you, or pass it with --expect-key.

Exit status: 0 valid; 1 invalid (each problem on its own line, naming the file);
2 not a bundle, an unsafe zip, or a usage error.
This file is part of Victim Log (GPL-3.0-or-later) and uses only the standard library.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import stat
import struct
import sys
import threading
import unicodedata
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

# --- limits and names (the same as the core's) ---------------------------------------------

MAX_MEMBERS = 100000
MAX_NAME_BYTES = 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_MEMBER_SIZE = 1 << 40
MAX_TAG_FILE = 64 * 1024 * 1024
CHUNK = 1024 * 1024
THREADS = 2

BAGIT_TXT = "bagit.txt"
BAG_INFO_TXT = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
FETCH_TXT = "fetch.txt"
PAYLOAD_DIR = "data/"
JOURNAL = "data/journal.jsonl"
MINISIGN_PUB = "minisign.pub"
ALLOWED_SIGNERS = "allowed_signers"
MINISIG = TAGMANIFEST + ".minisig"
SSHSIG = TAGMANIFEST + ".sig"
KEY_FILES = (MINISIGN_PUB, ALLOWED_SIGNERS)
SIG_FILES = (MINISIG, SSHSIG)
REQUIRED_LISTED = (BAGIT_TXT, BAG_INFO_TXT, MANIFEST)

NAMESPACE = "victim-log"
PRINCIPAL = "victim-log-export"
SSH_KEY_TYPE = b"ssh-ed25519"

# Problem kinds (the same strings as victim_log/verify.py).
CHANGED = "changed"
MISSING = "missing"
ADDED = "added"
DAMAGED = "damaged"
MALFORMED = "malformed"
SIGNATURE = "signature"
MISMATCH = "mismatch"
JOURNAL_KIND = "journal"
HISTORY = "history"

BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]{64})[ \t]+(\S.*)\Z")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
ESCAPE = re.compile(r"%(25|0[aA]|0[dD])")
OXUM = re.compile(r"([0-9]{1,20})\.([0-9]{1,10})\Z")
HEX64 = re.compile(r"[0-9a-f]{64}\Z")
JOURNAL_HEAD = re.compile(r"([1-9][0-9]{0,17}|0) ([0-9a-f]{64})\Z")
SINGLE_LABELS = ("Payload-Oxum", "Signing-Key-Fingerprint", "Journal-Head")
MAX_JOURNAL_LINE = 1 << 20
GENESIS = "0" * 64


class Unusable(Exception):
    """Not a bundle, not safe to read, or a usage error: exit 2."""


class Damaged(Exception):
    """One member cannot be read back; the rest may still be checked."""


class BadSignature(Exception):
    """A key or signature file is malformed or does not verify."""


def shown(untrusted, limit=200):
    """A name safe to print: control, format (bidi) and separator characters become '?'."""
    text = str(untrusted)
    out = "".join(
        "?" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c
        for c in text[:limit]
    )
    return out + ("..." if len(text) > limit else "")


def is_unsafe_char(ch):
    return ch in BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def unsafe_name_reason(name):
    """Why ``name`` is not a safe relative path, or None (the core's rules)."""
    if not name or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return "an empty or overlong name"
    for ch in name:
        if is_unsafe_char(ch):
            return "a control character in a name"
    if "\\" in name:
        return "a backslash in a name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":" and name[0].isascii()
                                and name[0].isalpha()):
        return "an absolute path"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    for part in parts:
        if part == "..":
            return "a path that climbs out of its folder (..)"
        if part in ("", "."):
            return "an empty path component"
    return None


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


# --- Ed25519 (RFC 8032), verification only -------------------------------------------------
#
# Points are extended twisted Edwards coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z,
# x*y = T/Z. Verification is cofactorless, as libsodium and OpenSSL do it:
# encode([S]B - [k]A) must equal R byte for byte, which also refuses a non-canonical R.
# Like libsodium (and stricter than OpenSSL) it refuses S >= L, a public key that is not
# the canonical encoding of a curve point, and a public key of small order (for which
# anyone could make a "signature").

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_D2 = 2 * _D % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
_IDENTITY = (0, 1, 1, 0)


def _recover_x(y, sign):
    """The x with this y and sign bit on the curve, or None (RFC 8032 5.1.3)."""
    yy = y * y % _P
    u = (yy - 1) % _P
    v = (_D * yy + 1) % _P
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    vxx = v * x * x % _P
    if vxx == (-u) % _P:
        x = x * _SQRT_M1 % _P
    elif vxx != u:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = _P - x
    return x


_BY = 4 * pow(5, _P - 2, _P) % _P
_BX = _recover_x(_BY, 0)
_BASE = (_BX, _BY, 1, _BX * _BY % _P)


def _add(p, q):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = t1 * _D2 * t2 % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _double(p):
    x1, y1, z1, _ = p
    a = x1 * x1 % _P
    b = y1 * y1 % _P
    c = 2 * z1 * z1 % _P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _is_identity(p):
    x, y, z, _ = p
    return x % _P == 0 and (y - z) % _P == 0


def _encode(p):
    x, y, z, _ = p
    zinv = pow(z, _P - 2, _P)
    x, y = x * zinv % _P, y * zinv % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decode(data):
    """A point from its canonical 32-byte encoding, else None."""
    if len(data) != 32:
        return None
    n = int.from_bytes(data, "little")
    y, sign = n & ((1 << 255) - 1), n >> 255
    if y >= _P:
        return None
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def _double_mult(s, p, k, q):
    """[s]p + [k]q, one pass over the bits (Straus/Shamir)."""
    both = _add(p, q)
    out = _IDENTITY
    for i in range(max(s.bit_length(), k.bit_length()) - 1, -1, -1):
        out = _double(out)
        bits = ((s >> i) & 1, (k >> i) & 1)
        if bits == (1, 1):
            out = _add(out, both)
        elif bits == (1, 0):
            out = _add(out, p)
        elif bits == (0, 1):
            out = _add(out, q)
    return out


def ed25519_public_key_ok(public):
    """A canonical encoding of a curve point that is not of small order."""
    a = _decode(public)
    return a is not None and not _is_identity(_double(_double(_double(a))))


def ed25519_verify(public, signature, message):
    """True when ``signature`` is a valid Ed25519 signature of ``message`` by ``public``."""
    if len(public) != 32 or len(signature) != 64 or not ed25519_public_key_ok(public):
        return False
    x, y, z, t = _decode(public)
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _L
    check = _double_mult(s, _BASE, k, (_P - x, y, z, _P - t))
    return hmac.compare_digest(_encode(check), signature[:32])


# --- key fingerprints and the signature formats we write (victim_log/export/sign.py) --------


def ssh_string(data):
    return struct.pack(">I", len(data)) + data


def ssh_key_blob(public):
    return ssh_string(SSH_KEY_TYPE) + ssh_string(public)


def fingerprint(public):
    """``SHA256:<base64>``, what ``ssh-keygen -lf`` prints for the key."""
    digest = hashlib.sha256(ssh_key_blob(public)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def short_fingerprint(public):
    """Six groups of four hex digits of the same SHA-256, to read out by phone."""
    hexdigits = hashlib.sha256(ssh_key_blob(public)).hexdigest()[:24].upper()
    return " ".join(hexdigits[i:i + 4] for i in range(0, 24, 4))


def normalise_expected_key(text):
    """The pin as the sender gave it: ``SHA256:`` and 43 base64 characters, or the 24
    hex digits of the read-out form (spaces and dashes ignored). Anything else is a
    usage error (exit 2), not a bundle that fails."""
    want = text.strip()
    if want[:7].upper() == "SHA256:" and re.match(r"[A-Za-z0-9+/]{43}\Z", want[7:]):
        return "SHA256:" + want[7:]
    compact = re.sub(r"[\s-]", "", want).upper()
    if re.match(r"[0-9A-F]{24}\Z", compact):
        return " ".join(compact[i:i + 4] for i in range(0, 24, 4))
    raise Unusable("The expected key must be written as SHA256: followed by 43 letters, digits, "
                   "+ or /, or as the read-out form of 24 digits and letters A to F.")


def key_matches(expected, public):
    """``expected`` as :func:`normalise_expected_key` returns it."""
    if expected.startswith("SHA256:"):
        return expected == fingerprint(public)
    return expected == short_fingerprint(public)


def minisign_key_id(public):
    return hashlib.blake2b(public, digest_size=8, person=b"victimlog-keyid").digest()


def minisign_untrusted_comment(public):
    key_id = minisign_key_id(public)[::-1].hex().upper()
    return "signature from Victim Log export key " + key_id


def _lines(data, count, what):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadSignature("%s cannot be read: it is not text." % what) from None
    if not text.endswith("\n") or "\r" in text:
        raise BadSignature("%s has been altered: it is not in the form Victim Log writes." % what)
    lines = text[:-1].split("\n")
    if len(lines) != count:
        raise BadSignature("%s has been altered: it does not have %d lines." % (what, count))
    return lines


def _b64_canonical(text, size, what):
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BadSignature("%s cannot be read: it is not valid base64." % what) from None
    if len(raw) != size or base64.b64encode(raw).decode() != text:
        raise BadSignature("%s has been altered: it is not in the form Victim Log writes." % what)
    return raw


def _key(raw, what):
    if len(raw) != 32:
        raise BadSignature("%s cannot be read: the key has the wrong length." % what)
    if not ed25519_public_key_ok(raw):
        raise BadSignature("%s cannot be read: it does not hold a valid key." % what)
    return raw


def parse_minisign_pub(data):
    what = MINISIGN_PUB
    comment, body = _lines(data, 2, what)
    if not comment.startswith("untrusted comment: "):
        raise BadSignature("%s cannot be read: its first line is not a comment." % what)
    raw = _b64_canonical(body, 42, what)
    if raw[:2] != b"Ed":
        raise BadSignature("%s holds a key type Victim Log does not use." % what)
    public = _key(raw[10:], what)
    if raw[2:10] != minisign_key_id(public):
        raise BadSignature("%s has been altered: its key id does not belong to its key." % what)
    return public


def parse_allowed_signers(data):
    what = ALLOWED_SIGNERS
    (line,) = _lines(data, 1, what)
    parts = line.split(" ")
    if len(parts) != 4 or parts[0] != PRINCIPAL or parts[1] != 'namespaces="%s"' % NAMESPACE:
        raise BadSignature("%s has been altered: it is not in the form Victim Log writes." % what)
    if parts[2] != SSH_KEY_TYPE.decode():
        raise BadSignature("%s holds a key type Victim Log does not use." % what)
    r = WireReader(_b64_canonical(parts[3], 51, what), what)
    if r.string() != SSH_KEY_TYPE:
        raise BadSignature("%s holds a key type Victim Log does not use." % what)
    raw = r.string()
    r.end()
    return _key(raw, what)


def minisign_verify(public, sig_file, message):
    """As ``minisign -V``: the file signature (prehashed ED or legacy Ed), then the
    trusted comment's global signature; plus the untrusted comment we always write."""
    what = MINISIG
    untrusted, sig_line, trusted, global_line = _lines(sig_file, 4, what)
    if not untrusted.startswith("untrusted comment: ") or not trusted.startswith(
        "trusted comment: "
    ):
        raise BadSignature("%s cannot be read: its comment lines are missing." % what)
    raw = _b64_canonical(sig_line, 74, what)
    algorithm, key_id, signature = raw[:2], raw[2:10], raw[10:]
    if algorithm not in (b"ED", b"Ed"):
        raise BadSignature("%s uses a signature type Victim Log does not know." % what)
    global_signature = _b64_canonical(global_line, 64, what)
    if key_id != minisign_key_id(public):
        raise BadSignature("%s was made with a different key from the bundle's public key." % what)
    signed = hashlib.blake2b(message, digest_size=64).digest() if algorithm == b"ED" else message
    if not ed25519_verify(public, signature, signed):
        raise BadSignature(
            "%s does not match %s: one of them was changed after export." % (what, TAGMANIFEST)
        )
    comment = trusted[len("trusted comment: "):].encode("utf-8")
    if not ed25519_verify(public, global_signature, signature + comment):
        raise BadSignature("%s: its trusted comment was changed after export." % what)
    if untrusted[len("untrusted comment: "):] != minisign_untrusted_comment(public):
        raise BadSignature("%s has been altered: its comment line was changed." % what)


class WireReader:
    """SSH wire format that refuses short or trailing data."""

    def __init__(self, data, what):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise BadSignature("%s cannot be read: it is cut short." % self.what)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def string(self):
        return self.take(self.u32())

    def end(self):
        if self.pos != len(self.data):
            raise BadSignature("%s has been altered: it has extra data." % self.what)


SSHSIG_BEGIN = "-----BEGIN SSH SIGNATURE-----"
SSHSIG_END = "-----END SSH SIGNATURE-----"
SSHSIG_HASHES = {b"sha512": hashlib.sha512, b"sha256": hashlib.sha256}


def _armor(blob):
    body = base64.b64encode(blob).decode()
    lines = [body[i:i + 70] for i in range(0, len(body), 70)]
    return ("\n".join([SSHSIG_BEGIN] + lines + [SSHSIG_END]) + "\n").encode()


def sshsig_verify(public, sig_file, message):
    """As ``ssh-keygen -Y verify -n victim-log`` for the one key in allowed_signers."""
    what = SSHSIG
    try:
        text = sig_file.decode("ascii")
    except UnicodeDecodeError:
        raise BadSignature("%s cannot be read: it is not an SSH signature." % what) from None
    lines = text.split("\n")
    if len(lines) < 4 or lines[0] != SSHSIG_BEGIN or lines[-2:] != [SSHSIG_END, ""]:
        raise BadSignature("%s cannot be read: it is not an SSH signature." % what)
    try:
        blob = base64.b64decode("".join(lines[1:-2]), validate=True)
    except (binascii.Error, ValueError):
        raise BadSignature("%s cannot be read: it is not valid base64." % what) from None
    if _armor(blob) != sig_file:
        raise BadSignature("%s has been altered: it is not in the form Victim Log writes." % what)
    r = WireReader(blob, what)
    if r.take(6) != b"SSHSIG" or r.u32() != 1:
        raise BadSignature("%s is not an SSH signature version Victim Log knows." % what)
    embedded_key = r.string()
    namespace = r.string()
    r.string()  # reserved: PROTOCOL.sshsig says to ignore it
    hash_name = r.string()
    inner = WireReader(r.string(), what)
    r.end()
    if embedded_key != ssh_key_blob(public):
        raise BadSignature("%s was made with a different key from the bundle's public key." % what)
    if namespace != NAMESPACE.encode():
        raise BadSignature("%s was made for another purpose (namespace), not Victim Log." % what)
    if hash_name not in SSHSIG_HASHES:
        raise BadSignature("%s uses a hash Victim Log does not know." % what)
    if inner.string() != SSH_KEY_TYPE:
        raise BadSignature("%s uses a signature type Victim Log does not know." % what)
    signature = inner.string()
    inner.end()
    signed = (
        b"SSHSIG"
        + ssh_string(NAMESPACE.encode())
        + ssh_string(b"")
        + ssh_string(hash_name)
        + ssh_string(SSHSIG_HASHES[hash_name](message).digest())
    )
    if not ed25519_verify(public, signature, signed):
        raise BadSignature(
            "%s does not match %s: one of them was changed after export." % (what, TAGMANIFEST)
        )


# --- the strict zip reader (FORMAT-14: the same rules, order and reasons as safezip) --------

SIG_LOCAL = b"PK\x03\x04"
SIG_CENTRAL = b"PK\x01\x02"
SIG_EOCD = b"PK\x05\x06"
SIG_ZIP64_EOCD = b"PK\x06\x06"
SIG_ZIP64_LOCATOR = b"PK\x06\x07"
SIG_DESCRIPTOR = b"PK\x07\x08"
ALL_SIGNATURES = (SIG_LOCAL, SIG_CENTRAL, SIG_EOCD, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR,
                  SIG_DESCRIPTOR, b"PK\x05\x05", b"PK\x06\x08")
STORED, DEFLATED = 0, 8
FLAG_ENCRYPTED = 0x0001
FLAG_DATA_DESCRIPTOR = 0x0008
FLAG_STRONG_ENCRYPTION = 0x0040
FLAG_UTF8 = 0x0800
FLAG_MASKED = 0x2000
FLAGS_DEFLATE_OPTIONS = 0x0006  # the compression level the writer used: informative only
FLAGS_KNOWN = FLAGS_DEFLATE_OPTIONS | FLAG_DATA_DESCRIPTOR | FLAG_UTF8
FLAGS_THAT_MATTER = 0xFFFF & ~FLAGS_DEFLATE_OPTIONS  # must be equal in both headers
EXTRA_ZIP64 = 0x0001
EXTRA_UNICODE_PATH = 0x7075
U16 = 0xFFFF
U32 = 0xFFFFFFFF
EOCD_SIZE, ZIP64_EOCD_SIZE, ZIP64_LOCATOR_SIZE, CENTRAL_SIZE, LOCAL_SIZE = 22, 56, 20, 46, 30
EOCD_SEARCH = EOCD_SIZE + 0xFFFF
CD_BYTES_PER_MEMBER = 4096
MAX_TOTAL_SIZE = 16 << 40
ALTERED = "(it may have been altered to fool zip tools), so it cannot be checked."


class UnsafeZip(Unusable):
    """A zip refused as unsafe, with the same named reason as the core's safezip."""

    def __init__(self, reason, message):
        Unusable.__init__(self, message)
        self.reason = reason


def damaged(message="This zip is cut short or damaged, so it cannot be checked."):
    return UnsafeZip("damaged", message)


def overlap():
    return UnsafeZip("overlap", "This zip is unsafe to open: its files overlap (a trick used by "
                                "zip bombs).")


class Member:
    __slots__ = ("index", "name", "raw_name", "method", "flags", "crc", "csize", "size",
                 "offset", "mode", "disk", "comment_len", "extra", "extras", "data_offset")

    def __init__(self, **fields):
        self.data_offset = -1
        for key, value in fields.items():
            setattr(self, key, value)

    @property
    def is_dir(self):
        return self.name.endswith("/")


def parse_extra(data):
    """Extra fields by tag; a field cut short or given twice is damage."""
    fields = {}
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise damaged()
        tag, size = struct.unpack_from("<HH", data, pos)
        pos += 4
        if pos + size > len(data) or tag in fields:
            raise damaged()
        fields[tag] = data[pos:pos + size]
        pos += size
    return fields


def zip64_values(extras, wanted):
    """8-byte values for the 32-bit fields that overflowed (APPNOTE 4.5.3 order); the
    field holds exactly those, plus at most a zero disk number."""
    data = extras.get(EXTRA_ZIP64)
    if data is None:
        if any(wanted):
            raise UnsafeZip("zip64-mismatch", "This zip has a damaged zip64 header.")
        return [None] * len(wanted)
    need = 8 * sum(1 for w in wanted if w)
    if len(data) not in (need, need + 4):
        raise UnsafeZip("zip64-mismatch", "This zip's zip64 header holds other values than its "
                                          "sizes say; zip tools could read it differently.")
    if len(data) == need + 4 and struct.unpack_from("<I", data, need)[0] != 0:
        raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log does not read.")
    out, pos = [], 0
    for w in wanted:
        if w:
            out.append(struct.unpack_from("<Q", data, pos)[0])
            pos += 8
        else:
            out.append(None)
    return out


def decode_name(raw, flags):
    """As zipfile reads it: UTF-8 with the flag, else ASCII; anything else is refused
    (tools guess differently at such names)."""
    try:
        return raw.decode("utf-8" if flags & FLAG_UTF8 else "ascii")
    except UnicodeDecodeError:
        return None


def check_unicode_path(extras, raw_name, name, who):
    """Info-ZIP's Unicode Path field gives some tools a second name: only the same one."""
    field = extras.get(EXTRA_UNICODE_PATH)
    if field is None:
        return
    ok = len(field) >= 5 and field[0] == 1
    if ok:
        try:
            ok = (struct.unpack_from("<I", field, 1)[0] == zlib.crc32(raw_name)
                  and field[5:].decode("utf-8") == name)
        except UnicodeDecodeError:
            ok = False
    if not ok:
        raise UnsafeZip("two-names", "This zip gives one of its files two different names (%s)."
                        % shown(who))


def check_no_signature(extra, who):
    """No zip record signature inside an extra field (zip64 values are blanked first:
    a size may hold any bytes)."""
    if b"PK" not in extra:
        return
    scan = bytearray(extra)
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag == EXTRA_ZIP64:
            scan[pos + 4:pos + 4 + size] = bytes(size)
        pos += 4 + size
    if any(sig in scan for sig in ALL_SIGNATURES):
        raise UnsafeZip("stray-signature", "This zip hides a zip record inside the header of %s %s"
                        % (shown(who), ALTERED))


def folder_clash(names):
    files = {n for n in names if not n.endswith("/")}
    for n in names:
        if n.endswith("/") and n[:-1] in files:
            return n[:-1]
        parts = n.rstrip("/").split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in files:
                return prefix
    return None


class StrictZip:
    """A zip whose whole structure passed the strict rules; positional reads, so two
    threads can hash at once."""

    def __init__(self, path):
        self.path = path
        self.label = shown(os.path.basename(path))
        self._lock = threading.Lock()
        try:
            self._fh = open(path, "rb", buffering=0)
        except FileNotFoundError:
            raise Unusable("There is no file called %s." % self.label) from None
        except OSError:
            raise Unusable("%s cannot be opened for reading." % self.label) from None
        try:
            st = os.fstat(self._fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise Unusable("%s is not an ordinary file." % self.label)
            self.size = st.st_size
            end = self._find_end()
            members = self._read_directory(end)
            self._check_layout(members, end)
            self._check_tail(members, end)
            self._cross_check(members)
            self.members = members
        except BaseException:
            self._fh.close()
            raise

    def close(self):
        self._fh.close()

    # -- reads --------------------------------------------------------------------------

    def pread(self, size, offset):
        if hasattr(os, "pread"):
            return os.pread(self._fh.fileno(), size, offset)
        with self._lock:
            self._fh.seek(offset)
            return self._fh.read(size)

    def preadinto(self, view, offset):
        if hasattr(os, "preadv"):
            return os.preadv(self._fh.fileno(), [view], offset)
        data = self.pread(len(view), offset)
        view[:len(data)] = data
        return len(data)

    def read_exact(self, size, offset):
        if size < 0 or offset < 0 or offset + size > self.size:
            raise damaged()
        data = self.pread(size, offset) if size else b""
        if len(data) != size:
            raise damaged()
        return data

    # -- 1. the end records -------------------------------------------------------------

    def _find_end(self):
        if self.size < EOCD_SIZE:
            raise UnsafeZip("not-a-zip", "%s is not a zip file." % self.label)
        tail_start = max(0, self.size - EOCD_SEARCH)
        tail = self.read_exact(self.size - tail_start, tail_start)
        pos = len(tail) - EOCD_SIZE
        if tail[pos:pos + 4] != SIG_EOCD or struct.unpack_from("<H", tail, pos + 20)[0] != 0:
            pos = tail.rfind(SIG_EOCD, 0, len(tail) - EOCD_SIZE + 4)
            while pos >= 0 and pos + EOCD_SIZE + struct.unpack_from("<H", tail, pos + 20)[0] != len(tail):
                pos = tail.rfind(SIG_EOCD, 0, pos)
            if pos < 0:
                if SIG_EOCD in tail:
                    raise UnsafeZip("trailing-data", "This zip has data after its end (it may have "
                                    "been altered or joined to another file), so it cannot be "
                                    "checked.")
                raise UnsafeZip("not-a-zip", "%s is not a zip file." % self.label)
            raise UnsafeZip("comment", "This zip carries a comment, which an export never has: it "
                            "can hide a second table of contents that other zip tools would "
                            "read. It cannot be checked.")
        eocd = tail_start + pos
        disk, cd_disk, n_disk, n_total, cd_size, cd_offset = struct.unpack_from(
            "<HHHHII", tail, pos + 4)
        cd_end = eocd
        loc_at = eocd - ZIP64_LOCATOR_SIZE
        if loc_at >= 0 and self.read_exact(4, loc_at) == SIG_ZIP64_LOCATOR:
            z_disk, z_offset, z_disks = struct.unpack_from(
                "<IQI", self.read_exact(ZIP64_LOCATOR_SIZE, loc_at), 4)
            if z_disk != 0 or z_disks != 1:
                raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log "
                                "does not read.")
            if z_offset != loc_at - ZIP64_EOCD_SIZE:
                raise UnsafeZip("zip64-mismatch", "This zip's zip64 end record is not where it "
                                "must be " + ALTERED)
            rec = self.read_exact(ZIP64_EOCD_SIZE, z_offset)
            if rec[:4] != SIG_ZIP64_EOCD:
                raise UnsafeZip("zip64-mismatch", "This zip has a damaged zip64 end record.")
            (rec_size, _made, _need, z_disk, z_cd_disk, z_n_disk, z_n_total, z_cd_size,
             z_cd_offset) = struct.unpack_from("<QHHIIQQQQ", rec, 4)
            classic = ((n_disk, z_n_disk, U16), (n_total, z_n_total, U16),
                       (cd_size, z_cd_size, U32), (cd_offset, z_cd_offset, U32),
                       (disk, z_disk, U16), (cd_disk, z_cd_disk, U16))
            if rec_size != ZIP64_EOCD_SIZE - 12 or any(c not in (z, cap) for c, z, cap in classic):
                raise UnsafeZip("zip64-mismatch", "This zip's two end records (classic and zip64) "
                                "disagree " + ALTERED)
            disk, cd_disk, n_disk, n_total = z_disk, z_cd_disk, z_n_disk, z_n_total
            cd_size, cd_offset = z_cd_size, z_cd_offset
            cd_end = z_offset
        if disk != 0 or cd_disk != 0 or n_disk != n_total:
            raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log does "
                            "not read.")
        return {"offset": eocd, "entries": n_total, "cd_offset": cd_offset, "cd_size": cd_size,
                "cd_end": cd_end}

    # -- 2. the table of contents -------------------------------------------------------

    def _read_directory(self, end):
        n_total, cd_size, cd_offset = end["entries"], end["cd_size"], end["cd_offset"]
        if n_total > MAX_MEMBERS:
            raise UnsafeZip("too-many-members", "This zip holds too many files (%d; at most %d)."
                            % (n_total, MAX_MEMBERS))
        if cd_size > (n_total + 1) * CD_BYTES_PER_MEMBER or cd_size < CENTRAL_SIZE * n_total:
            raise UnsafeZip("directory-too-large", "This zip's table of contents is damaged or "
                            "implausibly large.")
        if cd_offset + cd_size < end["cd_end"]:
            raise UnsafeZip("directory-gap", "This zip has hidden data after its table of "
                            "contents " + ALTERED)
        if cd_offset + cd_size > end["cd_end"]:
            raise damaged()
        cd = self.read_exact(cd_size, cd_offset)
        members, seen, normal, folded = [], set(), set(), set()
        total = 0
        pos = 0
        for index in range(1, n_total + 1):
            m, pos = self._central_entry(cd, pos, index)
            self._check_entry(m)
            nfc = unicodedata.normalize("NFC", m.name)
            key = nfc.casefold()
            if m.name in seen:
                raise UnsafeZip("duplicate-name", "This zip holds the same file twice (%s)."
                                % shown(m.name))
            if nfc in normal:
                raise UnsafeZip("normalisation-duplicate", "This zip holds two files whose names "
                                "differ only in how accents are encoded (%s); they are one file "
                                "on a Mac." % shown(m.name))
            if key in folded:
                raise UnsafeZip("case-duplicate", "This zip holds two files whose names differ "
                                "only in upper and lower case (%s); they are one file on Windows "
                                "and Mac." % shown(m.name))
            seen.add(m.name)
            normal.add(nfc)
            folded.add(key)
            total += m.size
            if total > MAX_TOTAL_SIZE:
                raise UnsafeZip("total-too-large", "This zip would unpack to more than we allow.")
            members.append(m)
        if pos != len(cd):
            raise damaged("This zip's table of contents is damaged, so it cannot be checked.")
        clash = folder_clash([m.name for m in members])
        if clash is not None:
            raise UnsafeZip("file-folder-clash", "This zip uses %s both as a file and as a folder."
                            % shown(clash))
        return members

    def _central_entry(self, cd, pos, index):
        broken = "This zip's table of contents is damaged, so it cannot be checked."
        if pos + CENTRAL_SIZE > len(cd) or cd[pos:pos + 4] != SIG_CENTRAL:
            raise damaged(broken)
        (_made, _need, flags, method, _time, _date, crc, csize, usize, n_len, e_len, c_len,
         disk, _internal, external, offset) = struct.unpack_from("<HHHHHHIIIHHHHHII", cd, pos + 4)
        length = CENTRAL_SIZE + n_len + e_len + c_len
        if pos + length > len(cd):
            raise damaged(broken)
        raw_name = cd[pos + CENTRAL_SIZE:pos + CENTRAL_SIZE + n_len]
        extra = cd[pos + CENTRAL_SIZE + n_len:pos + CENTRAL_SIZE + n_len + e_len]
        extras = parse_extra(extra)
        usize_x, csize_x, offset_x = zip64_values(extras, [usize == U32, csize == U32,
                                                           offset == U32])
        m = Member(index=index, name=None, raw_name=raw_name, method=method, flags=flags,
                   crc=crc, csize=csize if csize_x is None else csize_x,
                   size=usize if usize_x is None else usize_x,
                   offset=offset if offset_x is None else offset_x, mode=external >> 16,
                   disk=disk, comment_len=c_len, extra=extra, extras=extras)
        return m, pos + length

    def _check_entry(self, m):
        name = decode_name(m.raw_name, m.flags)
        if name is None:
            raise UnsafeZip("name-encoding", "This zip has a file name that zip tools read "
                            "differently (member %d)." % m.index)
        reason = unsafe_name_reason(name)
        if reason:
            raise UnsafeZip("unsafe-name", "This zip is unsafe to open: member %d has %s."
                            % (m.index, reason))
        m.name = name
        who = shown(name)
        check_unicode_path(m.extras, m.raw_name, name, name)
        if m.comment_len:
            raise UnsafeZip("entry-comment", "This zip has a comment on %s, which an export never "
                            "has." % who)
        if m.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED):
            raise UnsafeZip("encrypted", "This zip is password-protected (%s); Victim Log reads "
                            "none." % who)
        if m.flags & ~FLAGS_KNOWN:
            raise UnsafeZip("unsupported-feature", "This zip uses a zip feature Victim Log does not "
                            "read (%s)." % who)
        if m.method not in (STORED, DEFLATED):
            raise UnsafeZip("compression-method", "This zip uses a compression method Victim Log "
                            "does not read (%s)." % who)
        if m.flags & FLAG_DATA_DESCRIPTOR:
            raise UnsafeZip("data-descriptor", "This zip was written in streaming mode (%s), which "
                            "an export never is, so it cannot be checked." % who)
        if m.mode and stat.S_IFMT(m.mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UnsafeZip("symlink", "This zip is unsafe to open: %s is a link or special file."
                            % who)
        if m.disk not in (0, U16):
            raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log does "
                            "not read.")
        if m.method == STORED and m.csize != m.size:
            raise UnsafeZip("impossible-size", "This zip declares an impossible size for %s." % who)
        if m.size > MAX_MEMBER_SIZE:
            raise UnsafeZip("member-too-large", "A file inside this zip is too large (%s)." % who)
        if m.method == DEFLATED and m.size >= RATIO_FLOOR and m.size > MAX_RATIO * max(m.csize, 1):
            raise UnsafeZip("zip-bomb", "This zip is unsafe to open: %s would expand to an absurd "
                            "size (a zip bomb)." % who)
        if name.endswith("/") and m.size != 0:
            raise UnsafeZip("folder-with-data", "This zip's folder %s holds data; it is damaged."
                            % who)

    # -- 3. local headers and the tiling ------------------------------------------------

    def _check_layout(self, members, end):
        """Members tile the file exactly from byte 0 to the table of contents."""
        cd_offset = end["cd_offset"]
        expected = 0
        for m in sorted(members, key=lambda m: m.offset):
            if m.offset < expected:
                raise overlap()
            if m.offset > expected:
                if expected == 0:
                    raise UnsafeZip("prefix-data", "This zip has hidden data before its first "
                                    "file " + ALTERED)
                raise UnsafeZip("member-gap", "This zip has hidden data between its files " + ALTERED)
            expected = self._check_local(m, cd_offset)
        if expected != cd_offset:
            if expected > cd_offset:
                raise overlap()
            reason = "prefix-data" if expected == 0 else "directory-gap-before"
            raise UnsafeZip(reason, "This zip has hidden data before its table of contents " + ALTERED)

    def _check_local(self, m, cd_offset):
        """Check the local header against the entry; return where the next record starts."""
        if m.offset + LOCAL_SIZE > cd_offset:
            raise overlap()
        head = self.read_exact(LOCAL_SIZE, m.offset)
        if head[:4] != SIG_LOCAL:
            raise damaged("This zip's table of contents points at the wrong place; it is damaged.")
        _need, flags, method, _t, _d, crc, csize, usize, n_len, e_len = struct.unpack_from(
            "<HHHHHIIIHH", head, 4)
        if m.offset + LOCAL_SIZE + n_len + e_len > cd_offset:
            raise overlap()
        rest = self.read_exact(n_len + e_len, m.offset + LOCAL_SIZE)
        raw_name, extra = rest[:n_len], rest[n_len:]
        extras = parse_extra(extra)
        if usize == U32 or csize == U32:
            usize_x, csize_x = zip64_values(extras, [usize == U32, csize == U32])
            usize = usize if usize_x is None else usize_x
            csize = csize if csize_x is None else csize_x
        mismatch = UnsafeZip("local-central-mismatch", "This zip is unsafe to open: the two "
                             "records of %s disagree (it may have been altered to fool zip "
                             "tools)." % shown(m.name))
        if raw_name != m.raw_name or method != m.method or (flags ^ m.flags) & FLAGS_THAT_MATTER:
            raise mismatch
        check_unicode_path(extras, raw_name, m.name, m.name)
        if (crc, csize, usize) != (m.crc, m.csize, m.size):
            raise mismatch
        for field in (extra, m.extra):
            check_no_signature(field, m.name)
        m.data_offset = m.offset + LOCAL_SIZE + n_len + e_len
        data_end = m.data_offset + m.csize
        if data_end > cd_offset:
            raise overlap()
        return data_end

    # -- 4. the tail ----------------------------------------------------------------------

    def _check_tail(self, members, end):
        """No end-record signature in the last 65,557 bytes but ours, except inside
        member data (evidence may itself be a zip)."""
        tail_start = max(0, self.size - EOCD_SEARCH)
        tail = self.read_exact(self.size - tail_start, tail_start)
        spans = [(m.data_offset, m.data_offset + m.csize) for m in members if m.csize]
        pos = tail.find(SIG_EOCD)
        while pos >= 0:
            at = tail_start + pos
            if at != end["offset"] and not any(s <= at and at + 4 <= e for s, e in spans):
                raise UnsafeZip("second-eocd", "This zip holds a second end-of-archive record, "
                                "which other zip tools could read as a different archive, so it "
                                "cannot be checked.")
            pos = tail.find(SIG_EOCD, pos + 1)

    def _cross_check(self, members):
        """Python's zipfile must list the same files at the same places."""
        ours = [(m.name, m.offset, m.csize, m.size, m.crc) for m in members]
        try:
            with zipfile.ZipFile(self.path) as zf:
                theirs = [(i.filename, i.header_offset, i.compress_size, i.file_size, i.CRC)
                          for i in zf.infolist()]
        except Exception:  # any failure of another reader is a disagreement
            theirs = None
        if theirs != ours:
            raise UnsafeZip("zipfile-disagrees", "Other zip tools would read a different list of "
                            "files from this zip than Victim Log does (it may have been altered "
                            "to fool zip tools), so it cannot be checked.")

    # -- member content -----------------------------------------------------------------

    def _raw_chunks(self, m):
        offset, remaining = m.data_offset, m.csize
        while remaining:
            data = self.pread(min(CHUNK, remaining), offset)
            if not data:
                raise Damaged("%s is cut short." % shown(m.name))
            offset += len(data)
            remaining -= len(data)
            yield data

    def chunks(self, m):
        """Content in chunks; the deflate stream, the CRC and the size are checked."""
        produced, crc = 0, 0
        if m.method == STORED:
            for data in self._raw_chunks(m):
                crc = zlib.crc32(data, crc)
                produced += len(data)
                yield data
        else:
            inflater = zlib.decompressobj(-15)
            try:
                for raw in self._raw_chunks(m):
                    data = inflater.decompress(raw, CHUNK)
                    while True:
                        produced += len(data)
                        if produced > m.size:
                            raise Damaged("%s is damaged: it is longer than declared."
                                          % shown(m.name))
                        crc = zlib.crc32(data, crc)
                        if data:
                            yield data
                        if not inflater.unconsumed_tail:
                            break
                        data = inflater.decompress(inflater.unconsumed_tail, CHUNK)
                if not inflater.eof or inflater.unused_data:
                    raise zlib.error("truncated or trailing data")
            except zlib.error:
                raise Damaged("%s is damaged and cannot be read." % shown(m.name)) from None
        if produced != m.size or crc != m.crc:
            raise Damaged("%s is damaged and cannot be read." % shown(m.name))

    def sha256(self, m, buf):
        """SHA-256 of a member. Stored ones: positional reads into ``buf``, no CRC (the
        SHA-256 is the check), so two threads hash at disk speed."""
        h = hashlib.sha256()
        if m.method != STORED:
            for data in self.chunks(m):
                h.update(data)
            return h.hexdigest()
        offset, remaining = m.data_offset, m.size
        view = memoryview(buf)
        while remaining:
            part = view[:min(len(buf), remaining)]
            n = self.preadinto(part, offset)
            if not n:
                raise Damaged("%s is cut short." % shown(m.name))
            h.update(part[:n])
            offset += n
            remaining -= n
        return h.hexdigest()


# --- two sources of bag files: a zip, or an unzipped folder -------------------------------


class ZipSource:
    """Bag-relative names -> members of a strict zip holding exactly one bag."""

    def __init__(self, path):
        self.zip = StrictZip(path)
        self.label = self.zip.label
        markers = (BAGIT_TXT, BAG_INFO_TXT, MANIFEST, TAGMANIFEST)
        roots = set()
        for m in self.zip.members:
            folder, _, base = m.name.rpartition("/")
            if base in markers and "/" not in folder:
                roots.add(folder + "/" if folder else "")
        if not roots:
            self.zip.close()
            raise Unusable(
                "%s is a zip file, but not an export bundle (it has no %s)." % (self.label, BAGIT_TXT)
            )
        if len(roots) > 1:
            self.zip.close()
            raise Unusable("%s holds more than one bundle; check each one separately." % self.label)
        self.root = roots.pop()
        self.bag_name = self.root.rstrip("/") or os.path.splitext(os.path.basename(path))[0]
        self.files, self.outside, self.links = {}, [], []
        for m in self.zip.members:
            if m.is_dir:
                continue
            if m.name.startswith(self.root):
                self.files[m.name[len(self.root):]] = m
            else:
                self.outside.append(m.name)

    def close(self):
        self.zip.close()

    def size(self, rel):
        return self.files[rel].size

    def read(self, rel, limit):
        m = self.files[rel]
        if m.size > limit:
            raise Damaged("%s is too large to be what it claims." % shown(rel))
        return b"".join(self.zip.chunks(m))

    def chunks(self, rel):
        return self.zip.chunks(self.files[rel])

    def sha256(self, rel, buf):
        return self.zip.sha256(self.files[rel], buf)


class FolderSource:
    """An unzipped bundle: every regular file below the folder is part of the bag."""

    def __init__(self, path):
        if not any(os.path.isfile(os.path.join(path, n)) for n in (BAGIT_TXT, BAG_INFO_TXT,
                                                                    MANIFEST, TAGMANIFEST)):
            raise Unusable("%s is not an unzipped bundle folder (no %s)." % (shown(path), BAGIT_TXT))
        self.label = shown(os.path.basename(os.path.abspath(path)))
        self.bag_name = self.label
        self.files, self.outside, self.links = {}, [], []
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            rel_dir = os.path.relpath(dirpath, path).replace(os.sep, "/")
            prefix = "" if rel_dir == "." else rel_dir + "/"
            for name in dirnames:
                if os.path.islink(os.path.join(dirpath, name)):
                    self.links.append(prefix + name)
            for name in filenames:
                full = os.path.join(dirpath, name)
                if os.path.islink(full) or not os.path.isfile(full):
                    self.links.append(prefix + name)
                else:
                    self.files[prefix + name] = full

    def close(self):
        pass

    def size(self, rel):
        return os.path.getsize(self.files[rel])

    def read(self, rel, limit):
        with open(self.files[rel], "rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise Damaged("%s is too large to be what it claims." % shown(rel))
        return data

    def chunks(self, rel):
        with open(self.files[rel], "rb") as fh:
            while True:
                data = fh.read(CHUNK)
                if not data:
                    return
                yield data

    def sha256(self, rel, buf):
        h = hashlib.sha256()
        view = memoryview(buf)
        with open(self.files[rel], "rb", buffering=0) as fh:
            while True:
                n = fh.readinto(view)
                if not n:
                    return h.hexdigest()
                h.update(view[:n])


def open_source(target):
    if os.path.isdir(target):
        return FolderSource(target)
    return ZipSource(target)


# --- tag files -------------------------------------------------------------------------


def text_lines(data):
    """Tag files are UTF-8 (no BOM) with LF, CR or CRLF line ends (RFC 8493 2.1)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        return None
    lines = LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse_bag_info(data):
    """``Label: value`` lines with continuation lines; None when malformed."""
    lines = text_lines(data)
    if lines is None:
        return None
    fields = []
    for line in lines:
        if line[:1] in (" ", "\t") and fields:
            label, value = fields[-1]
            fields[-1] = (label, "%s %s" % (value, line.strip()))
            continue
        label, colon, value = line.partition(":")
        if not colon or not label or label != label.strip():
            return None
        fields.append((label, value.strip()))
    return fields


def decode_manifest_path(encoded):
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), encoded)


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Problem:
    __slots__ = ("file", "kind", "message")

    def __init__(self, file, kind, message):
        self.file, self.kind, self.message = shown(file), kind, safe_line(message)

    def to_json(self):
        return {"file": self.file, "kind": self.kind, "message": self.message}


class Result:
    def __init__(self, label, bag_name, problems, key, journal_head, anchor_hash):
        self.label = label
        self.bag_name = bag_name
        self.problems = problems
        self.key = key
        self.journal_head = journal_head
        self.anchor_hash = anchor_hash
        self.journal_format = None

    @property
    def valid(self):
        return not self.problems


# --- the check -------------------------------------------------------------------------


_buffers = threading.local()  # one reused read buffer per hashing thread


class Checker:
    """One run over one bundle, in the order of victim_log/verify.py."""

    def __init__(self, source, expect_key=None, anchor_seq=None):
        self.src = source
        self.expect_key = expect_key
        self.anchor_seq = anchor_seq
        self.anchor_hash = None
        self.problems = []
        self.payload = {r: r for r in source.files if r.startswith(PAYLOAD_DIR)}
        self.tags = {r: r for r in source.files if not r.startswith(PAYLOAD_DIR)}
        self.payload_ok = {}
        for name in source.outside:
            self.add(name, ADDED, "%s was added after export (outside the bundle folder)."
                     % shown(name))
        for name in source.links:
            self.add(name, ADDED, "%s is a link or special file, not a bundle file." % shown(name))

    def add(self, file, kind, message):
        self.problems.append(Problem(file, kind, message))

    def read_tag(self, name):
        if name not in self.tags:
            self.add(name, MISSING, "%s is missing from the bundle." % name)
            return None
        try:
            return self.src.read(name, MAX_TAG_FILE)
        except Damaged as exc:
            self.add(name, DAMAGED, str(exc))
        except OSError:
            self.add(name, DAMAGED, "%s cannot be read from the disk." % name)
        return None

    def hash_one(self, rel):
        buf = getattr(_buffers, "buf", None)
        if buf is None:
            buf = _buffers.buf = bytearray(CHUNK)
        try:
            return self.src.sha256(rel, buf)
        except Damaged as exc:
            return exc
        except OSError:
            return Damaged("%s cannot be read from the disk." % shown(rel))

    def hash_all(self, names):
        """Biggest first on two threads: hashlib releases the GIL while it hashes."""
        ordered = sorted(names, key=lambda r: -self.src.size(r))
        if len(ordered) < 2:
            return {r: self.hash_one(r) for r in ordered}
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [(r, pool.submit(self.hash_one, r)) for r in ordered]
            return {r: f.result() for r, f in futures}

    def parse_manifest(self, data, name):
        entries = {}
        lines = text_lines(data)
        if lines is None:
            self.add(name, MALFORMED, "%s cannot be read: it is not UTF-8 text." % name)
            return entries
        for number, line in enumerate(lines, 1):
            m = MANIFEST_LINE.match(line)
            if not m:
                self.add(name, MALFORMED, "%s line %d is not a checksum line." % (name, number))
                continue
            path = decode_manifest_path(m.group(2))
            if unsafe_name_reason(path) or path.endswith("/"):
                self.add(name, MALFORMED, "%s line %d names an unsafe path." % (name, number))
            elif path in entries:
                self.add(name, MALFORMED, "%s lists %s twice (line %d)." % (name, shown(path), number))
            else:
                entries[path] = m.group(1).lower()
        return entries

    # -- steps --------------------------------------------------------------------------

    def check_bagit_txt(self):
        data = self.read_tag(BAGIT_TXT)
        if data is None:
            return
        info = parse_bag_info(data)
        fields = dict(info or [])
        if (info is None or len(info) != 2
                or fields.get("BagIt-Version") not in ("1.0", "0.97")
                or fields.get("Tag-File-Character-Encoding", "").upper() != "UTF-8"):
            self.add(BAGIT_TXT, MALFORMED, "%s is not a valid BagIt declaration." % BAGIT_TXT)

    def read_bag_info(self):
        data = self.read_tag(BAG_INFO_TXT)
        if data is None:
            return []
        info = parse_bag_info(data)
        if info is None:
            self.add(BAG_INFO_TXT, MALFORMED, "%s cannot be read: it is malformed." % BAG_INFO_TXT)
            return []
        return info

    def values(self, info, label):
        return [v for k, v in info if k.casefold() == label.casefold()]

    def check_single_labels(self, info):
        """A label that decides something appears once: readers taking the first and
        readers taking the last would otherwise see different bundles."""
        for label in SINGLE_LABELS:
            count = len(self.values(info, label))
            if count > 1:
                self.add(BAG_INFO_TXT, MALFORMED, "%s has %d %s lines; a bundle has one."
                         % (BAG_INFO_TXT, count, label))

    def check_oxum(self, info):
        declared = self.values(info, "Payload-Oxum")
        count = len(self.payload)
        octets = sum(self.src.size(r) for r in self.payload)
        m = OXUM.match(declared[-1]) if declared else None
        if m is None:
            self.add(BAG_INFO_TXT, MALFORMED, "%s has no valid Payload-Oxum." % BAG_INFO_TXT)
        elif (int(m.group(1)), int(m.group(2))) != (octets, count):
            self.add(BAG_INFO_TXT, MISMATCH,
                     "%s says the payload is %s (%s bytes), but the bundle holds %s (%d bytes)."
                     % (BAG_INFO_TXT, plural(int(m.group(2)), "file"), m.group(1),
                        plural(count, "file"), octets))

    def check_tag_files(self):
        changed = set()
        data = self.read_tag(TAGMANIFEST)
        if data is None:
            return None, changed
        listed = self.parse_manifest(data, TAGMANIFEST)
        for name in REQUIRED_LISTED:
            if name not in listed:
                self.add(name, MISSING, "%s does not list %s." % (TAGMANIFEST, name))
        for name, expected in listed.items():
            if name.startswith(PAYLOAD_DIR):
                self.add(TAGMANIFEST, MALFORMED, "%s lists a payload file." % TAGMANIFEST)
            elif name not in self.tags:
                self.add(name, MISSING, "%s is missing (it was in the export)." % shown(name))
            else:
                result = self.hash_one(name)
                if isinstance(result, Damaged):
                    self.add(name, DAMAGED, str(result))
                    changed.add(name)
                elif result != expected:
                    self.add(name, CHANGED, "%s has changed since export." % shown(name))
                    changed.add(name)
        for name in sorted(self.tags):
            if name not in listed and name != TAGMANIFEST and name not in SIG_FILES:
                self.add(name, ADDED, "%s was added after export." % shown(name))
        if FETCH_TXT in self.tags:
            self.add(FETCH_TXT, MALFORMED, "%s: a bundle must hold all its files." % FETCH_TXT)
        return data, changed

    def parse_key(self, name, data, parse):
        if data is None:
            return None
        try:
            return parse(data)
        except BadSignature as exc:
            self.add(name, SIGNATURE, str(exc))
            return None

    def check_signature(self, tagmanifest):
        """Both signatures must verify with the same key; returns it, else None."""
        if not any(n in self.tags for n in KEY_FILES + SIG_FILES):
            self.add(MINISIG, MISSING, "The bundle is not signed: the signature files are missing.")
            return None
        before = len(self.problems)
        pub_m, allowed, minisig, sshsig = (self.read_tag(n) for n in KEY_FILES + SIG_FILES)
        key_m = self.parse_key(MINISIGN_PUB, pub_m, parse_minisign_pub)
        key_s = self.parse_key(ALLOWED_SIGNERS, allowed, parse_allowed_signers)
        if key_m and key_s and key_m != key_s:
            self.add(ALLOWED_SIGNERS, SIGNATURE,
                     "%s and %s name different keys." % (ALLOWED_SIGNERS, MINISIGN_PUB))
        if tagmanifest is not None and key_m and minisig is not None:
            try:
                minisign_verify(key_m, minisig, tagmanifest)
            except BadSignature as exc:
                self.add(MINISIG, SIGNATURE, str(exc))
        if tagmanifest is not None and key_s and sshsig is not None:
            try:
                sshsig_verify(key_s, sshsig, tagmanifest)
            except BadSignature as exc:
                self.add(SSHSIG, SIGNATURE, str(exc))
        if len(self.problems) != before or tagmanifest is None:
            return None
        return key_m

    def check_declared_key(self, info, key):
        """The key that signed must be the one the bundle names (README.txt and the PDF
        show that one): a bundle re-signed with another key is not the one exported."""
        declared = self.values(info, "Signing-Key-Fingerprint")
        if declared and declared[-1].strip() != fingerprint(key):
            self.add(BAG_INFO_TXT, SIGNATURE,
                     "The bundle was signed by key %s, but %s (and so README.txt and the PDF) "
                     "names key %s: it was re-signed by someone else."
                     % (fingerprint(key), BAG_INFO_TXT, shown(declared[-1], 80)))

    def check_expected_key(self, key):
        if self.expect_key is not None and not key_matches(self.expect_key, key):
            self.add(MINISIGN_PUB, SIGNATURE,
                     "The bundle is signed by key %s (%s), not by the key you expected (%s)."
                     % (fingerprint(key), short_fingerprint(key), self.expect_key))

    def check_payload(self, manifest_changed):
        data = self.read_tag(MANIFEST)
        if data is None:
            return
        listed = self.parse_manifest(data, MANIFEST)
        for path in listed:
            if not path.startswith(PAYLOAD_DIR):
                self.add(MANIFEST, MALFORMED, "%s lists a file outside data/." % MANIFEST)
        results = self.hash_all([r for r in self.payload if r in listed])
        for path, expected in listed.items():
            if not path.startswith(PAYLOAD_DIR):
                continue
            result = results.get(path)
            if result is None:
                self.add(path, MISSING, "%s is missing (it was in the export)." % shown(path))
            elif isinstance(result, Damaged):
                self.add(path, DAMAGED, str(result))
            elif result != expected:
                self.add(path, CHANGED,
                         "%s does not match %s, which has itself been changed." % (shown(path), MANIFEST)
                         if manifest_changed else "%s has changed since export." % shown(path))
            else:
                self.payload_ok[path] = True
        for rel in sorted(self.payload):
            if rel not in listed:
                self.add(rel, ADDED, "%s was added after export." % shown(rel))

    # -- the journal (FORMAT-14, as victim_log/export/journal_check.py) ------------------

    FULL_KEYS = frozenset(("action", "at", "body_sha256", "detail", "hash", "id", "kind",
                           "prev", "seq", "version"))
    STUB_KEYS = frozenset(("hash", "prev", "seq", "withheld"))

    def journal_problem(self, message, file=JOURNAL):
        self.add(file, JOURNAL_KIND, message)

    def journal_lines(self):
        """(line number, bytes without the newline); None for a line too long to be an
        entry; a last line without its newline gets a NUL, so it is never canonical."""
        pending = b""
        number = 0
        for data in self.src.chunks(JOURNAL):
            pending += data
            start = 0
            while True:
                end = pending.find(b"\n", start)
                if end < 0:
                    break
                number += 1
                yield number, (pending[start:end] if end - start <= MAX_JOURNAL_LINE else None)
                start = end + 1
            pending = pending[start:]
            if len(pending) > MAX_JOURNAL_LINE:
                yield number + 1, None
                return
        if pending:
            yield number + 1, pending + b"\x00"

    def parse_entry(self, raw):
        """The line's object when it is canonical JSON of an entry with our field types."""
        if raw is None:
            return None
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        try:
            # A lone surrogate ("\\ud800", valid JSON) cannot be written back as UTF-8.
            if not isinstance(obj, dict) or canonical_json(obj) != raw:
                return None
        except UnicodeEncodeError:
            return None
        seq = obj.get("seq")
        if type(seq) is not int or seq < 1:
            return None
        for k in ("hash", "prev"):
            if not isinstance(obj.get(k), str) or not HEX64.match(obj[k]):
                return None
        keys = frozenset(obj)
        if keys == self.STUB_KEYS:
            return obj if obj["withheld"] is True else None
        if keys != self.FULL_KEYS:
            return None
        if type(obj["id"]) is not int or type(obj["version"]) is not int:
            return None
        if not all(isinstance(obj[k], str) for k in ("action", "at", "body_sha256", "kind")):
            return None
        return obj if isinstance(obj["detail"], dict) else None

    @staticmethod
    def entry_hash(obj):
        return hashlib.sha256(canonical_json({k: v for k, v in obj.items() if k != "hash"})).hexdigest()

    def check_journal(self, info):
        """Returns the signed head (seq, hash) when the chain holds up to it, else None."""
        heads = self.values(info, "Journal-Head")
        if len(heads) > 1 or any(p.file == JOURNAL for p in self.problems):
            return None  # already reported (two heads; the journal changed, missing, damaged)
        present = JOURNAL in self.payload
        try:
            if not heads:
                if present:
                    self.check_legacy_journal()
                return None
            m = JOURNAL_HEAD.match(heads[0].strip())
            if m is None:
                self.journal_problem("%s has a malformed Journal-Head (it must be a number and a "
                                     "64-digit SHA-256)." % BAG_INFO_TXT, BAG_INFO_TXT)
                return None
            if not present:
                self.journal_problem("%s declares a journal head, but the bundle has no %s."
                                     % (BAG_INFO_TXT, JOURNAL), BAG_INFO_TXT)
                return None
            head = (int(m.group(1)), m.group(2))
            return head if self.check_chain(head) else None
        except Damaged as exc:
            self.add(JOURNAL, DAMAGED, str(exc))
        except OSError:
            self.add(JOURNAL, DAMAGED, "%s cannot be read from the disk." % JOURNAL)
        return None

    def check_legacy_journal(self):
        """Before Journal-Head: the exported records' entries only, each on its own."""
        for number, raw in self.journal_lines():
            entry = self.parse_entry(raw)
            if entry is None or entry.get("withheld"):
                self.journal_problem("%s line %d is not a journal entry." % (JOURNAL, number))
                return
            if self.entry_hash(entry) != entry["hash"]:
                self.journal_problem("%s: entry %d (line %d) was changed after it was recorded "
                                     "(its hash does not match its contents)."
                                     % (JOURNAL, entry["seq"], number))
                return

    def check_chain(self, head):
        """The whole chain 1..N: each line canonical, stubs taken as given, full entries
        hashing to their hash, each prev the hash before it, ending at the signed head.
        Stops at the first break (later entries cannot be placed)."""
        head_seq, head_hash = head
        prev, entries = GENESIS, 0
        for number, raw in self.journal_lines():
            entry = self.parse_entry(raw)
            expected = entries + 1
            if entry is None:
                self.journal_problem("%s line %d is not a journal entry in the exported form (the "
                                     "history breaks at entry %d)." % (JOURNAL, number, expected))
                return False
            if entry["seq"] != expected:
                self.journal_problem("%s: entry %d is missing or out of order (line %d holds entry "
                                     "%d)." % (JOURNAL, expected, number, entry["seq"]))
                return False
            if entry["prev"] != prev:
                self.journal_problem("%s: the history breaks at entry %d: %s" % (
                    JOURNAL, expected, "it does not follow the entry before it." if expected > 1
                    else "it does not start the history (something before it was cut off)."))
                return False
            if not entry.get("withheld") and self.entry_hash(entry) != entry["hash"]:
                self.journal_problem("%s: entry %d was changed after it was recorded (its hash "
                                     "does not match its contents)." % (JOURNAL, expected))
                return False
            prev = entry["hash"]
            entries += 1
            if entries == self.anchor_seq:
                self.anchor_hash = prev
        if (entries, prev) != (head_seq, head_hash):
            if entries < head_seq:
                where = "it ends at entry %d, but the signed head is entry %d" % (entries, head_seq)
            elif entries > head_seq:
                where = "it runs to entry %d, past the signed head (entry %d)" % (entries, head_seq)
            else:
                where = "its last entry (%d) is not the one the signed head names" % head_seq
            self.journal_problem("%s does not reach the journal head in %s: %s."
                                 % (JOURNAL, BAG_INFO_TXT, where))
            return False
        return True

    def run(self):
        self.check_bagit_txt()
        info = self.read_bag_info()
        self.check_single_labels(info)
        self.check_oxum(info)
        tagmanifest, changed = self.check_tag_files()
        key = self.check_signature(tagmanifest)
        if key is not None:
            self.check_declared_key(info, key)
            self.check_expected_key(key)
        self.check_payload(MANIFEST in changed)
        heads = self.values(info, "Journal-Head")
        head = self.check_journal(info)
        if head is None and len(heads) == 1 and JOURNAL_HEAD.match(heads[0].strip()):
            m = JOURNAL_HEAD.match(heads[0].strip())
            head = (int(m.group(1)), m.group(2))  # declared, even if the chain failed
        result = Result(self.src.label, self.src.bag_name, self.problems, key, head,
                        self.anchor_hash)
        result.journal_format = ("chained" if heads else "legacy" if JOURNAL in self.payload
                                 else None)
        return result


def check(target, expect_key=None, anchor_seq=None):
    source = open_source(target)
    try:
        return Checker(source, expect_key, anchor_seq).run()
    finally:
        source.close()


# --- output ------------------------------------------------------------------------------


def safe_line(text):
    """Whole printed lines are neutralised too: no control or bidi character reaches the
    terminal, whatever a message embeds."""
    return "".join("?" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c
                   for c in text)


def key_text(key):
    return "%s (read-out form %s)" % (fingerprint(key), short_fingerprint(key))


def since_problems(old, new):
    """--since: the newer export's history must extend the older one's (as the core's
    victim_log/lineage.py decides)."""
    if not old.valid or not new.valid:
        which = [n for n, r in (("older", old), ("newer", new)) if not r.valid]
        return [Problem(BAG_INFO_TXT, HISTORY,
                        "The %s export %s not valid (see above), so the history cannot be "
                        "compared." % (" and the ".join(which), "is" if len(which) == 1 else "are"))]
    if old.key != new.key:
        return [Problem(BAG_INFO_TXT, HISTORY,
                        "The two exports were signed by different keys (%s and %s): they do not "
                        "come from the same vault, or one was re-signed by someone else."
                        % (fingerprint(old.key), fingerprint(new.key)))]
    if old.journal_head is None or new.journal_head is None:
        missing = [n for n, h in (("older", old.journal_head), ("newer", new.journal_head))
                   if h is None]
        return [Problem(BAG_INFO_TXT, HISTORY,
                        "The %s export %s no journal head (made by an earlier Victim Log), so it "
                        "cannot be shown that the newer export's history extends the older one."
                        % (" and the ".join(missing), "has" if len(missing) == 1 else "have"))]
    seq, expected = old.journal_head
    if new.anchor_hash == expected:
        return []
    where = ("is not in the newer export" if seq > new.journal_head[0]
             else "is different in the newer export")
    return [Problem(JOURNAL, HISTORY,
                    "The newer export's history does not extend the older one: entry %d, the "
                    "older export's last, %s, so entries up to it were removed or rewritten in "
                    "between." % (seq, where))]


def report_text(result, expect_key, old=None, history=()):
    lines = []
    if old is not None and not old.valid:
        for p in old.problems:
            lines.append("INVALID: in the older export %s: %s" % (old.label, p.message))
    for p in list(result.problems) + list(history):
        lines.append("INVALID: " + p.message)
    if lines:
        n = len(lines)
        lines.append("RESULT: INVALID (%s). This bundle is not exactly as it was exported, or "
                     "not what you expected. Do not rely on it; ask the sender for a fresh copy."
                     % plural(n, "problem"))
        if result.key is not None:
            lines.append("(The signatures themselves verify with key %s.)" % key_text(result.key))
        return lines
    if expect_key is not None:
        lines.append("VALID, signed by the expected key %s." % key_text(result.key))
    else:
        lines.append("VALID, signed by key %s." % key_text(result.key))
        lines.append("The signer is not yet confirmed: compare this with the key the sender read "
                     "to you by phone or in person.")
    if old is not None:
        lines.append("The newer export's history extends the older one (%s, up to entry %d)."
                     % (old.label, old.journal_head[0]))
    lines.append("Checked: the zip's layout, both signatures and every file against the "
                 "manifests.")
    if result.journal_head is not None:
        lines.append("History: one unbroken chain of journal entries up to the signed head "
                     "(entry %d, %s)." % (result.journal_head[0], result.journal_head[1][:16]))
    elif result.journal_format == "legacy":
        lines.append("History: each journal entry is unchanged; this older bundle has no journal "
                     "head, so it cannot show that nothing was left out.")
    else:
        lines.append("History: this bundle has no journal.")
    return lines


def report_json(result, expect_key, old=None, history=()):
    problems = list(result.problems) + list(history)
    if old is not None:
        problems = [Problem(p.file, p.kind, "in the older export: " + p.message)
                    for p in old.problems] + problems
    return {
        "status": "INVALID" if problems else "VALID",
        "valid": not problems,
        "bundle": result.label,
        "bag_name": result.bag_name,
        "fingerprint": fingerprint(result.key) if result.key else None,
        "fingerprint_short": short_fingerprint(result.key) if result.key else None,
        "signer_confirmed": bool(result.key and expect_key is not None and not problems),
        "journal_head": list(result.journal_head) if result.journal_head else None,
        "problems": [p.to_json() for p in problems],
    }


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Unusable("usage: " + message + " (see --help)")


def parse_args(argv):
    parser = Parser(prog="verify_bundle.py", description=__doc__, usage=argparse.SUPPRESS,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", nargs="?", help="the bundle .zip or unzipped folder")
    parser.add_argument("--expect-key", metavar="KEY",
                        help="the key the sender gave you: SHA256:... or the read-out form")
    parser.add_argument("--since", metavar="OLD.zip",
                        help="an older export whose history this one must extend")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser.parse_args(argv)


def default_target():
    here = os.path.dirname(os.path.abspath(__file__))
    return here if os.path.isfile(os.path.join(here, BAGIT_TXT)) else os.getcwd()


def run(argv, out):
    args = parse_args(argv)
    pin = normalise_expected_key(args.expect_key) if args.expect_key is not None else None
    target = args.bundle or default_target()
    old = None
    if args.since:
        old = check(args.since, pin)
    anchor = old.journal_head[0] if old is not None and old.journal_head else None
    result = check(target, pin, anchor)
    history = since_problems(old, result) if old is not None else ()
    if args.json:
        doc = report_json(result, pin, old, history)
        out.write(json.dumps(doc, indent=2, ensure_ascii=True) + "\n")
        return 0 if doc["valid"] else 1
    lines = report_text(result, pin, old, history)
    for line in lines:
        out.write(safe_line(line) + "\n")
    return 0 if lines[0].startswith("VALID") else 1


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = sys.stdout
    try:
        out.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError):
        pass
    json_mode = "--json" in argv
    reason = "error"
    try:
        return run(argv, out)
    except BrokenPipeError:  # the reader went away (e.g. "| head"): say nothing more
        raise
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 2
    except Unusable as exc:
        message = safe_line(str(exc))
        reason = getattr(exc, "reason", "not-a-bundle")
    except KeyboardInterrupt:
        message = "The check was interrupted; nothing was checked to the end."
    except MemoryError:
        message = "This computer ran out of memory while checking the bundle."
    except Exception as exc:  # no traceback ever: say what failed, in one line
        message = "The bundle could not be checked (%s)." % type(exc).__name__
    if json_mode:
        out.write(json.dumps({"status": "CANNOT CHECK", "valid": False, "reason": reason,
                              "problems": [], "message": message}, ensure_ascii=True) + "\n")
    else:
        out.write("CANNOT CHECK: %s\n" % message)
    return 2


def _main_flushed():
    """main(), with the output flushed here: a reader that went away (``| head``) must
    not make Python print an error about the pipe at exit."""
    code = 2
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    return code


if __name__ == "__main__":
    sys.exit(_main_flushed())
