"""victim_log.cli.gui_start: the app's own start reads its options without building
the whole parser (start-up time, #5), into exactly the namespace the parser makes;
anything unusual goes to the full parser, which answers as it always has."""

from __future__ import annotations

import pytest

from tests.startup_helpers import fresh_python
from victim_log.cli import main
from victim_log.cli.gui_start import gui_args
from victim_log.cli.parser import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["gui"],
        ["gui", "--smoke"],
        ["gui", "--vault", "some dir", "--smoke"],
        ["gui", "--vault=x", "--open-bundle", "b.zip"],
        ["gui", "--passphrase-file", "p", "--vault", "v"],
    ],
)
def test_same_namespace_as_the_parser(argv):
    assert vars(gui_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["add"],
        ["gui", "--help"],
        ["gui", "--vault"],
        ["gui", "--vault", "-x"],
        ["gui", "--smoke", "--smoke"],
        ["gui", "--smoke=1"],
        ["gui", "extra"],
        ["gui", "--vault="],
    ],
)
def test_anything_else_goes_to_the_full_parser(argv):
    assert gui_args(argv) is None


def test_a_mistake_still_gets_the_parsers_usage_error(capsys):
    assert main(["gui", "--no-such-option"]) == 2
    assert "--no-such-option" in capsys.readouterr().err


def test_starting_the_app_does_not_import_the_other_commands():
    loaded = fresh_python(
        "import sys",
        "from victim_log.cli import gui_start",
        "assert gui_start.gui_args(['gui', '--smoke']) is not None",
        "print(','.join(m for m in ('victim_log.cli.parser', 'victim_log.model', 'victim_log.cli.json_contract')"
        " if m in sys.modules))",
    )
    assert loaded == ""
