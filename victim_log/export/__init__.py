"""The police export: a signed BagIt bag in a zip, and the pieces that build it.

``bagit_zip`` writes the bag (streaming, reproducible), ``sign`` makes the minisign and
SSH signatures over its tag manifest, ``zipread`` reads untrusted zips safely for the
verifier (``victim_log.verify``). None of these know about the vault.
"""
