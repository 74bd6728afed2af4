"""The standalone checker shipped in every bundle (resources/verify_bundle.py).

It runs with the standard library only, so it carries its own Ed25519, zip reader and
bag checks: these tests hold each against the real thing (``cryptography``, the RFC 8032
vectors, the core's signers and ``victim_log.verify``) and run the script as an officer
would, in a Python with no site-packages (and on Python 3.8 when one is installed).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import io
import json
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from victim_log import verify as core_verify
from victim_log.errors import BadInput
from victim_log.errors import NotABundle
from victim_log.export import bagit_zip as bz
from victim_log.export import sign
from victim_log.model import canonical_json
from victim_log.resources import resource_path
from victim_log.safezip import UnsafeZip

SCRIPT = resource_path("verify_bundle.py")
BAG = "victim-log-export-20261202"
STAMP = 1_795_000_000
KEY = sign.private_key_from_bytes(bytes(range(32)))
OTHER_KEY = sign.private_key_from_bytes(bytes(range(1, 33)))
FP = sign.fingerprint(KEY.public_key())
OTHER_FP = sign.fingerprint(OTHER_KEY.public_key())
GENESIS = "0" * 64


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_bundle_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VB = _load()


def pk(key: Ed25519PrivateKey) -> bytes:
    return sign.public_key_bytes(key.public_key())


# --- Ed25519 -----------------------------------------------------------------------------------

# RFC 8032 section 7.1, tests 1-3 and "SHA(abc)": (secret, public, message, signature).
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        hashlib.sha512(b"abc").hexdigest(),
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_ed25519_rfc8032_vectors(secret: str, public: str, message: str, signature: str) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert pk(key).hex() == public  # the vector is what cryptography computes too
    assert key.sign(bytes.fromhex(message)).hex() == signature
    assert VB.ed25519_verify(bytes.fromhex(public), bytes.fromhex(signature), bytes.fromhex(message))
    bad = bytearray(bytes.fromhex(signature))
    bad[0] ^= 1
    assert not VB.ed25519_verify(bytes.fromhex(public), bytes(bad), bytes.fromhex(message))


def _cryptography_accepts(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    message=st.binary(max_size=300),
    flip=st.integers(0, 8 * (32 + 64 + 300) - 1),
)
def test_ed25519_agrees_with_cryptography_on_random_keys(seed: bytes, message: bytes, flip: int) -> None:
    """Genuine signatures verify; one flipped bit anywhere (key, signature or message)
    gets the same verdict as cryptography's, except where we are deliberately stricter
    (a public key that is not canonical or of small order, which no real key is)."""
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public, signature = pk(key), key.sign(message)
    assert VB.ed25519_verify(public, signature, message)
    blob = bytearray(public + signature + message)
    if flip // 8 < len(blob):
        blob[flip // 8] ^= 1 << (flip % 8)
    p, s, m = bytes(blob[:32]), bytes(blob[32:96]), bytes(blob[96:])
    ours = VB.ed25519_verify(p, s, m)
    if VB.ed25519_public_key_ok(p):
        assert ours == _cryptography_accepts(p, s, m)
    else:
        assert not ours


def test_ed25519_many_random_keys_verify() -> None:
    for i in range(40):
        key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"key %d" % i).digest())
        message = hashlib.sha512(b"message %d" % i).digest() * (i % 4)
        assert VB.ed25519_verify(pk(key), key.sign(message), message)
        assert not VB.ed25519_verify(pk(key), key.sign(message), message + b"x")
        assert not VB.ed25519_verify(pk(OTHER_KEY), key.sign(message), message)


L = 2**252 + 27742317777372353535851937790883648493
P = 2**255 - 19


def test_ed25519_refuses_non_canonical_s() -> None:
    """Malleability: S + L is the same scalar, but only S < L is a signature."""
    message = b"bundle"
    signature = KEY.sign(message)
    s = int.from_bytes(signature[32:], "little")
    for forged_s in (s + L, s + 2 * L, s | (1 << 255)):
        if forged_s >= 1 << 256:
            continue
        forged = signature[:32] + forged_s.to_bytes(32, "little")
        assert not VB.ed25519_verify(pk(KEY), forged, message)
        assert not _cryptography_accepts(pk(KEY), forged, message)


def _small_order_points() -> list[bytes]:
    """Canonical encodings of the eight points of order dividing 8."""
    out = []
    for y in range(P):  # the few with y small or near p, found by decoding
        if y > 40:
            break
        for sign_bit in (0, 1):
            enc = (y | (sign_bit << 255)).to_bytes(32, "little")
            point = VB._decode(enc)
            if point is not None and VB._is_identity(VB._double(VB._double(VB._double(point)))):
                out.append(enc)
    out.append((P - 1).to_bytes(32, "little"))  # (0, -1), order 2
    return out


def test_ed25519_refuses_weak_and_non_canonical_public_keys() -> None:
    """Keys no one holds a secret for: anyone can 'sign' with them. cryptography (OpenSSL)
    accepts these; we refuse them, as libsodium does."""
    message = b"anything at all"
    identity = (1).to_bytes(32, "little")
    forged = identity + bytes(32)  # R = identity, S = 0: [0]B == R + [k]A for A of small order
    weak = [*_small_order_points(), (P + 1).to_bytes(32, "little"), (1 | 1 << 255).to_bytes(32, "little")]
    assert identity in weak
    for public in weak:
        assert not VB.ed25519_public_key_ok(public)
        assert not VB.ed25519_verify(public, forged, message)
    assert _cryptography_accepts(identity, forged, message)  # why we do not copy OpenSSL here
    assert _cryptography_accepts((P + 1).to_bytes(32, "little"), forged, message)


def test_ed25519_refuses_non_canonical_r_and_bad_lengths() -> None:
    message = b"m"
    signature = KEY.sign(message)
    r = int.from_bytes(signature[:32], "little")
    assert not VB.ed25519_verify(pk(KEY), (r ^ (1 << 255)).to_bytes(32, "little") + signature[32:], message)
    y = r & ((1 << 255) - 1)
    if y + P < 1 << 255:  # the non-canonical spelling of R, when it exists
        assert not VB.ed25519_verify(pk(KEY), (r + P).to_bytes(32, "little") + signature[32:], message)
    assert not VB.ed25519_verify(pk(KEY), signature[:63], message)
    assert not VB.ed25519_verify(pk(KEY)[:31], signature, message)
    assert not VB.ed25519_verify((P + 5).to_bytes(32, "little"), signature, message)


# --- fingerprints and the signature formats -------------------------------------------------


@pytest.mark.parametrize("n", range(5))
def test_fingerprints_are_the_core_ones(n: int) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32).public_key()
    raw = sign.public_key_bytes(key)
    assert VB.fingerprint(raw) == sign.fingerprint(key)
    assert VB.short_fingerprint(raw) == sign.short_fingerprint(key)
    short = sign.short_fingerprint(key)
    for good in (
        sign.fingerprint(key),
        "  " + short.lower(),
        short.replace(" ", "-"),
        short.replace(" ", ""),
    ):
        assert VB.key_matches(VB.normalise_expected_key(good), raw)
        assert VB.normalise_expected_key(good) == core_verify.normalise_expected_key(good)  # as the core
    other = sign.fingerprint(Ed25519PrivateKey.from_private_bytes(bytes([n + 1]) * 32).public_key())
    assert not VB.key_matches(VB.normalise_expected_key(other), raw)
    assert not VB.key_matches(VB.normalise_expected_key("sha256:" + sign.fingerprint(key)[7:].lower()), raw)
    for malformed in (sign.fingerprint(key)[:-1], short[:-1], "", "SHA256:", "0" * 25):
        with pytest.raises(VB.Unusable):
            VB.normalise_expected_key(malformed)
        with pytest.raises(BadInput):
            core_verify.normalise_expected_key(malformed)


def test_the_signers_output_verifies_and_any_change_does_not() -> None:
    public = pk(KEY)
    message = b"0" * 64 + b"  bagit.txt\n"
    minisig = sign.minisign_sign(KEY, message, trusted_comment="timestamp:1\tfile:x")
    sshsig = sign.sshsig_sign(KEY, message)
    VB.minisign_verify(public, minisig, message)
    VB.sshsig_verify(public, sshsig, message)
    assert VB.parse_minisign_pub(sign.minisign_public_key_file(KEY.public_key())) == public
    assert VB.parse_allowed_signers(sign.allowed_signers_file(KEY.public_key())) == public
    for verify, good in ((VB.minisign_verify, minisig), (VB.sshsig_verify, sshsig)):
        with pytest.raises(VB.BadSignature):
            verify(public, good, message + b"x")
        with pytest.raises(VB.BadSignature):
            verify(pk(OTHER_KEY), good, message)
        for i in range(0, len(good), 7):  # every 7th byte changed: refused, never an exception
            bad = bytearray(good)
            bad[i] = (bad[i] + 1) % 256
            with pytest.raises(VB.BadSignature):
                verify(public, bytes(bad), message)


def test_minisign_trusted_comment_and_legacy_form() -> None:
    public = pk(KEY)
    message = b"tag manifest"
    good = sign.minisign_sign(KEY, message, trusted_comment="timestamp:1")
    changed = good.replace(b"timestamp:1", b"timestamp:2")
    with pytest.raises(VB.BadSignature, match="trusted comment"):
        VB.minisign_verify(public, changed, message)
    # Legacy "Ed": the signature is over the message itself (what minisign -l writes).
    import base64

    key_id = sign.minisign_key_id(KEY.public_key())
    signature = KEY.sign(message)
    legacy = (
        f"untrusted comment: {sign.minisign_untrusted_comment(KEY.public_key())}\n"
        f"{base64.b64encode(b'Ed' + key_id + signature).decode()}\n"
        "trusted comment: t\n"
        f"{base64.b64encode(KEY.sign(signature + b't')).decode()}\n"
    ).encode()
    VB.minisign_verify(public, legacy, message)
    sign.minisign_verify(KEY.public_key(), legacy, message)  # the core agrees


def test_sshsig_namespace_and_hash() -> None:
    public = pk(KEY)
    message = b"tag manifest"
    with pytest.raises(VB.BadSignature, match="namespace"):
        VB.sshsig_verify(public, sign.sshsig_sign(KEY, message, namespace="file"), message)
    data = sign._sshsig_signed_data(sign.NAMESPACE, "sha256", message)
    sha256_form = sign._armor(sign._sshsig_blob(KEY.public_key(), sign.NAMESPACE, "sha256", KEY.sign(data)))
    VB.sshsig_verify(public, sha256_form, message)  # ssh-keygen accepts it; so does the core
    sign.sshsig_verify(KEY.public_key(), sha256_form, message)


# --- building bundles ------------------------------------------------------------------------


def journal_entry(seq: int, prev: str, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "action": "create",
        "at": f"2026-06-0{seq % 9 + 1}T10:00:00+00:00",
        "body_sha256": "ab" * 32,
        "detail": {"n": seq},
        "id": seq,
        "kind": "incident",
        "prev": prev,
        "seq": seq,
        "version": 1,
    }
    fields.update(extra)
    fields["hash"] = hashlib.sha256(
        canonical_json({k: v for k, v in fields.items() if k != "hash"})
    ).hexdigest()
    return fields


def make_chain(n: int, withheld: set[int] = frozenset()) -> list[dict[str, object]]:  # type: ignore[assignment]
    out: list[dict[str, object]] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entry = journal_entry(seq, prev)
        if seq in withheld:
            entry = {"hash": entry["hash"], "prev": prev, "seq": seq, "withheld": True}
        out.append(entry)
        prev = str(entry["hash"])
    return out


def journal_bytes(chain: list[dict[str, object]]) -> bytes:
    return b"".join(canonical_json(e) + b"\n" for e in chain)


def build(
    dest: Path,
    *,
    key: Ed25519PrivateKey | None = KEY,
    declared: str | None = FP,
    chain: list[dict[str, object]] | None = None,
    head: str | None = "auto",
    journal: bytes | None = None,
    extra_info: list[tuple[str, str]] | None = None,
    payload: dict[str, bytes] | None = None,
) -> Path:
    """A bundle as the exporter writes it: the script inside, a journal, Journal-Head."""
    chain = make_chain(6, {2, 5}) if chain is None else chain
    info = [("Source-Organization", "Victim Log"), ("Incident-Count", "2")]
    if declared is not None:
        info.append(("Signing-Key-Fingerprint", declared))
    if head == "auto":
        head = f"{chain[-1]['seq']} {chain[-1]['hash']}" if chain else f"0 {GENESIS}"
    if head is not None:
        info.append(("Journal-Head", head))
    info += extra_info or []
    files = {
        "timeline.csv": b"when,what\n2026-06-01,call\n",
        "exhibits/SM-1_photo.jpg": b"\xff\xd8 invented photo" * 50,
        "journal.jsonl": journal_bytes(chain) if journal is None else journal,
        **(payload or {}),
    }
    bz.write_bag_zip(
        dest,
        BAG,
        [bz.PayloadEntry.from_bytes(p, d) for p, d in files.items()],
        bag_info=info,
        tag_files=[bz.TagFile("README.txt", b"Read me first.\n"), bz.verify_script_tag_file()],
        signing_key=key,
        timestamp=STAMP,
    )
    return dest


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("genuine") / "bundle.zip")


def members(path: Path) -> dict[str, tuple[bytes, int]]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}


def rezip(
    src: Path, dest: Path, edit: Callable[[dict[str, bytes]], None], *, recompute: bool = False
) -> Path:
    """Rewrite a bundle with ``edit`` applied to {bag-relative name: content}; with
    ``recompute`` both manifests are recomputed (the old signatures kept), as someone
    without the key would do to make sha256sum -c and bagit.py pass."""
    prefix = BAG + "/"
    old = members(src)
    files = {n[len(prefix) :]: d for n, (d, _) in old.items()}
    edit(files)
    if recompute:
        payload = {n: d for n, d in files.items() if n.startswith("data/")}
        oxum = f"Payload-Oxum: {sum(map(len, payload.values()))}.{len(payload)}"
        files["bag-info.txt"] = re.sub(
            rb"Payload-Oxum: [0-9.]+", oxum.encode(), files["bag-info.txt"], count=1
        )
        files["manifest-sha256.txt"] = "".join(
            f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in payload.items()
        ).encode()
        unlisted = {"tagmanifest-sha256.txt", sign.MINISIG_NAME, sign.SSHSIG_NAME}
        files["tagmanifest-sha256.txt"] = "".join(
            f"{hashlib.sha256(d).hexdigest()}  {n}\n"
            for n, d in sorted(files.items())
            if not n.startswith("data/") and n not in unlisted
        ).encode()
    with zipfile.ZipFile(dest, "w") as out:
        for rel, data in files.items():
            method = old.get(prefix + rel, (b"", zipfile.ZIP_DEFLATED))[1]
            out.writestr(zipfile.ZipInfo(prefix + rel, (2026, 1, 1, 0, 0, 0)), data, compress_type=method)
    return dest


# --- running the script ------------------------------------------------------------------------


def run(
    *args: str | Path, cwd: Path | None = None, python: str | None = None, script: Path = SCRIPT
) -> subprocess.CompletedProcess[str]:
    """As an officer runs it: a plain Python, no site-packages (-I)."""
    system = Path("/usr/bin/python3")
    exe = python or (str(system) if system.exists() else sys.executable)
    return subprocess.run(
        [exe, "-I", str(script), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_json(*args: str | Path) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    old = sys.stdout
    sys.stdout = out
    try:
        code = VB.main(["--json", *map(str, args)])
    finally:
        sys.stdout = old
    return code, json.loads(out.getvalue())


def problem_files(doc: dict[str, object]) -> set[str]:
    return {str(p["file"]) for p in doc["problems"]}  # type: ignore[attr-defined,index]


def test_a_genuine_bundle_is_valid_but_the_signer_not_yet_confirmed(genuine: Path) -> None:
    out = run(genuine)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    short = sign.short_fingerprint(KEY.public_key())
    assert lines[0] == f"VALID, signed by key {FP} (read-out form {short})."
    assert "not yet confirmed" in lines[1] and "by phone or in person" in lines[1]
    assert out.stderr == ""


def test_expect_key_pins_the_signer(genuine: Path) -> None:
    short = sign.short_fingerprint(KEY.public_key())
    for pin in (FP, short.lower().replace(" ", "-")):
        out = run("--expect-key", pin, genuine)
        assert out.returncode == 0, out.stdout
        assert out.stdout.startswith(f"VALID, signed by the expected key {FP}")
        assert "not yet confirmed" not in out.stdout
    out = run("--expect-key", OTHER_FP, genuine)
    assert out.returncode == 1
    assert FP in out.stdout and OTHER_FP in out.stdout
    assert "VALID," not in out.stdout
    out = run("--expect-key", "SHA256:typo", genuine)  # a mistyped pin is a usage error
    assert out.returncode == 2 and out.stdout.startswith("CANNOT CHECK: The expected key")


def test_the_four_cases_the_old_script_passed(genuine: Path, tmp_path: Path) -> None:
    """Issue #14: the shipped checker said "every file matches" (exit 0) on each of these."""

    def change_timeline(files: dict[str, bytes]) -> None:
        files["data/timeline.csv"] = b"when,what\n2026-06-01,nothing happened\n"

    def replace_script(files: dict[str, bytes]) -> None:
        files["verify_bundle.py"] = b"print('every file matches')\n"

    def add_fetch(files: dict[str, bytes]) -> None:
        files["fetch.txt"] = b"https://example.invalid/x 10 data/x\n"

    def two_oxums(files: dict[str, bytes]) -> None:
        files["bag-info.txt"] = files["bag-info.txt"] + b"Payload-Oxum: 1.1\n"

    cases = {
        "manifests recomputed": (change_timeline, {"tagmanifest-sha256.txt.minisig"}),
        "script replaced": (replace_script, {"tagmanifest-sha256.txt.minisig"}),
        "fetch.txt": (add_fetch, {"fetch.txt"}),
        "two Payload-Oxum": (two_oxums, {"bag-info.txt"}),
    }
    for name, (edit, named) in cases.items():
        path = rezip(genuine, tmp_path / f"{name}.zip", edit, recompute=True)
        code, doc = run_json(path)
        assert code == 1, (name, doc)
        assert named <= problem_files(doc), (name, doc)
        assert run(path).returncode == 1
    code, doc = run_json(rezip(genuine, tmp_path / "plain.zip", replace_script))
    assert code == 1 and problem_files(doc) == {"verify_bundle.py"}


