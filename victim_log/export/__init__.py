"""The police export: a signed BagIt bag in a zip, and the pieces that build it.

``bagit_zip`` writes the bag (streaming, reproducible), ``sign`` makes the minisign and
SSH signatures over its tag manifest; ``case``, ``pdf`` and ``tables`` decide and render
what is exported. Reading a bundle back is ``victim_log.verify`` (through
``victim_log.safezip``), which needs nothing from this package's writers.
"""
