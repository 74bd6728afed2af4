#!/usr/bin/env python3
"""Check a Victim Log export bundle with nothing but Python 3 (3.7 or later).

Usage:
    python3 verify_bundle.py BUNDLE.zip       check the zip file as received
    python3 verify_bundle.py FOLDER           check an unzipped bundle folder
    python3 verify_bundle.py                  inside the unzipped folder: check it

It checks that the zip is safe to open, that every file is listed in the bundle's
manifests with the same SHA-256 (manifest-sha256.txt for the evidence under data/,
tagmanifest-sha256.txt for the other files), that nothing was added or removed, and
the Payload-Oxum (file count and size) in bag-info.txt.

It does NOT check the signature: that needs minisign or ssh-keygen (commands in
README.txt). The signature is what proves who made the bundle; this script proves the
files still match the manifests the signature covers.

Exit status: 0 all files match, 1 problems found, 2 not a bundle or unsafe.
This file is part of Victim Log (GPL-3.0-or-later) and uses only the standard library.
"""

import hashlib
import os
import re
import stat
import sys
import unicodedata
import zipfile
import zlib

MAX_MEMBERS = 100000
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_TAG_FILE = 64 * 1024 * 1024
CHUNK = 1024 * 1024
SIGNATURE_FILES = ("tagmanifest-sha256.txt.minisig", "tagmanifest-sha256.txt.sig")
REQUIRED_LISTED = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")
CORE_FILES = (*REQUIRED_LISTED, "tagmanifest-sha256.txt")
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]{64})[ \t]+(\S.*)\Z")
ESCAPE = re.compile(r"%(25|0[aA]|0[dD])")

SIGNATURE_NOTE = """\
Note: this script does not check the signature, which proves who made the bundle.
To check it, in the unzipped bundle folder run either
    minisign -Vm tagmanifest-sha256.txt -p minisign.pub
or
    ssh-keygen -Y verify -f allowed_signers -I victim-log-export -n victim-log \\
        -s tagmanifest-sha256.txt.sig < tagmanifest-sha256.txt
and compare the key fingerprint with the one the sender gave you (see README.txt)."""


class Unusable(Exception):
    """Not a bundle, or not safe to read."""


def shown(name):
    bad = ("Cc", "Cf", "Cs", "Zl", "Zp")
    return "".join("?" if unicodedata.category(c) in bad else c for c in name)[:200]


def unsafe(name):
    """Why a relative path is unsafe, or None."""
    if not name or len(name.encode("utf-8", "surrogatepass")) > 1024:
        return "an empty or overlong name"
    for ch in name:
        if ch in BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            return "a control character in a name"
    if "\\" in name:
        return "a backslash in a name"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute path"
    for part in name.rstrip("/").split("/"):
        if part in ("", ".", ".."):
            return "a path that climbs out of its folder or is empty"
    return None


def read_chunks(fh):
    while True:
        data = fh.read(CHUNK)
        if not data:
            return
        yield data


# --- two sources of files: a zip, or a folder ----------------------------------------------


