"""#18.6: every dialog of the shell and the tools fits a small screen.

Qt fixes the screen's size and scale when the application starts, so each case runs
``fit_probe.py`` in its own process on an offscreen screen described by a config
file: a 1024×600 netbook, 1280×720 at 150 % (853×480 to Qt) and 1920×1080 at 200 %
(960×540). The probe opens the main window and each dialog (export with its warnings
shown, settings, change passphrase, new recovery key, backup, import, pattern, send through the police link) and reports any
button not wholly on the screen's available area; form bodies scroll, buttons stay.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

SCREENS = {
    "1024x600": (1024, 600, "1"),
    "1280x720 at 150%": (1280, 720, "1.5"),
    "1920x1080 at 200%": (1920, 1080, "2"),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_dialog_keeps_its_buttons_on_screen(tmp_path: Path, screen: str) -> None:
    width, height, scale = SCREENS[screen]
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "synchronousWindowSystemEvents": True,
                "windowFrameMargins": False,
                "screens": [
                    {
                        "name": "probe",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    home = tmp_path / "probe-home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": scale,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.gui.tools.fit_probe", str(home)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    expected = [round(width / float(scale)), round(height / float(scale))]
    assert [abs(a - b) <= 1 for a, b in zip(report["screen"], expected, strict=True)] == [True, True]
    assert set(report["problems"]) >= {
        "export",
        "settings",
        "change passphrase",
        "backup",
        "import",
        "pattern",
        "send through the police link",
    }
    assert {name: bad for name, bad in report["problems"].items() if bad} == {}
