"""``python -m victim_log.cli``: the same command line as the ``victim-log`` script."""

from . import run

run()