def test_resigned_with_another_key_names_both_keys(tmp_path: Path) -> None:
    """Re-signed with someone else's key while bag-info.txt still names the victim's."""
    path = build(tmp_path / "resigned.zip", key=OTHER_KEY, declared=FP)
    out = run(path)
    assert out.returncode == 1
    assert FP in out.stdout and OTHER_FP in out.stdout
    # Fully re-signed (bag-info names the new key too): valid, but for the other key only.
    path = build(tmp_path / "other.zip", key=OTHER_KEY, declared=OTHER_FP)
    out = run(path)
    assert out.returncode == 0 and OTHER_FP in out.stdout and "not yet confirmed" in out.stdout
    assert run("--expect-key", FP, path).returncode == 1


def test_unsigned_or_half_signed_bundles_are_invalid(genuine: Path, tmp_path: Path) -> None:
    for drop in (
        (sign.MINISIG_NAME, sign.SSHSIG_NAME, sign.MINISIGN_PUB_NAME, sign.ALLOWED_SIGNERS_NAME),
        (sign.MINISIG_NAME,),
        (sign.SSHSIG_NAME,),
    ):
        path = rezip(genuine, tmp_path / "u.zip", lambda f, d=drop: [f.pop(n) for n in d], recompute=True)
        code, doc = run_json(path)
        assert code == 1 and doc["fingerprint"] is None, (drop, doc)


