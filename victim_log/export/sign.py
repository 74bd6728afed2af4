"""Ed25519 signatures over a bag's tag manifest, in two formats officers can check.

Why two formats: an officer may have ``minisign`` or only OpenSSH's ``ssh-keygen``;
both verify the same Ed25519 key over the same bytes (``tagmanifest-sha256.txt``),
so either tool proves the bundle is the one the victim exported. We write the formats
ourselves from their published descriptions (minisign's README, OpenSSH's
``PROTOCOL.sshsig``) because neither tool has a library we could ship.

minisign (prehashed ``ED`` form, the default since minisign 0.10)::

    untrusted comment: <text>
    base64("ED" || key_id[8] || Ed25519(BLAKE2b-512(file)))
    trusted comment: <text>
    base64(Ed25519(signature[64] || trusted comment text))

    public key file: "untrusted comment: ..." then base64("Ed" || key_id[8] || pk[32])

SSHSIG (armored, namespace ``victim-log``, hash sha512): a blob of SSH wire strings
``"SSHSIG" u32(1) string(pubkey) string(namespace) string("") string("sha512")
string(signature)`` where the signature covers ``"SSHSIG" string(namespace)
string("") string("sha512") string(SHA-512(file))``.

The verifiers here are deliberately strict: they accept exactly what the signers here
write (canonical base64, our line layout), so a changed byte anywhere in a signature
file is reported, even where minisign itself would shrug (padding bits, whitespace).
What can go wrong is reported as :class:`BadSignature` with a plain message that
names the file, never key material.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..errors import BadInput
from ..errors import BundleInvalid

NAMESPACE = "victim-log"
PRINCIPAL = "victim-log-export"
SSH_KEY_TYPE = "ssh-ed25519"

MINISIGN_PUB_NAME = "minisign.pub"
ALLOWED_SIGNERS_NAME = "allowed_signers"
SIGNED_FILE_NAME = "tagmanifest-sha256.txt"
MINISIG_NAME = SIGNED_FILE_NAME + ".minisig"
SSHSIG_NAME = SIGNED_FILE_NAME + ".sig"

_MINISIGN_PK_ALG = b"Ed"
_MINISIGN_LEGACY_ALG = b"Ed"
_MINISIGN_PREHASH_ALG = b"ED"
_UNTRUSTED_PREFIX = "untrusted comment: "
_TRUSTED_PREFIX = "trusted comment: "
_MAX_COMMENT = 1000  # minisign's buffer is 1024 bytes including the prefix

_SSHSIG_MAGIC = b"SSHSIG"
_SSHSIG_VERSION = 1
_SSHSIG_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_SSHSIG_END = "-----END SSH SIGNATURE-----"
_SSHSIG_WRAP = 70  # what ssh-keygen -Y sign writes, so our files look like its own
_SSHSIG_HASHES = {"sha512": hashlib.sha512, "sha256": hashlib.sha256}


class BadSignature(BundleInvalid):
    """A signature or public-key file is malformed or does not verify."""


# --- keys ------------------------------------------------------------------------------


def generate_signing_key() -> Ed25519PrivateKey:
    """A fresh export-signing key; the vault stores it with :func:`private_key_to_bytes`."""
    return Ed25519PrivateKey.generate()


def private_key_to_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte seed, for the vault to store encrypted. Never log it."""
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def private_key_from_bytes(raw: bytes) -> Ed25519PrivateKey:
    if len(raw) != 32:
        raise BadInput("The export signing key is damaged (wrong length).")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_bytes(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != 32:
        raise BadInput("That is not an Ed25519 public key (wrong length).")
    return Ed25519PublicKey.from_public_bytes(raw)


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ssh_public_key_blob(key: Ed25519PublicKey) -> bytes:
    """The key in SSH wire form (RFC 8709), which OpenSSH fingerprints and embeds."""
    return _ssh_string(SSH_KEY_TYPE.encode()) + _ssh_string(public_key_bytes(key))


def ssh_public_key_line(key: Ed25519PublicKey) -> str:
    """``ssh-ed25519 AAAA...``: the form ``ssh-keygen -lf`` and allowed_signers read."""
    return f"{SSH_KEY_TYPE} {base64.b64encode(ssh_public_key_blob(key)).decode()}"


def fingerprint(key: Ed25519PublicKey) -> str:
    """``SHA256:<base64>``, exactly what ``ssh-keygen -lf`` prints for this key."""
    digest = hashlib.sha256(ssh_public_key_blob(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def short_fingerprint(key: Ed25519PublicKey) -> str:
    """Six groups of four hex digits (96 bits of the same SHA-256) to read out by phone.

    Hex because mixed-case base64 is error-prone aloud; 96 bits because a forger
    would need about 2**96 work to make a key that matches it.
    """
    hexdigits = hashlib.sha256(ssh_public_key_blob(key)).hexdigest()[:24].upper()
    return " ".join(hexdigits[i : i + 4] for i in range(0, 24, 4))


def minisign_key_id(key: Ed25519PublicKey) -> bytes:
    """minisign's 8-byte key id. minisign picks it at random; we derive it from the key so
    the same key always yields the same ``minisign.pub`` (reproducible exports)."""
    return hashlib.blake2b(public_key_bytes(key), digest_size=8, person=b"victimlog-keyid").digest()


def _key_id_text(key_id: bytes) -> str:
    # minisign prints the id as a little-endian 64-bit number in upper-case hex.
    return key_id[::-1].hex().upper()


# --- minisign ---------------------------------------------------------------------------


def minisign_public_key_file(key: Ed25519PublicKey) -> bytes:
    key_id = minisign_key_id(key)
    body = base64.b64encode(_MINISIGN_PK_ALG + key_id + public_key_bytes(key)).decode()
    return f"{_UNTRUSTED_PREFIX}minisign public key {_key_id_text(key_id)}\n{body}\n".encode()


def minisign_public_key_text(key: Ed25519PublicKey) -> str:
    """The one-line form for ``minisign -P``."""
    return minisign_public_key_file(key).decode().splitlines()[1]


def minisign_untrusted_comment(key: Ed25519PublicKey) -> str:
    """The untrusted comment we always write; the bundle verifier insists on it so a
    changed byte there is reported too."""
    return f"signature from Victim Log export key {_key_id_text(minisign_key_id(key))}"


def _check_comment(text: str, what: str) -> None:
    if len(text.encode()) > _MAX_COMMENT or any(c in text for c in "\r\n\0"):
        raise BadInput(f"The {what} must be one short line.")


def minisign_sign(private_key: Ed25519PrivateKey, message: bytes, *, trusted_comment: str) -> bytes:
    """A ``.minisig`` file (prehashed ED form) for ``message``."""
    _check_comment(trusted_comment, "trusted comment")
    public = private_key.public_key()
    key_id = minisign_key_id(public)
    signature = private_key.sign(hashlib.blake2b(message, digest_size=64).digest())
    global_sig = private_key.sign(signature + trusted_comment.encode())
    return (
        f"{_UNTRUSTED_PREFIX}{minisign_untrusted_comment(public)}\n"
        f"{base64.b64encode(_MINISIGN_PREHASH_ALG + key_id + signature).decode()}\n"
        f"{_TRUSTED_PREFIX}{trusted_comment}\n"
        f"{base64.b64encode(global_sig).decode()}\n"
    ).encode()


def _b64_canonical(text: str, size: int, what: str) -> bytes:
    """Decode base64 that must be exactly what b64encode would write (no slack bits)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BadSignature(f"{what} cannot be read: it is not valid base64.") from None
    if len(raw) != size or base64.b64encode(raw).decode() != text:
        raise BadSignature(f"{what} has been altered: it is not in the form Victim Log writes.")
    return raw


def _lines(data: bytes, count: int, what: str) -> list[str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadSignature(f"{what} cannot be read: it is not text.") from None
    if not text.endswith("\n") or "\r" in text:
        raise BadSignature(f"{what} has been altered: it is not in the form Victim Log writes.")
    lines = text[:-1].split("\n")
    if len(lines) != count:
        raise BadSignature(f"{what} has been altered: it does not have {count} lines.")
    return lines


def parse_minisign_public_key(data: bytes) -> tuple[bytes, Ed25519PublicKey]:
    """Read a ``minisign.pub`` file (two lines, as minisign -G writes): (key id, key).

    Keys made by minisign itself have random ids; ours derive theirs from the key
    (:func:`minisign_key_id`), which the bundle verifier insists on.
    """
    what = MINISIGN_PUB_NAME
    comment, body = _lines(data, 2, what)
    if not comment.startswith(_UNTRUSTED_PREFIX):
        raise BadSignature(f"{what} cannot be read: its first line is not a comment.")
    raw = _b64_canonical(body, 42, what)
    if raw[:2] != _MINISIGN_PK_ALG:
        raise BadSignature(f"{what} holds a key type Victim Log does not use.")
    return raw[2:10], _load_public(raw[10:], what)


@dataclass(frozen=True)
class MinisignSignature:
    untrusted_comment: str
    algorithm: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes


def parse_minisig(data: bytes, what: str = MINISIG_NAME) -> MinisignSignature:
    untrusted, sig_line, trusted, global_line = _lines(data, 4, what)
    if not untrusted.startswith(_UNTRUSTED_PREFIX) or not trusted.startswith(_TRUSTED_PREFIX):
        raise BadSignature(f"{what} cannot be read: its comment lines are missing.")
    raw = _b64_canonical(sig_line, 74, what)
    if raw[:2] not in (_MINISIGN_PREHASH_ALG, _MINISIGN_LEGACY_ALG):
        raise BadSignature(f"{what} uses a signature type Victim Log does not know.")
    return MinisignSignature(
        untrusted_comment=untrusted[len(_UNTRUSTED_PREFIX) :],
        algorithm=raw[:2],
        key_id=raw[2:10],
        signature=raw[10:],
        trusted_comment=trusted[len(_TRUSTED_PREFIX) :],
        global_signature=_b64_canonical(global_line, 64, what),
    )


def minisign_verify(
    key: Ed25519PublicKey,
    sig_file: bytes,
    message: bytes,
    *,
    key_id: bytes | None = None,
    what: str = MINISIG_NAME,
) -> MinisignSignature:
    """Check a ``.minisig`` as ``minisign -V`` does (file signature, then trusted comment).

    ``key_id`` defaults to the id we derive for ``key``. Accepts both the prehashed ED
    and legacy Ed forms so signatures made by minisign itself verify too. Returns the
    parsed signature (for its comments).
    """
    sig = parse_minisig(sig_file, what)
    if sig.key_id != (minisign_key_id(key) if key_id is None else key_id):
        raise BadSignature(f"{what} was made with a different key from the bundle's public key.")
    signed = message
    if sig.algorithm == _MINISIGN_PREHASH_ALG:
        signed = hashlib.blake2b(message, digest_size=64).digest()
    try:
        key.verify(sig.signature, signed)
    except InvalidSignature:
        raise BadSignature(
            f"{what} does not match {SIGNED_FILE_NAME}: one of them was changed after export."
        ) from None
    try:
        key.verify(sig.global_signature, sig.signature + sig.trusted_comment.encode())
    except InvalidSignature:
        raise BadSignature(f"{what}: its trusted comment was changed after export.") from None
    return sig


# --- SSHSIG -------------------------------------------------------------------------------


def _sshsig_signed_data(namespace: str, hash_name: str, message: bytes) -> bytes:
    digest = _SSHSIG_HASHES[hash_name](message).digest()
    return (
        _SSHSIG_MAGIC
        + _ssh_string(namespace.encode())
        + _ssh_string(b"")
        + _ssh_string(hash_name.encode())
        + _ssh_string(digest)
    )


def _sshsig_blob(key: Ed25519PublicKey, namespace: str, hash_name: str, signature: bytes) -> bytes:
    return (
        _SSHSIG_MAGIC
        + struct.pack(">I", _SSHSIG_VERSION)
        + _ssh_string(ssh_public_key_blob(key))
        + _ssh_string(namespace.encode())
        + _ssh_string(b"")
        + _ssh_string(hash_name.encode())
        + _ssh_string(_ssh_string(SSH_KEY_TYPE.encode()) + _ssh_string(signature))
    )


def _armor(blob: bytes) -> bytes:
    body = base64.b64encode(blob).decode()
    lines = [body[i : i + _SSHSIG_WRAP] for i in range(0, len(body), _SSHSIG_WRAP)]
    return ("\n".join([_SSHSIG_BEGIN, *lines, _SSHSIG_END]) + "\n").encode()


def sshsig_sign(private_key: Ed25519PrivateKey, message: bytes, *, namespace: str = NAMESPACE) -> bytes:
    """An armored SSHSIG (hash sha512) for ``ssh-keygen -Y verify``."""
    if not namespace:
        raise BadInput("A signature namespace must not be empty.")
    signature = private_key.sign(_sshsig_signed_data(namespace, "sha512", message))
    return _armor(_sshsig_blob(private_key.public_key(), namespace, "sha512", signature))


class _Reader:
    """SSH wire-format reader that refuses short or trailing data."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.pos = 0
        self.what = what

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise BadSignature(f"{self.what} cannot be read: it is cut short.")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.u32())

    def end(self) -> None:
        if self.pos != len(self.data):
            raise BadSignature(f"{self.what} has been altered: it has extra data.")


def _dearmor(data: bytes, what: str) -> bytes:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise BadSignature(f"{what} cannot be read: it is not an SSH signature.") from None
    lines = text.split("\n")
    if len(lines) < 4 or lines[0] != _SSHSIG_BEGIN or lines[-2:] != [_SSHSIG_END, ""]:
        raise BadSignature(f"{what} cannot be read: it is not an SSH signature.")
    try:
        blob = base64.b64decode("".join(lines[1:-2]), validate=True)
    except (binascii.Error, ValueError):
        raise BadSignature(f"{what} cannot be read: it is not valid base64.") from None
    if _armor(blob) != data:
        raise BadSignature(f"{what} has been altered: it is not in the form Victim Log writes.")
    return blob


def sshsig_verify(
    key: Ed25519PublicKey, sig_file: bytes, message: bytes, *, namespace: str = NAMESPACE
) -> None:
    """Check an armored SSHSIG as ``ssh-keygen -Y verify`` does, for one known key.

    Its messages name the bundle's signature file, :data:`SSHSIG_NAME`, the only one it reads."""
    what = SSHSIG_NAME
    blob = _dearmor(sig_file, what)
    r = _Reader(blob, what)
    if r.take(6) != _SSHSIG_MAGIC or r.u32() != _SSHSIG_VERSION:
        raise BadSignature(f"{what} is not an SSH signature version Victim Log knows.")
    embedded_key = r.string()
    sig_namespace = r.string()
    r.string()  # reserved: PROTOCOL.sshsig says to ignore it
    hash_name = r.string().decode("ascii", "replace")
    inner = _Reader(r.string(), what)
    r.end()
    if embedded_key != ssh_public_key_blob(key):
        raise BadSignature(f"{what} was made with a different key from the bundle's public key.")
    if sig_namespace != namespace.encode():
        raise BadSignature(f"{what} was made for another purpose (namespace), not Victim Log.")
    if hash_name not in _SSHSIG_HASHES:
        raise BadSignature(f"{what} uses a hash Victim Log does not know.")
    if inner.string() != SSH_KEY_TYPE.encode():
        raise BadSignature(f"{what} uses a signature type Victim Log does not know.")
    signature = inner.string()
    inner.end()
    try:
        key.verify(signature, _sshsig_signed_data(namespace, hash_name, message))
    except InvalidSignature:
        raise BadSignature(
            f"{what} does not match {SIGNED_FILE_NAME}: one of them was changed after export."
        ) from None


def allowed_signers_file(key: Ed25519PublicKey, principal: str = PRINCIPAL) -> bytes:
    """One line for ``ssh-keygen -Y verify -f allowed_signers -I <principal>``."""
    return f'{principal} namespaces="{NAMESPACE}" {ssh_public_key_line(key)}\n'.encode()


def parse_allowed_signers(data: bytes, principal: str = PRINCIPAL) -> Ed25519PublicKey:
    """Read the one-line ``allowed_signers`` we write; anything else is refused."""
    what = ALLOWED_SIGNERS_NAME
    (line,) = _lines(data, 1, what)
    parts = line.split(" ")
    if len(parts) != 4 or parts[0] != principal or parts[1] != f'namespaces="{NAMESPACE}"':
        raise BadSignature(f"{what} has been altered: it is not in the form Victim Log writes.")
    if parts[2] != SSH_KEY_TYPE:
        raise BadSignature(f"{what} holds a key type Victim Log does not use.")
    r = _Reader(_b64_canonical(parts[3], 51, what), what)
    if r.string() != SSH_KEY_TYPE.encode():
        raise BadSignature(f"{what} holds a key type Victim Log does not use.")
    raw = r.string()
    r.end()
    return _load_public(raw, what)


# The eight points of small order (the curve's torsion), as 32-byte encodings. For such a
# key anyone can make a "signature" that OpenSSL accepts; libsodium and the standalone
# verify_bundle.py refuse them, so the core does too and the two checkers agree.
_SMALL_ORDER_KEYS = frozenset(
    bytes.fromhex(h)
    for h in (
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    )
)
_FIELD_PRIME = 2**255 - 19


def _load_public(raw: bytes, what: str) -> Ed25519PublicKey:
    if len(raw) != 32:
        raise BadSignature(f"{what} cannot be read: the key has the wrong length.")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if raw in _SMALL_ORDER_KEYS or y >= _FIELD_PRIME:
        raise BadSignature(f"{what} cannot be read: it does not hold a valid key.")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise BadSignature(f"{what} cannot be read: it does not hold a valid key.") from None


# --- the bag's signature files ------------------------------------------------------------


def key_files(key: Ed25519PublicKey) -> dict[str, bytes]:
    """``minisign.pub`` and ``allowed_signers``: tag files listed in the tag manifest."""
    return {
        MINISIGN_PUB_NAME: minisign_public_key_file(key),
        ALLOWED_SIGNERS_NAME: allowed_signers_file(key),
    }


def signature_files(
    private_key: Ed25519PrivateKey, tagmanifest: bytes, *, trusted_comment: str
) -> dict[str, bytes]:
    """The two signatures over ``tagmanifest-sha256.txt``; these are the only tag files
    the tag manifest cannot list (they sign it)."""
    return {
        MINISIG_NAME: minisign_sign(private_key, tagmanifest, trusted_comment=trusted_comment),
        SSHSIG_NAME: sshsig_sign(private_key, tagmanifest),
    }
