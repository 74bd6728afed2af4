"""Signatures over the tag manifest, checked by the real minisign and ssh-keygen."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from victim_log.errors import BadInput
from victim_log.export import sign

MINISIGN = shutil.which("minisign")
SSH_KEYGEN = shutil.which("ssh-keygen")
needs_minisign = pytest.mark.skipif(MINISIGN is None, reason="minisign not installed")
needs_ssh_keygen = pytest.mark.skipif(SSH_KEYGEN is None, reason="ssh-keygen not installed")

MESSAGE = b"".join(f"{i:064x}  data/exhibits/SM-{i}_photo.jpg\n".encode() for i in range(1, 40))
COMMENT = "timestamp:1764028800\tfile:tagmanifest-sha256.txt\thashed"


@pytest.fixture
def key() -> sign.Ed25519PrivateKey:
    return sign.private_key_from_bytes(bytes(range(32)))


@pytest.fixture
def signed_dir(tmp_path: Path, key: sign.Ed25519PrivateKey) -> Path:
    """A folder laid out like the top of a bag: message, both signatures, both keys."""
    (tmp_path / sign.SIGNED_FILE_NAME).write_bytes(MESSAGE)
    files = {
        **sign.key_files(key.public_key()),
        **sign.signature_files(key, MESSAGE, trusted_comment=COMMENT),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return tmp_path


def run(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, input=stdin.decode() if stdin else None, capture_output=True, text=True
    )


# --- keys ---------------------------------------------------------------------------------------


def test_private_key_round_trips_as_32_raw_bytes(key: sign.Ed25519PrivateKey) -> None:
    raw = sign.private_key_to_bytes(key)
    assert raw == bytes(range(32))
    again = sign.private_key_from_bytes(raw)
    assert sign.public_key_bytes(again.public_key()) == sign.public_key_bytes(key.public_key())
    fresh = sign.generate_signing_key()
    assert len(sign.private_key_to_bytes(fresh)) == 32


@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(33)])
def test_wrong_length_keys_are_refused_plainly(raw: bytes) -> None:
    with pytest.raises(BadInput, match="wrong length"):
        sign.private_key_from_bytes(raw)
    with pytest.raises(BadInput):
        sign.public_key_from_bytes(raw)


@needs_ssh_keygen
def test_fingerprint_is_what_ssh_keygen_prints(tmp_path: Path, key: sign.Ed25519PrivateKey) -> None:
    pub = tmp_path / "key.pub"
    pub.write_text(sign.ssh_public_key_line(key.public_key()) + " test\n")
    out = run([str(SSH_KEYGEN), "-lf", str(pub)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[1] == sign.fingerprint(key.public_key())


def test_short_fingerprint_is_six_groups_of_hex_from_the_same_digest(
    key: sign.Ed25519PrivateKey,
) -> None:
    short = sign.short_fingerprint(key.public_key())
    assert re.fullmatch(r"([0-9A-F]{4} ){5}[0-9A-F]{4}", short)
    other = sign.short_fingerprint(sign.generate_signing_key().public_key())
    assert other != short


def test_fingerprint_of_a_known_key_is_stable(key: sign.Ed25519PrivateKey) -> None:
    # Pinned so a change to the encoding (which would confuse officers) is noticed.
    public = key.public_key()
    assert sign.fingerprint(public) == "SHA256:lbmsoA0yIEcEiVDRnMWuzm+nV+3ZEEpVIURqFoeSspg"
    assert sign.short_fingerprint(public) == "95B9 ACA0 0D32 2047 0489 50D1"
    assert sign.minisign_public_key_text(public) == "RWQTudqkUkTy4AOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"


# --- minisign -------------------------------------------------------------------------------------


@needs_minisign
def test_minisign_verifies_our_signature_with_pub_file_and_with_key_string(
    signed_dir: Path, key: sign.Ed25519PrivateKey
) -> None:
    by_file = run([str(MINISIGN), "-Vm", sign.SIGNED_FILE_NAME, "-p", "minisign.pub"], signed_dir)
    assert by_file.returncode == 0, by_file.stderr
    assert "Trusted comment: " + COMMENT in by_file.stdout
    pk = sign.minisign_public_key_text(key.public_key())
    by_text = run([str(MINISIGN), "-Vm", sign.SIGNED_FILE_NAME, "-P", pk], signed_dir)
    assert by_text.returncode == 0, by_text.stderr
    strict = run([str(MINISIGN), "-H", "-Vm", sign.SIGNED_FILE_NAME], signed_dir)
    assert strict.returncode == 0, "prehashed form expected"


@needs_minisign
def test_minisign_rejects_a_changed_file(signed_dir: Path) -> None:
    (signed_dir / sign.SIGNED_FILE_NAME).write_bytes(MESSAGE.replace(b"SM-7", b"SM-8"))
    out = run([str(MINISIGN), "-Vm", sign.SIGNED_FILE_NAME], signed_dir)
    assert out.returncode != 0


@needs_minisign
def test_minisign_rejects_a_changed_trusted_comment(signed_dir: Path) -> None:
    sig = signed_dir / sign.MINISIG_NAME
    sig.write_bytes(sig.read_bytes().replace(b"timestamp:1764028800", b"timestamp:1764028801"))
    out = run([str(MINISIGN), "-Vm", sign.SIGNED_FILE_NAME], signed_dir)
    assert out.returncode != 0


@needs_minisign
def test_minisign_rejects_another_key(signed_dir: Path) -> None:
    other = sign.minisign_public_key_text(sign.generate_signing_key().public_key())
    out = run([str(MINISIGN), "-Vm", sign.SIGNED_FILE_NAME, "-P", other], signed_dir)
    assert out.returncode != 0


@needs_minisign
def test_we_verify_signatures_made_by_minisign_itself(tmp_path: Path) -> None:
    gen = run([str(MINISIGN), "-G", "-W", "-p", "m.pub", "-s", "m.key"], tmp_path)
    assert gen.returncode == 0, gen.stderr
    (tmp_path / "file.txt").write_bytes(MESSAGE)
    for extra in ([], ["-l"]):  # prehashed (default) and legacy
        signed = run([str(MINISIGN), "-S", *extra, "-s", "m.key", "-m", "file.txt"], tmp_path)
        if signed.returncode != 0 and extra:
            continue  # a minisign without legacy signing
        assert signed.returncode == 0, signed.stderr
        key_id, public = sign.parse_minisign_public_key((tmp_path / "m.pub").read_bytes())
        parsed = sign.minisign_verify(
            public, (tmp_path / "file.txt.minisig").read_bytes(), MESSAGE, key_id=key_id
        )
        assert parsed.trusted_comment.startswith("timestamp:")
        with pytest.raises(sign.BadSignature):
            sign.minisign_verify(
                public, (tmp_path / "file.txt.minisig").read_bytes(), MESSAGE + b"x", key_id=key_id
            )


def test_minisign_verify_accepts_ours_and_every_single_byte_change_is_caught(
    key: sign.Ed25519PrivateKey,
) -> None:
    public = key.public_key()
    sig = sign.minisign_sign(key, MESSAGE, trusted_comment=COMMENT)
    assert sign.minisign_verify(public, sig, MESSAGE).trusted_comment == COMMENT
    first_line_end = sig.index(b"\n")
    for i in range(first_line_end + 1, len(sig)):  # line 1 is the untrusted comment
        bad = bytearray(sig)
        bad[i] ^= 0x01
        with pytest.raises(sign.BadSignature):
            sign.minisign_verify(public, bytes(bad), MESSAGE)


def test_minisign_comment_must_be_one_line(key: sign.Ed25519PrivateKey) -> None:
    with pytest.raises(BadInput):
        sign.minisign_sign(key, MESSAGE, trusted_comment="two\nlines")


def test_minisign_pub_file_every_byte_change_is_caught_or_changes_the_key(
    key: sign.Ed25519PrivateKey,
) -> None:
    public = key.public_key()
    data = sign.minisign_public_key_file(public)
    comment_end = data.index(b"\n")
    for i in range(comment_end + 1, len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x01
        try:
            key_id, parsed = sign.parse_minisign_public_key(bytes(bad))
        except sign.BadSignature:
            continue
        assert (key_id, sign.public_key_bytes(parsed)) != (
            sign.minisign_key_id(public),
            sign.public_key_bytes(public),
        )


# --- SSHSIG -------------------------------------------------------------------------------------


def ssh_verify(cwd: Path, namespace: str = sign.NAMESPACE, principal: str = sign.PRINCIPAL) -> int:
    out = run(
        [
            str(SSH_KEYGEN),
            "-Y",
            "verify",
            "-f",
            "allowed_signers",
            "-I",
            principal,
            "-n",
            namespace,
            "-s",
            sign.SSHSIG_NAME,
        ],
        cwd,
        stdin=(cwd / sign.SIGNED_FILE_NAME).read_bytes(),
    )
    return out.returncode


@needs_ssh_keygen
def test_ssh_keygen_verifies_our_signature(signed_dir: Path) -> None:
    assert ssh_verify(signed_dir) == 0


@needs_ssh_keygen
def test_ssh_keygen_rejects_changed_file_wrong_namespace_and_wrong_principal(
    signed_dir: Path,
) -> None:
    assert ssh_verify(signed_dir, namespace="file") != 0
    assert ssh_verify(signed_dir, principal="someone-else") != 0
    (signed_dir / sign.SIGNED_FILE_NAME).write_bytes(MESSAGE + b"\n")
    assert ssh_verify(signed_dir) != 0


@needs_ssh_keygen
def test_ssh_keygen_rejects_a_signature_by_another_key(signed_dir: Path, key: sign.Ed25519PrivateKey) -> None:
    other = sign.generate_signing_key()
    (signed_dir / sign.SSHSIG_NAME).write_bytes(sign.sshsig_sign(other, MESSAGE))
    assert ssh_verify(signed_dir) != 0


@needs_ssh_keygen
def test_we_verify_signatures_made_by_ssh_keygen(tmp_path: Path) -> None:
    gen = run([str(SSH_KEYGEN), "-q", "-t", "ed25519", "-N", "", "-f", "id", "-C", "t"], tmp_path)
    assert gen.returncode == 0, gen.stderr
    (tmp_path / "file.txt").write_bytes(MESSAGE)
    signed = run([str(SSH_KEYGEN), "-Y", "sign", "-f", "id", "-n", sign.NAMESPACE, "file.txt"], tmp_path)
    assert signed.returncode == 0, signed.stderr
    public = serialization.load_ssh_public_key((tmp_path / "id.pub").read_bytes())
    assert isinstance(public, Ed25519PublicKey)
    sig = (tmp_path / "file.txt.sig").read_bytes()
    sign.sshsig_verify(public, sig, MESSAGE)
    with pytest.raises(sign.BadSignature):
        sign.sshsig_verify(public, sig, MESSAGE, namespace="file")
    with pytest.raises(sign.BadSignature):
        sign.sshsig_verify(public, sig, MESSAGE[:-1])


def test_sshsig_every_single_byte_change_is_caught(key: sign.Ed25519PrivateKey) -> None:
    public = key.public_key()
    sig = sign.sshsig_sign(key, MESSAGE)
    sign.sshsig_verify(public, sig, MESSAGE)
    for i in range(len(sig)):
        bad = bytearray(sig)
        bad[i] ^= 0x01
        with pytest.raises(sign.BadSignature):
            sign.sshsig_verify(public, bytes(bad), MESSAGE)
    with pytest.raises(sign.BadSignature):
        sign.sshsig_verify(public, sig + b"\n", MESSAGE)


def test_sshsig_namespace_must_not_be_empty(key: sign.Ed25519PrivateKey) -> None:
    with pytest.raises(BadInput):
        sign.sshsig_sign(key, MESSAGE, namespace="")


def test_allowed_signers_round_trips_and_refuses_other_forms(key: sign.Ed25519PrivateKey) -> None:
    public = key.public_key()
    data = sign.allowed_signers_file(public)
    assert data.startswith(b'victim-log-export namespaces="victim-log" ssh-ed25519 AAAA')
    parsed = sign.parse_allowed_signers(data)
    assert sign.public_key_bytes(parsed) == sign.public_key_bytes(public)
    for bad in (
        data.replace(b"victim-log-export", b"someone"),
        data.replace(b'namespaces="victim-log"', b'namespaces="file"'),
        data + data,
        data.rstrip(b"\n"),
        data.replace(b"ssh-ed25519", b"ssh-rsa"),
        b"",
    ):
        with pytest.raises(sign.BadSignature):
            sign.parse_allowed_signers(bad)


def test_signing_is_deterministic(key: sign.Ed25519PrivateKey) -> None:
    a = sign.signature_files(key, MESSAGE, trusted_comment=COMMENT)
    b = sign.signature_files(key, MESSAGE, trusted_comment=COMMENT)
    assert a == b
    assert set(a) == {sign.MINISIG_NAME, sign.SSHSIG_NAME}


def test_small_order_and_non_canonical_keys_are_refused_like_the_standalone_checker() -> None:
    """OpenSSL accepts a small-order public key, under which anyone can forge a signature;
    the core refuses every key the standalone verify_bundle.py refuses."""
    import importlib.util

    from victim_log.export import sign as sign_module
    from victim_log.resources import resource_path

    spec = importlib.util.spec_from_file_location("vb_script", resource_path("verify_bundle.py"))
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    candidates = list(sign_module._SMALL_ORDER_KEYS)
    candidates += [((2**255 - 19) + 1).to_bytes(32, "little")]
    candidates += [
        sign_module.public_key_bytes(sign_module.generate_signing_key().public_key()) for _ in range(3)
    ]
    for raw in candidates:
        script_ok = script.ed25519_public_key_ok(raw)
        try:
            sign_module._load_public(raw, "minisign.pub")
            core_ok = True
        except sign_module.BadSignature:
            core_ok = False
        assert core_ok == script_ok, raw.hex()
    assert not any(script.ed25519_public_key_ok(raw) for raw in sign_module._SMALL_ORDER_KEYS)
