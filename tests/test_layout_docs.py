"""README's layout paragraph and docs/ARCHITECTURE.md name every module of the core
and every folder of the GUI (#15): a new module that the next engineer cannot find
in either is a test failure, not a surprise."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "victim_log"


def _readme_layout() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("Layout (more in `docs/ARCHITECTURE.md`")
    return text[start : text.index("\n\n", start)]


def _core_names() -> list[str]:
    modules = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    packages = [p.name + "/" for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "gui"]
    return sorted(modules + packages)


@pytest.mark.parametrize("name", _core_names())
def test_readme_layout_names_each_core_module(name: str) -> None:
    assert f"`{name}`" in _readme_layout(), f"README's layout paragraph does not name {name}"


@pytest.mark.parametrize("name", _core_names())
def test_architecture_names_each_core_module(name: str) -> None:
    assert name in (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "folder", sorted(p.name for p in (PACKAGE / "gui").iterdir() if (p / "__init__.py").exists())
)
def test_readme_layout_names_each_gui_folder(folder: str) -> None:
    assert f"`{folder}/`" in _readme_layout()


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in (PACKAGE / "store").glob("*.py") if p.stem != "__init__")
)
def test_architecture_names_each_store_module(name: str) -> None:
    assert f"store/{name}.py" in (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