def test_signature_files_swapped_for_another_keys(genuine: Path, tmp_path: Path) -> None:
    other = build(tmp_path / "o.zip", key=OTHER_KEY)
    theirs = {n.split("/", 1)[1]: d for n, (d, _) in members(other).items()}

    def swap(files: dict[str, bytes]) -> None:
        files[sign.SSHSIG_NAME] = theirs[sign.SSHSIG_NAME]

    code, doc = run_json(rezip(genuine, tmp_path / "s.zip", swap))
    assert code == 1 and sign.SSHSIG_NAME in problem_files(doc)


# --- the strict zip rules --------------------------------------------------------------------


def split_zip(data: bytes) -> list[tuple[bytes, bytes]]:
    """(local record with its data, central entry) per member, in order (no zip64)."""
    eocd = len(data) - 22
    n, cd_size, cd_offset = struct.unpack_from("<HII", data, eocd + 10)
    centrals, offsets, pos = [], [], cd_offset
    for _ in range(n):
        n_len, e_len, c_len = struct.unpack_from("<HHH", data, pos + 28)
        size = 46 + n_len + e_len + c_len
        centrals.append(data[pos : pos + size])
        offsets.append(struct.unpack_from("<I", data, pos + 42)[0])
        pos += size
    ends = [*offsets[1:], cd_offset]
    return [(data[o:e], c) for o, e, c in zip(offsets, ends, centrals, strict=True)]


