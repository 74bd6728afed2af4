"""No module outside ``victim_log/store/`` runs or writes SQL (#15.1).

Why: when SQL is spread over the importers, the export and the evidence locker, a
change to a table means hunting through the whole package, and a module can write a
row behind the journal's back. Every statement lives in ``victim_log/store/``; the
rest of the package calls its functions or the unit of work
(``with vault.transaction() as tx:``).

The scan reads each module's syntax tree: a call of ``.execute(``, ``.executemany(``
or ``.executescript(`` outside the store fails, and so does a string (not a
docstring) that starts like an SQL statement.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import victim_log

ROOT = Path(victim_log.__file__).parent
STORE = ROOT / "store"
# Modules allowed to run SQL outside store/, each with the reason. Keep it empty.
ALLOWED: dict[str, str] = {}

_SQL = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|"
    r"SAVEPOINT|RELEASE|VACUUM|ATTACH|WITH\s+\w+\s+AS)\b",
)
_CALLS = {"execute", "executemany", "executescript"}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (allowed to mention SQL)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def findings(path: Path) -> list[str]:
    """Where ``path`` runs or spells SQL: ``line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _CALLS:
            found.append(f"{node.lineno}: .{node.func.attr}(...)")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and _SQL.match(node.value)
        ):
            found.append(f"{node.lineno}: {node.value[:40]!r}")
    return found


def test_no_sql_outside_the_store() -> None:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if STORE in path.parents:
            continue
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        problems += [f"victim_log/{name}:{where}" for where in findings(path)]
    assert problems == [], "SQL outside victim_log/store/:\n" + "\n".join(problems)


def test_the_scan_finds_sql(tmp_path: Path) -> None:
    """The scan itself works: each kind of SQL it looks for is found, prose is not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Module doc: SELECT is fine here."""\n'
        "def f(conn):\n"
        '    """INSERT in a docstring is prose."""\n'
        '    conn.execute("x")\n'
        "    conn.executemany(q, rows)\n"
        "    q = 'UPDATE meta SET value = ?'\n"
        '    msg = "Select a file"\n'
        "    return 'BEGIN IMMEDIATE'\n",
        encoding="utf-8",
    )
    assert [f.split(":")[0] for f in findings(sample)] == ["4", "5", "6", "8"]


def _is_vault(node: ast.expr) -> bool:
    """An expression that names a vault object: ``vault``, ``v``, ``self.vault``,
    ``self._vault``, ``session.require()``."""
    if isinstance(node, ast.Name):
        return node.id in {"vault", "v"}
    if isinstance(node, ast.Attribute):
        return node.attr in {"vault", "_vault"}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "require"
    return False


def private_vault_uses(path: Path) -> list[str]:
    """Where ``path`` reaches a vault object's ``_private`` attribute: ``line: name``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and _is_vault(node.value)
        ):
            out.append(f"{node.lineno}: {node.attr}")
    return out


def test_no_module_calls_private_vault_methods() -> None:
    """The unit of work made the private helpers others used (``_next_id``,
    ``_write_record``, ``_add_incidents_tx``, ...) unnecessary: only vault.py may touch
    a vault's private parts."""
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == ROOT / "vault.py":
            continue
        problems += [f"victim_log/{path.relative_to(ROOT).as_posix()}:{w}" for w in private_vault_uses(path)]
    assert problems == []


def test_the_private_scan_finds_them(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(vault, self, session):\n"
        "    vault._next_id('person')\n"
        "    self._vault._records('evidence', 1)\n"
        "    session.require()._load_keyfile(p)\n"
        "    vault.add_person(d)\n"
        "    self._private()\n",
        encoding="utf-8",
    )
    assert [w.split(": ")[1] for w in private_vault_uses(sample)] == ["_next_id", "_records", "_load_keyfile"]