class ZipSource:
    def __init__(self, path):
        try:
            self.zf = zipfile.ZipFile(path)
        except Exception:  # hostile input: whatever zipfile raises, it is not usable
            raise Unusable(f"{path} is not a zip file (or it is damaged).") from None
        infos = self.zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Unusable("The zip holds too many files to be a bundle.")
        self.files = {}
        seen = set()
        total_compressed = 0
        for info in infos:
            name = info.filename
            # zipfile turns backslashes into slashes on Windows only; look at the raw name.
            reason = unsafe(getattr(info, "orig_filename", name)) or unsafe(name)
            if reason:
                raise Unusable(f"The zip is unsafe to open: it contains {reason}.")
            folded = unicodedata.normalize("NFC", name).casefold()
            if folded in seen:
                raise Unusable(f"The zip holds two files called {shown(name)}.")
            seen.add(folded)
            if info.flag_bits & 0x41:
                raise Unusable("The zip is password-protected; a bundle never is.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Unusable(f"{name} uses a compression method this script cannot read.")
            mode = info.external_attr >> 16
            if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise Unusable(f"The zip is unsafe to open: {name} is a link or special file.")
            if info.file_size > RATIO_FLOOR and info.file_size > info.compress_size * MAX_RATIO:
                raise Unusable(f"The zip is unsafe to open: {name} is a zip bomb.")
            total_compressed += info.compress_size
            if not name.endswith("/"):
                self.files[name] = info
        if total_compressed > os.path.getsize(path):
            raise Unusable("The zip is unsafe to open: its files overlap (a zip bomb trick).")
        for name in self.files:
            parts = name.split("/")
            for i in range(1, len(parts)):
                if "/".join(parts[:i]) in self.files:
                    raise Unusable(f"The zip uses {name} as both a file and a folder.")
        # The bag folder holds the core files; any one of them identifies it.
        roots = set()
        for n in self.files:
            folder, _, base = n.rpartition("/")
            if base in CORE_FILES and "/" not in folder:
                roots.add(folder + "/" if folder else "")
        if len(roots) != 1:
            raise Unusable("The zip does not hold exactly one bundle (see bagit.txt).")
        self.root = roots.pop()

    def names(self):
        return list(self.files)

    def size(self, name):
        return self.files[name].file_size

    def chunks(self, name):
        with self.zf.open(self.files[name]) as fh:
            yield from read_chunks(fh)


class FolderSource:
    def __init__(self, path):
        if not any(os.path.isfile(os.path.join(path, name)) for name in CORE_FILES):
            raise Unusable(f"{path} is not an unzipped bundle folder (no bagit.txt).")
        self.root = ""
        self.files = {}
        self.links = []
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

    def names(self):
        return list(self.files)

    def size(self, name):
        return os.path.getsize(self.files[name])

    def chunks(self, name):
        with open(self.files[name], "rb") as fh:
            yield from read_chunks(fh)


# --- the checks -------------------------------------------------------------------------------

# What zipfile raises for a damaged or odd member (bad deflate data, CRC mismatch, an
# unknown "version needed"): that member is reported, the rest still checked.
READ_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


class Checker:
    def __init__(self, source):
        self.src = source
        self.problems = []
        self.payload = {}
        self.tags = {}
        for name in source.names():
            if not name.startswith(source.root):
                self.problems.append(f"{shown(name)} was added (outside the bundle folder).")
                continue
            rel = name[len(source.root) :]
            (self.payload if rel.startswith("data/") else self.tags)[rel] = name
        for link in getattr(source, "links", []):
            self.problems.append(f"{shown(link)} is a link or special file, not a bundle file.")

    def sha256(self, full_name):
        h = hashlib.sha256()
        for data in self.src.chunks(full_name):
            h.update(data)
        return h.hexdigest()

    def read(self, rel):
        full = self.tags.get(rel)
        if full is None:
            self.problems.append(f"{rel} is missing.")
            return None
        if self.src.size(full) > MAX_TAG_FILE:
            self.problems.append(f"{rel} is too large to be what it claims.")
            return None
        try:
            return b"".join(self.src.chunks(full))
        except READ_ERRORS:
            self.problems.append(f"{rel} is damaged and cannot be read.")
            return None

    def manifest(self, rel):
        data = self.read(rel)
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.problems.append(f"{rel} is not UTF-8 text.")
            return None
        entries = {}
        for number, line in enumerate(re.split(r"\r\n|\r|\n", text), 1):
            if not line:
                continue
            m = MANIFEST_LINE.match(line)
            if not m:
                self.problems.append(f"{rel} line {number} is not a checksum line.")
                continue
            path = ESCAPE.sub(lambda e: chr(int(e.group(1), 16)), m.group(2))
            if unsafe(path):
                self.problems.append(f"{rel} line {number} names an unsafe path.")
                continue
            entries[path] = m.group(1).lower()
        return entries

    def compare(self, listed, present, manifest_name):
        for path, expected in sorted(listed.items()):
            full = present.get(path)
            if full is None:
                self.problems.append(f"{shown(path)} is missing (listed in {manifest_name}).")
                continue
            try:
                digest = self.sha256(full)
            except READ_ERRORS:
                self.problems.append(f"{shown(path)} is damaged and cannot be read.")
                continue
            if digest != expected:
                self.problems.append(f"{shown(path)} has changed since export.")

    def check_oxum(self, info):
        m = re.search(rb"^Payload-Oxum:[ \t]*([0-9]+)\.([0-9]+)[ \t]*\r?$", info, re.M)
        octets = sum(self.src.size(n) for n in self.payload.values())
        count = len(self.payload)
        if m is None:
            self.problems.append("bag-info.txt has no Payload-Oxum.")
        elif (int(m.group(1)), int(m.group(2))) != (octets, count):
            self.problems.append(
                f"bag-info.txt says the payload is {int(m.group(2))} files "
                f"({int(m.group(1))} bytes), but there are {count} files ({octets} bytes)."
            )

    def run(self):
        bagit = self.read("bagit.txt")
        if bagit is not None and not re.match(rb"BagIt-Version: (1\.0|0\.97)\r?\n", bagit):
            self.problems.append("bagit.txt is not a valid BagIt declaration.")
        info = self.read("bag-info.txt")
        if info is not None:
            self.check_oxum(info)
        tag_listed = self.manifest("tagmanifest-sha256.txt")
        if tag_listed is not None:
            for name in REQUIRED_LISTED:
                if name not in tag_listed:
                    self.problems.append(f"tagmanifest-sha256.txt does not list {name}.")
            self.compare(tag_listed, self.tags, "tagmanifest-sha256.txt")
            unlisted_ok = ("tagmanifest-sha256.txt", *SIGNATURE_FILES)
            for name in sorted(self.tags):
                if name not in tag_listed and name not in unlisted_ok:
                    self.problems.append(f"{shown(name)} was added after export.")
        payload_listed = self.manifest("manifest-sha256.txt")
        if payload_listed is not None:
            self.compare(payload_listed, self.payload, "manifest-sha256.txt")
            for name in sorted(self.payload):
                if name not in payload_listed:
                    self.problems.append(f"{shown(name)} was added after export.")
        if not any(name in self.tags for name in SIGNATURE_FILES):
            self.problems.append("The signature files are missing: the bundle is not signed.")
        return self.problems


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip())
        return 2
    if len(argv) == 2:
        target = argv[1]
    else:
        here = os.path.dirname(os.path.abspath(__file__))
        target = here if os.path.isfile(os.path.join(here, "bagit.txt")) else os.getcwd()
    try:
        source = FolderSource(target) if os.path.isdir(target) else ZipSource(target)
        problems = Checker(source).run()
    except Unusable as exc:
        print(f"CANNOT CHECK: {exc}")
        return 2
    if problems:
        for text in problems:
            print(f"PROBLEM: {text}")
        plural = "" if len(problems) == 1 else "s"
        print(f"RESULT: the bundle does NOT match its manifests ({len(problems)} problem{plural}).")
    else:
        print("RESULT: every file matches the bundle's manifests; nothing added or missing.")
    print()
    print(SIGNATURE_NOTE)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