def join_zip(
    parts: list[tuple[bytes, bytes]],
    *,
    prefix: bytes = b"",
    gaps: dict[int, bytes] | None = None,
    comment: bytes = b"",
    trailing: bytes = b"",
    fix_offsets: bool = True,
) -> bytes:
    gaps = gaps or {}
    out = bytearray(prefix)
    centrals = []
    for i, (local, central) in enumerate(parts):
        out += gaps.get(i, b"")
        c = bytearray(central)
        if fix_offsets:
            struct.pack_into("<I", c, 42, len(out))
        out += local
        centrals.append(bytes(c))
    out += gaps.get(len(parts), b"")
    cd_offset = len(out)
    out += b"".join(centrals)
    cd_size = len(out) - cd_offset
    out += struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), cd_size, cd_offset, len(comment)
    )
    return bytes(out + comment + trailing)


def local_entry(name: str, data: bytes, flags: int = 0) -> tuple[bytes, bytes]:
    """A stored member's local record and central entry (offset fixed up by join_zip)."""
    raw = name.encode()
    crc = __import__("zlib").crc32(data)
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, 0, 0, 0, crc, len(data), len(data), len(raw), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        flags,
        0,
        0,
        0,
        crc,
        len(data),
        len(data),
        len(raw),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    return local + raw + data, central + raw


