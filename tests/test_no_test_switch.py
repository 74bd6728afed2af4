"""No test switch in shipped crypto (#17.10).

``VICTIM_LOG_TEST_FAST_KDF=1`` once made any installed copy derive keys with one pass
over 8 MiB and accept key files that asked for no more. The suite now injects its
cheap costs from outside the package (tests/kdf_site/), and these tests hold the
package to it: no read of a test-named environment variable anywhere in
``victim_log/``, and a copy started without the tests' patch refuses the tests' costs
whatever the environment says.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import fast_kdf

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from victim_log.crypto import keys
from victim_log.vault import Vault

PACKAGE = Path(__file__).resolve().parents[1] / "victim_log"
ENV_CALLS = {"get", "pop", "setdefault", "getenv", "getenvb", "putenv", "unsetenv"}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"`` assignments, to see through ``environ.get(NAME)``."""
    found: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in ("environ", "environb")) or (
        isinstance(node, ast.Name) and node.id in ("environ", "environb")
    )


def _env_names(tree: ast.Module) -> list[tuple[int, str]]:
    """Every environment variable name the module reads or writes (line, name); a
    name built at run time is reported as ``?`` so it cannot slip by unseen."""
    consts = _constants(tree)

    def name_of(arg: ast.expr) -> str:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, (str, bytes)):
            return arg.value.decode() if isinstance(arg.value, bytes) else arg.value
        if isinstance(arg, ast.Name) and arg.id in consts:
            return consts[arg.id]
        return "?"

    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            func = node.func
            if func.attr in ("getenv", "getenvb", "putenv", "unsetenv") or (
                func.attr in ENV_CALLS and _is_environ(func.value)
            ):
                key = node.args[0]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.args
            and node.func.id in ("getenv", "getenvb")
        ):
            key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            key = node.left
        if key is not None:
            names.append((node.lineno, name_of(key)))
    return names


def test_the_package_reads_no_test_named_environment_variable() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, name in _env_names(tree):
            if "TEST" in name.upper():
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line} reads {name}")
    assert offenders == []


def test_the_scan_sees_the_ways_a_switch_could_be_read() -> None:
    code = (
        "import os\nfrom os import environ, getenv\nFLAG = 'APP_TEST_MODE'\n"
        "a = os.environ.get('X_TEST')\nb = os.getenv(FLAG)\nc = environ['TESTING']\n"
        "d = 'MY_TEST' in os.environ\ne = getenv('QUIET_TEST')\nf = os.environ.get('HOME')\n"
    )
    names = [name for _, name in _env_names(ast.parse(code))]
    assert names == ["X_TEST", "APP_TEST_MODE", "TESTING", "MY_TEST", "QUIET_TEST", "HOME"]


def _clean_env() -> dict[str, str]:
    """This process's environment without the tests' patch, and with the old switch on."""
    env = dict(os.environ, VICTIM_LOG_TEST_FAST_KDF="1", VICTIM_LOG_PASSPHRASE=PASSPHRASE)
    site = str(Path(fast_kdf.__file__).parent)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != site
    )
    return env


def test_an_installed_copy_refuses_the_tests_cheap_costs_whatever_the_environment() -> None:
    """The tests' vault (one pass over 8 MiB) opened by a copy without the tests' patch
    is a weakened key file, even with VICTIM_LOG_TEST_FAST_KDF=1 set."""
    Vault.create(vault_path(), PASSPHRASE)[0].lock()
    proc = subprocess.run(
        [sys.executable, "-m", "victim_log.cli", "list"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "has been changed outside Victim Log" in proc.stderr
    assert "Traceback" not in proc.stderr
    code = (
        "from victim_log.crypto import keys\n"
        "assert keys.ACCEPTED_COSTS.min_memory_kib == keys.MIN_MEMORY_KIB == 65536\n"
        "assert keys.calibrate.__module__ == 'victim_log.crypto.keys'\n"
    )
    subprocess.run([sys.executable, "-c", code], env=_clean_env(), check=True, timeout=60)


def test_the_tests_costs_reach_this_process_and_its_subprocesses() -> None:
    """The patch is what keeps the suite fast: here, and in the CLI it starts."""
    assert keys.calibrate() == keys.KdfParams(1, fast_kdf.TEST_MEMORY_KIB, 1)
    code = "from victim_log.crypto import keys\nprint(keys.calibrate().memory_kib)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == str(fast_kdf.TEST_MEMORY_KIB)
