"""A plain wheel must carry every runtime file, not only the checkout and the
PyInstaller build: ``pyproject.toml`` lists ``resources/`` as data files, and
``victim_log.resources`` looks for them where pip puts them."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from victim_log import resources

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_lists_every_resource() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = config["tool"]["setuptools"]["data-files"]
    shipped: set[str] = set()
    for target, patterns in data_files.items():
        assert target.startswith("share/victim-log/resources")
        for pattern in patterns:
            for path in ROOT.glob(pattern):
                if path.is_file():
                    shipped.add(path.relative_to(ROOT).as_posix())
                    # installed at the same place below the share folder
                    assert target == "share/victim-log/" + path.parent.relative_to(ROOT).as_posix()
    on_disk = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped == on_disk


def test_resources_are_found_where_a_wheel_puts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path / "share" / "victim-log" / "resources"
    share.mkdir(parents=True)
    (share / "helplines.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(
        resources, "_candidates", lambda real=resources._candidates: real()[1:]
    )  # no checkout beside it
    assert resources.resources_dir() == share
    assert resources.resource_path("helplines.json") == share / "helplines.json"
