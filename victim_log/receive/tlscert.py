"""The receiver's TLS certificate: made for one session, in memory, never on disk in
plaintext.

Python's :mod:`ssl` loads a certificate and key only from a file name. On Linux the
"file" is an anonymous memory file (``memfd_create``: no name in any folder, gone
when closed); elsewhere it is a private temporary file removed as soon as it is read.
Either way the private key in it is encrypted (PKCS#8, under a random password that
lives only in this process), so no plaintext key is ever written anywhere.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import ipaddress
import os
import secrets
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SessionCertificate:
    context: ssl.SSLContext
    der: bytes
    sha256_hex: str  # the QR code's certificate_hash


def make_certificate(address: str) -> SessionCertificate:
    """A new key and self-signed certificate naming ``address``, and a server context."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Victim Log receiver"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    with contextlib.suppress(ValueError):
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), critical=False
        )
    cert = builder.sign(key, hashes.SHA256())
    der = cert.public_bytes(serialization.Encoding.DER)
    password = secrets.token_bytes(32)
    pem = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with _memory_file(pem) as path:
        context.load_cert_chain(str(path), password=password)
    return SessionCertificate(context, der, hashlib.sha256(der).hexdigest())


@contextlib.contextmanager
def _memory_file(data: bytes) -> Iterator[Path]:
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None:
        fd = memfd("victim-log-receiver", 0)
        try:
            os.write(fd, data)
            yield Path(f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
        return
    fd, name = tempfile.mkstemp(prefix="vl-", suffix=".pem")  # mode 0600
    try:
        os.write(fd, data)
        os.close(fd)
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
