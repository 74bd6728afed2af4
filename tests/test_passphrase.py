"""Passphrase policy and meter (issue #17, finding 9): zxcvbn with what the vault knows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from victim_log import passphrase
from victim_log import vault
from victim_log.errors import BadInput
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.passphrase import check_passphrase_acceptable
from victim_log.passphrase import date_variants
from victim_log.passphrase import passphrase_problem
from victim_log.passphrase import strength
from victim_log.passphrase import vault_user_inputs
from victim_log.vault import Vault


def test_a_name_and_a_birth_date_is_refused() -> None:
    # The review's case: the old meter called it good and the policy let it through.
    assert vault.passphrase_problem("Sam14071990") is not None
    assert strength("Sam14071990").word in {"weak", "fair"}
    assert strength("Sam14071990", ["Sam", "14071990"]).word == "weak"


@pytest.mark.parametrize(
    "weak", ["password1", "abcdabcd", "qwertyuiop", "11111111", "Summer2024", "iloveyou2"]
)
def test_common_and_patterned_passphrases_are_refused(weak: str) -> None:
    problem = passphrase_problem(weak)
    assert problem is not None and weak not in problem
    with pytest.raises(BadInput):
        check_passphrase_acceptable(weak)


@pytest.mark.parametrize(
    "good", [PASSPHRASE, "purple monkey dishwasher", "a brand new passphrase", "another good passphrase"]
)
def test_a_few_unrelated_words_will_do(good: str) -> None:
    assert passphrase_problem(good) is None
    assert strength(good).score >= 3


def test_short_is_refused_with_the_old_advice() -> None:
    assert passphrase_problem("a1b2c3") == passphrase.SHORT


def test_known_names_alone_are_refused_even_when_zxcvbn_alone_likes_them() -> None:
    known = ["Jordan Pryce", "Jordan", "Pryce", "Carlisle"]
    assert passphrase_problem("Jordan Pryce Carlisle") is None  # nothing known: fine
    problem = passphrase_problem("Jordan Pryce Carlisle", known)
    assert problem == passphrase.PERSONAL
    assert "Jordan" not in problem
    assert strength("Jordan Pryce Carlisle", known).word == "weak"
    # A good passphrase that merely contains a known name still does.
    assert passphrase_problem("jordan paints blue lighthouse kettles", known) is None


def test_strength_words_and_scores() -> None:
    assert strength("") == passphrase.Strength(0, "weak")
    assert strength(PASSPHRASE).word == "strong"
    assert [strength(p).score for p in ("password", "Tr0ub4dor&3")] == [0, 4]
    assert strength("x" * 500).word == "weak"  # longer than zxcvbn takes: still judged


def test_date_variants() -> None:
    got = date_variants("born 14/07/1990, moved in 2019-03-02")
    for wanted in ("14071990", "140790", "07141990", "19900714", "1471990", "1990", "02032019", "20190302"):
        assert wanted in got


def test_vault_knows_names_and_dates(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    try:
        v.set_setting("owner_name", "Alex Morgan")
        v.add_person(
            PersonData(
                name="Sam Taylor",
                aliases=("Sammy",),
                phones=("07700 900123",),
                accounts=("@samtee99",),
                notes="born 14/07/1990",
            )
        )
        v.add_order(OrderData(order_type="SPO", made_on="2024-05-01"))
        inputs = vault_user_inputs(v)
        for wanted in (
            "alex morgan",
            "morgan",
            "sam",
            "sammy",
            "samtee99",
            "07700900123",
            "14071990",
            "01052024",
        ):
            assert wanted in inputs
        for guess in ("Sam14071990", "Morgan1990!", "Sammy Samtee99 Taylor"):
            assert passphrase_problem(guess, inputs) is not None, guess
        assert passphrase_problem(PASSPHRASE, inputs) is None
    finally:
        v.lock()


def test_vault_module_uses_the_new_policy() -> None:
    assert vault.passphrase_problem is passphrase.passphrase_problem
    assert vault.check_passphrase_acceptable is passphrase.check_passphrase_acceptable


def test_zxcvbn_stays_off_the_start_up_path() -> None:
    code = "import victim_log.vault, victim_log.passphrase, sys; print('zxcvbn' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"