def expect_unsafe(path: Path, reason: str) -> None:
    code, doc = run_json(path)
    assert code == 2, doc
    assert doc["reason"] == reason, doc


def test_a_forged_directory_hidden_in_the_comment_is_refused(genuine: Path, tmp_path: Path) -> None:
    """The attack of issue #14: the genuine zip untouched, a forged directory and member
    in its comment, which zipfile and unzip read instead of the real one."""
    data = genuine.read_bytes()
    parts = split_zip(data)
    start = len(data)  # the comment begins right after the genuine end record
    forged_local, forged_central = local_entry(f"{BAG}/data/timeline.csv", b"forged\n")
    forged_cd = b""
    for _local, central in parts:
        c = bytearray(central)
        if central.endswith(b"data/timeline.csv"):
            c = bytearray(forged_central)
            struct.pack_into("<I", c, 42, start)
        forged_cd += bytes(c)
    cd_at = start + len(forged_local)
    forged_end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(forged_cd), cd_at, 0
    )
    comment = forged_local + forged_cd + forged_end
    path = tmp_path / "comment.zip"
    path.write_bytes(join_zip(parts, comment=comment))
    with zipfile.ZipFile(path) as zf:  # the attack works on mainstream readers
        assert zf.read(f"{BAG}/data/timeline.csv") == b"forged\n"
    code, doc = run_json(path)
    assert code == 2 and doc["reason"] == "member-gap", doc
    path.write_bytes(join_zip(parts, comment=b"just a comment"))
    expect_unsafe(path, "comment")


@pytest.mark.parametrize(
    ("layout", "reason"),
    [
        ({"prefix": b"MZ stub before the first member"}, "prefix-data"),
        ({"gaps": {3: b"PK\x03\x04 hidden entry"}}, "member-gap"),
        ({"gaps": {-1: b"hidden before the directory"}}, "directory-gap-before"),
        ({"trailing": b"after the end"}, "trailing-data"),
        ({"prefix": b"prepended, offsets not adjusted", "fix_offsets": False}, "directory-gap"),
    ],
)
def test_data_outside_the_members_is_refused(
    genuine: Path, tmp_path: Path, layout: dict[str, object], reason: str
) -> None:
    parts = split_zip(genuine.read_bytes())
    if "gaps" in layout:
        gaps = layout["gaps"]
        assert isinstance(gaps, dict)
        layout = {"gaps": {(len(parts) if k == -1 else k): v for k, v in gaps.items()}}
    path = tmp_path / "odd.zip"
    if layout.get("fix_offsets") is False:
        path.write_bytes(bytes(layout["prefix"]) + genuine.read_bytes())  # type: ignore[arg-type]
    else:
        path.write_bytes(join_zip(parts, **layout))  # type: ignore[arg-type]
    expect_unsafe(path, reason)
    assert run(path).stdout.startswith("CANNOT CHECK:")


def test_the_relaid_genuine_zip_is_still_valid(genuine: Path, tmp_path: Path) -> None:
    """The surgery above changes nothing by itself: joined back as is, it is valid."""
    path = tmp_path / "same.zip"
    path.write_bytes(join_zip(split_zip(genuine.read_bytes())))
    assert path.read_bytes() == genuine.read_bytes()


def _with_member(
    genuine: Path,
    tmp_path: Path,
    *extra: tuple[bytes, bytes],
    patch: Callable[[bytearray], None] | None = None,
) -> Path:
    parts = split_zip(genuine.read_bytes()) + list(extra)
    data = bytearray(join_zip(parts))
    if patch:
        patch(data)
    path = tmp_path / "m.zip"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.sh", "unsafe-name"),
        ("/etc/evil", "unsafe-name"),
        (f"{BAG}/data/a\\b.txt", "unsafe-name"),
        (f"{BAG}/data/x\u202egpj.exe", "unsafe-name"),
        (f"{BAG}/data/timeline.csv", "duplicate-name"),
        (f"{BAG}/data/TIMELINE.csv", "case-duplicate"),
        (f"{BAG}/data/timeline.csv/inner", "file-folder-clash"),
    ],
)
def test_hostile_names_are_refused(genuine: Path, tmp_path: Path, name: str, reason: str) -> None:
    expect_unsafe(_with_member(genuine, tmp_path, local_entry(name, b"x", flags=0x800)), reason)


