"""``python -m victim_log.cli``: the same command line as the ``victim-log`` script."""

from . import run

if __name__ == "__main__":  # importing this module (pkgutil.walk_packages) runs nothing
    run()
