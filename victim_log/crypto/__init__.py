"""Cryptography for the vault: key handling and the chunked AEAD that protects evidence blobs."""