def test_unicode_normalisation_duplicates_are_refused(tmp_path: Path) -> None:
    path = build(tmp_path / "nfc.zip", payload={"caf\u00e9.txt": b"1"})
    parts = split_zip(path.read_bytes())
    expect_unsafe(
        _with_member(path, tmp_path, local_entry(f"{BAG}/data/cafe\u0301.txt", b"2", flags=0x800)),
        "normalisation-duplicate",
    )
    assert parts


def test_flags_links_comments_and_descriptors_are_refused(genuine: Path, tmp_path: Path) -> None:
    name = f"{BAG}/data/zz.txt"

    def central_at(data: bytearray) -> int:
        return data.rindex(b"PK\x01\x02")

    def flags(value: int) -> Callable[[bytearray], None]:
        def patch(data: bytearray) -> None:
            local = data.rindex(b"PK\x03\x04", 0, central_at(data))
            struct.pack_into("<H", data, local + 6, value)
            struct.pack_into("<H", data, central_at(data) + 8, value)

        return patch

    def symlink(data: bytearray) -> None:
        struct.pack_into("<I", data, central_at(data) + 38, 0o120777 << 16)

    def method(data: bytearray) -> None:
        local = data.rindex(b"PK\x03\x04", 0, central_at(data))
        struct.pack_into("<H", data, local + 8, 12)
        struct.pack_into("<H", data, central_at(data) + 10, 12)

    def local_only(data: bytearray) -> None:
        local = data.rindex(b"PK\x03\x04", 0, central_at(data))
        struct.pack_into("<I", data, local + 14, 0xDEADBEEF)  # CRC in the local header only

    for patch, reason in (
        (flags(0x1), "encrypted"),
        (flags(0x40), "encrypted"),
        (flags(0x8), "data-descriptor"),
        (symlink, "symlink"),
        (method, "compression-method"),
        (local_only, "local-central-mismatch"),
    ):
        expect_unsafe(_with_member(genuine, tmp_path, local_entry(name, b"x"), patch=patch), reason)


def test_entry_comment_and_second_end_record_are_refused(genuine: Path, tmp_path: Path) -> None:
    local, central = local_entry(f"{BAG}/data/zz.txt", b"x")
    with_comment = bytearray(central + b"!")
    struct.pack_into("<H", with_comment, 32, 1)
    expect_unsafe(_with_member(genuine, tmp_path, (local, bytes(with_comment))), "entry-comment")
    # An end record inside an extra field of the directory: a stray signature.
    extra = struct.pack("<HH", 0xCAFE, 22) + b"PK\x05\x06" + bytes(18)
    c = bytearray(central)
    struct.pack_into("<H", c, 30, len(extra))
    expect_unsafe(_with_member(genuine, tmp_path, (local, bytes(c) + extra)), "stray-signature")


def test_zip_bombs_are_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{BAG}/bagit.txt", bz.BAGIT_TXT_CONTENT)
        zf.writestr(f"{BAG}/data/bomb.bin", bytes(40 << 20))
    assert path.stat().st_size < 100_000
    expect_unsafe(path, "zip-bomb")


def test_not_bundles_and_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "junk.zip").write_bytes(b"not a zip at all, longer than twenty-two bytes")
    expect_unsafe(tmp_path / "junk.zip", "not-a-zip")
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("photo.jpg", b"x")
    assert run(plain).returncode == 2
    assert run(tmp_path / "missing.zip").returncode == 2
    out = run("--no-such-option", plain)
    assert out.returncode == 2 and out.stderr == "" and "usage" in out.stdout
    out = run("--help")  # the officer's instructions, signature check first
    assert out.returncode == 0 and "BEFORE YOU RUN THIS SCRIPT" in out.stdout
    assert "ssh-keygen -Y verify -f allowed_signers -I victim-log-export -n victim-log \\\n" in out.stdout


# --- the journal ---------------------------------------------------------------------------------


def test_journal_chain_with_withheld_entries_is_valid(genuine: Path) -> None:
    code, doc = run_json(genuine)
    assert code == 0, doc
    assert doc["journal_head"][0] == 6  # type: ignore[index]


def _broken(chain: list[dict[str, object]], seq: int, **change: object) -> list[dict[str, object]]:
    out = [dict(e) for e in chain]
    out[seq - 1].update(change)
    return out


@pytest.mark.parametrize(
    ("make", "first_broken"),
    [
        (lambda c: _broken(c, 3, detail={"n": "rewritten"}), 3),  # a full entry altered
        (lambda c: _broken(c, 4, prev="1" * 64), 4),  # a link broken
        (lambda c: c[:2] + c[3:], 3),  # an entry removed
        (lambda c: [c[1], c[0], *c[2:]], 1),  # reordered
        (lambda c: _broken(c, 2, withheld=False), 2),  # a withheld entry malformed
        (lambda c: _broken(c, 1, prev="f" * 64), 1),  # not anchored at genesis
    ],
)
def test_a_broken_journal_names_the_first_broken_entry(
    tmp_path: Path, make: Callable[[list[dict[str, object]]], list[dict[str, object]]], first_broken: int
) -> None:
    chain = make_chain(6, {2, 5})
    path = build(tmp_path / "j.zip", chain=chain, journal=journal_bytes(make(chain)))
    code, doc = run_json(path)
    assert code == 1, doc
    (problem,) = doc["problems"]  # type: ignore[misc]
    assert problem["file"] == "data/journal.jsonl" and problem["kind"] == "journal"
    assert re.search(rf"entry {first_broken}\b", problem["message"]), problem


