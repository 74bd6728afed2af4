"""Cheap Argon2id costs for the test suite, injected from outside the package.

The shipped package reads no test switch (#17.10): any installed copy derives keys at
the costs ``calibrate()`` chooses and refuses weaker ones. The suite still needs an
unlock in milliseconds, so this module replaces, in the process that loads it, two
attributes of ``victim_log.crypto.keys``:

* ``calibrate`` returns :data:`TEST_COST` (one pass over 8 MiB) instead of timing the
  machine;
* ``ACCEPTED_COSTS`` (the range a key file's slot must lie in) admits that cost, so a
  vault made here opens again. Only the lower memory bound moves; everything else
  (and the real policy's constants) stays as shipped.

It patches lazily, when the keys module is first imported (an import hook), so a
subprocess that never touches the vault imports nothing extra. ``tests/conftest.py``
installs it in the pytest process and puts this folder first on ``PYTHONPATH``, so
``sitecustomize.py`` beside it installs it in every Python subprocess the tests start
(the CLI, the crash driver). Tests of the real cost policy restore the originals with
the ``real_kdf_costs`` fixture (:func:`originals`).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing's: every Python the tests start loads this module
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

KEYS = "victim_log.crypto.keys"
TEST_MEMORY_KIB = 8 * 1024
_originals: dict[str, Any] = {}


def _fast_calibrate(target_seconds: float | None = None) -> Any:
    from victim_log.crypto.keys import KdfParams

    return KdfParams(iterations=1, memory_kib=TEST_MEMORY_KIB, lanes=1)


def _apply(keys: ModuleType) -> None:
    if keys.__dict__.get("calibrate") is _fast_calibrate:
        return
    import dataclasses

    _originals.update(calibrate=keys.calibrate, ACCEPTED_COSTS=keys.ACCEPTED_COSTS)
    keys.calibrate = _fast_calibrate  # type: ignore[attr-defined]
    keys.ACCEPTED_COSTS = dataclasses.replace(  # type: ignore[attr-defined]
        keys.ACCEPTED_COSTS, min_memory_kib=TEST_MEMORY_KIB
    )


class _PatchingLoader:
    """Runs the real loader, then patches the fresh module. (Duck-typed, like the
    finder: importing importlib.abc would add 30 ms to every subprocess.)"""

    def __init__(self, inner: Loader) -> None:
        self.inner = inner

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _apply(module)


class _Finder:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != KEYS:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _PatchingLoader(spec.loader)
                return spec  # type: ignore[no-any-return]
        return None


def install() -> None:
    """Patch the keys module now if it is loaded, and whenever it is (re)loaded."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    keys = sys.modules.get(KEYS)
    if keys is not None:
        _apply(keys)


def uninstall() -> None:
    """Put the shipped calibrate() and range back (for the benchmark: real costs)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]
    keys = sys.modules.get(KEYS)
    if keys is not None and keys.__dict__.get("calibrate") is _fast_calibrate:
        for name, value in _originals.items():
            setattr(keys, name, value)


def active() -> bool:
    keys = sys.modules.get(KEYS)
    return keys is not None and keys.__dict__.get("calibrate") is _fast_calibrate


def originals() -> dict[str, Any]:
    """The shipped ``calibrate`` and ``ACCEPTED_COSTS`` (after the patch has run)."""
    return dict(_originals)
