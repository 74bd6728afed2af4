"""One module per benchmark case; ``CASES`` is the order they run in.

Each module has ``NAME``, ``TITLE``, ``ISSUE``, ``GOALS`` (every speed goal its issue
states, so an unmeasured goal still shows in the results) and ``run(ctx, report)``.
Modules are listed by name and imported only when they run, so a child process that
needs one case never imports the others.
"""

CASES = (
    "search",
    "evidence",
    "startup",
    "export",
    "imports",
    "faults",
    "exportmem",
    "stats",
    "rekey",
    "receive",
    "iphone",
)