def test_journal_must_end_at_the_signed_head(tmp_path: Path) -> None:
    chain = make_chain(5)
    for head, journal in (
        (f"5 {chain[-1]['hash']}", journal_bytes(chain[:4])),  # the newest entry dropped
        (f"4 {chain[3]['hash']}", journal_bytes(chain)),  # more than the head
        (f"5 {'a' * 64}", journal_bytes(chain)),  # another head
        ("5 not-a-hash", journal_bytes(chain)),  # malformed
    ):
        path = build(tmp_path / "h.zip", chain=chain, head=head, journal=journal)
        code, doc = run_json(path)
        assert code == 1, (head, doc)


def test_journal_lines_must_be_canonical(tmp_path: Path) -> None:
    chain = make_chain(3)
    lines = journal_bytes(chain).splitlines(keepends=True)
    lines[1] = json.dumps(chain[1], sort_keys=True).encode() + b"\n"  # spaces: same values, not canonical
    path = build(tmp_path / "c.zip", chain=chain, journal=b"".join(lines))
    code, doc = run_json(path)
    assert code == 1 and "breaks at entry 2)" in str(doc["problems"])
    path = build(tmp_path / "n.zip", chain=chain, journal=journal_bytes(chain).rstrip(b"\n"))
    assert run_json(path)[0] == 1


def test_legacy_journal_checks_each_entry(tmp_path: Path) -> None:
    """Bundles from before Journal-Head: each entry's own hash, no continuity."""
    chain = make_chain(4)
    gap = chain[:1] + chain[2:]  # legacy journals hold only exported entries: gaps are fine
    assert run_json(build(tmp_path / "l.zip", chain=chain, head=None, journal=journal_bytes(gap)))[0] == 0
    bad = _broken(chain, 2, kind="evidence")
    code, doc = run_json(build(tmp_path / "b.zip", chain=chain, head=None, journal=journal_bytes(bad)))
    assert code == 1 and problem_files(doc) == {"data/journal.jsonl"}


# --- --since ------------------------------------------------------------------------------------


def test_since_accepts_a_later_export_of_the_same_history(tmp_path: Path) -> None:
    chain = make_chain(8, {3})
    old = build(tmp_path / "old.zip", chain=chain[:5])
    new = build(tmp_path / "new.zip", chain=chain)
    out = run("--since", old, new)
    assert out.returncode == 0, out.stdout
    assert "extends the older one" in out.stdout
    # Rewritten history: entry 4 changed and re-chained (possible for the key holder).
    rewritten = make_chain(3, {3}) + [journal_entry(4, str(chain[2]["hash"]), detail={"n": "new"})]
    prev = str(rewritten[-1]["hash"])
    for seq in range(5, 9):
        rewritten.append(journal_entry(seq, prev))
        prev = str(rewritten[-1]["hash"])
    out = run("--since", old, build(tmp_path / "rw.zip", chain=rewritten))
    assert out.returncode == 1 and "does not extend the older one" in out.stdout
    # Another signer.
    other = build(tmp_path / "other.zip", chain=chain, key=OTHER_KEY, declared=OTHER_FP)
    out = run("--since", old, other)
    assert out.returncode == 1 and "different keys" in out.stdout
    # An older export that is not valid itself.
    broken = rezip(old, tmp_path / "bad-old.zip", lambda f: f.update({"README.txt": b"x"}))
    assert run("--since", broken, new).returncode == 1


# --- folders, output safety, no tracebacks ----------------------------------------------------------


def test_the_unzipped_folder_checks_itself(genuine: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(genuine) as zf:
        zf.extractall(tmp_path / "x")
    folder = tmp_path / "x" / BAG
    out = run(cwd=folder, script=folder / "verify_bundle.py")
    assert out.returncode == 0, out.stdout + out.stderr
    (folder / "data/exhibits/SM-1_photo.jpg").write_bytes(b"edited")
    (folder / "data/new\x1b[2J\u202etxt.exe").write_bytes(b"planted")
    out = run(folder)
    assert out.returncode == 1
    assert "INVALID: data/exhibits/SM-1_photo.jpg has changed since export." in out.stdout
    assert "\x1b" not in out.stdout and "\u202e" not in out.stdout
    assert "data/new?[2J?txt.exe was added after export." in out.stdout


def test_hostile_text_never_reaches_the_terminal_raw(genuine: Path, tmp_path: Path) -> None:
    def edit(files: dict[str, bytes]) -> None:
        files["manifest-sha256.txt"] += ("0" * 64 + "  data/\u202eevil\x07.txt\n").encode()

    out = run(rezip(genuine, tmp_path / "t.zip", edit))
    assert out.returncode == 1
    assert all(ch not in out.stdout for ch in "\u202e\x07")


@settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 1 << 30), st.integers(0, 255), st.booleans()), min_size=1, max_size=3
    ),
    cut=st.one_of(st.none(), st.integers(0, 1 << 30)),
)
def test_fuzzed_bundles_give_an_exit_code_never_a_traceback(
    genuine: Path, tmp_path: Path, edits: list[tuple[int, int, bool]], cut: int | None
) -> None:
    """Any mutation: 0, 1 or 2 and a line of text, never an exception; 0 only when every
    member still reads back exactly as exported."""
    data = bytearray(genuine.read_bytes())
    for pos, value, near_end in edits:
        at = len(data) - 1 - pos % 4096 if near_end else pos % len(data)
        data[at] = value
    if cut is not None and cut % 5 == 0:
        del data[cut % len(data) :]
    path = tmp_path / "fuzzed.zip"
    path.write_bytes(bytes(data))
    code, doc = run_json(path)
    assert code in (0, 1, 2)
    if code == 0:
        assert members(path) == members(genuine) or {n: d for n, (d, _) in members(path).items()} == {
            n: d for n, (d, _) in members(genuine).items()
        }


