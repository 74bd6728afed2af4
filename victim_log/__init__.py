"""Victim Log: a private, encrypted diary of stalking and harassment.

The package root and everything below it except ``victim_log.gui`` is the Qt-free
core; it must import with PySide6 absent (a test proves it).
"""

__version__ = "0.1.0"
APP_ID = "org.victimlog.VictimLog"
APP_NAME = "Victim Log"
