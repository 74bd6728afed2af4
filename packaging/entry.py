"""Entry point for frozen builds: the same `main` as the `victim-log` command."""

from victim_log.cli import run

run()