def test_an_internal_error_is_one_line_and_exit_2(genuine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(VB, "open_source", boom)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert VB.main([str(genuine)]) == 2
    assert out.getvalue() == "CANNOT CHECK: The bundle could not be checked (RuntimeError).\n"


# --- portability --------------------------------------------------------------------------------


def test_the_script_is_python_3_8_syntax_and_standard_library_only() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"), feature_version=(3, 8))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    assert "victim_log" not in imported


def _old_pythons() -> list[str]:
    """Real interpreters of the oldest versions we promise (pyenv shims are skipped)."""
    found = []
    for version in ("3.8", "3.9"):
        candidates = [shutil.which(f"python{version}") or ""]
        candidates += map(str, sorted(Path("/root/.pyenv/versions").glob(f"{version}.*/bin/python{version}")))
        for candidate in candidates:
            if candidate and "/shims/" not in candidate and Path(candidate).exists():
                found.append(candidate)
                break
    return found


def test_runs_on_the_oldest_supported_python(genuine: Path, tmp_path: Path) -> None:
    pythons = _old_pythons()
    if not pythons:
        pytest.skip("no Python 3.8 or 3.9 on this machine")
    bad = rezip(
        genuine, tmp_path / "bad.zip", lambda f: f.update({"data/timeline.csv": b"x"}), recompute=True
    )
    for exe in pythons:
        assert run(genuine, python=exe).returncode == 0, exe
        assert run(bad, python=exe).returncode == 1, exe


def _core_verdict(path: Path) -> tuple[int, str | None]:
    """(exit code, the named reason of a refused zip) from victim_log.verify."""
    try:
        return (0 if core_verify.verify_bundle(path).valid else 1), None
    except UnsafeZip as exc:
        return 2, exc.reason
    except NotABundle:
        return 2, "not-a-bundle"


@pytest.fixture(scope="module")
def zip64_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every member with zip64 local headers (what the writer does for a payload of
    unknown size): both checkers must read those records alike too."""
    dest = tmp_path_factory.mktemp("zip64") / "bundle.zip"
    chain = make_chain(4, {2})
    files = {"timeline.csv": b"a,b\n", "journal.jsonl": journal_bytes(chain), "x.bin": bytes(range(256)) * 40}
    bz.write_bag_zip(
        dest,
        BAG,
        [bz.PayloadEntry(p, (lambda d=d: [d]), None) for p, d in files.items()],
        bag_info=[("Signing-Key-Fingerprint", FP), ("Journal-Head", f"4 {chain[-1]['hash']}")],
        tag_files=[bz.verify_script_tag_file()],
        signing_key=KEY,
        timestamp=STAMP,
    )
    return dest


@settings(
    derandomize=True,
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    which=st.sampled_from(["genuine", "zip64"]),
    edits=st.lists(
        st.tuples(st.integers(0, 1 << 30), st.integers(0, 255), st.sampled_from(["any", "head", "tail"])),
        min_size=1,
        max_size=3,
    ),
    cut=st.one_of(st.none(), st.integers(0, 1 << 30)),
)
def test_fuzzed_bundles_get_the_cores_verdict(
    genuine: Path,
    zip64_bundle: Path,
    tmp_path: Path,
    which: str,
    edits: list[tuple[int, int, str]],
    cut: int | None,
) -> None:
    """The two checkers agree on any mutation of a genuine bundle: same exit code, and
    for a refused zip the same named reason. Edits land anywhere, in the first local
    headers, or in the last 4 KiB (signatures, directory, end record)."""
    data = bytearray((genuine if which == "genuine" else zip64_bundle).read_bytes())
    for pos, value, where in edits:
        at = {"any": pos % len(data), "head": pos % 256, "tail": len(data) - 1 - pos % 4096}[where]
        data[at] = value
    if cut is not None and cut % 5 == 0:
        del data[cut % len(data) :]
    path = tmp_path / "fuzzed.zip"
    path.write_bytes(bytes(data))
    code, doc = run_json(path)
    core_code, core_reason = _core_verdict(path)
    assert code == core_code, doc
    if code == 2:
        assert doc["reason"] == core_reason, doc


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    """`python3 verify_bundle.py x.zip | head -1` closed the pipe under the script,
    which then printed a BrokenPipeError traceback while reporting it."""
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"not a zip at all\n" * 10)
    proc = subprocess.Popen(
        [sys.executable, "-I", str(SCRIPT), str(not_zip)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the script writes anything
    err = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err
