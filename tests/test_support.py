"""victim_log.support: a support worker's session attributes what is saved (#18)."""

from __future__ import annotations

import dataclasses

import pytest

from victim_log import support
from victim_log.errors import BadInput
from victim_log.imported import AUTHOR_CONTEXT
from victim_log.model import IncidentData
from victim_log.vault import Vault

PASSPHRASE = "correct horse battery staple"


def test_author_names_worker_and_organisation():
    assert support.support_author(" Ann  Lee ", "Safe Lives") == "support:Ann Lee (Safe Lives)"
    assert support.support_author("Ann Lee") == "support:Ann Lee"
    assert support.worker_of("support:Ann Lee (Safe Lives)") == "Ann Lee (Safe Lives)"
    assert support.worker_of("victim") == ""
    with pytest.raises(BadInput):
        support.support_author("  ")
    with pytest.raises(BadInput):
        support.support_author("Ann\u202eLee")


def test_adds_edits_and_files_are_the_workers_while_acting(vault):
    own = vault.add_incident(IncidentData(summary="Calls at night"))
    vault.acting_author = support.support_author("Ann Lee", "Safe Lives")
    added = vault.add_incident(IncidentData(summary="Followed to work"), files=[("a.png", b"\x89PNG1")])
    vault.edit_incident(own, dataclasses.replace(vault.get_incident(own).data, location="Home"), "place")
    assert vault.get_incident(added).data.author == "support:Ann Lee (Safe Lives)"
    history = vault.incident_history(own)
    assert [v.data.author for v in history] == ["victim", "support:Ann Lee (Safe Lives)"]
    (eid,) = vault.get_incident(added).evidence
    assert vault.evidence.get(eid).added_by == "support:Ann Lee (Safe Lives)"
    assert vault.support_authors([own, added]) == {
        own: "support:Ann Lee (Safe Lives)",
        added: "support:Ann Lee (Safe Lives)",
    }
    vault.acting_author = None
    later = vault.add_incident(IncidentData(summary="A letter"))
    assert vault.get_incident(later).data.author == "victim"
    assert later not in vault.support_authors([later])


def test_imported_records_keep_their_author(vault):
    context = vault.add_incident(IncidentData(summary="please stop", author=AUTHOR_CONTEXT))
    vault.acting_author = "support:Ann Lee"
    vault.edit_incident(context, dataclasses.replace(vault.get_incident(context).data, location="x"), "place")
    assert vault.get_incident(context).data.author == AUTHOR_CONTEXT


def test_a_new_unlock_acts_for_nobody(vault, tmp_path):
    vault.acting_author = "support:Ann Lee"
    vault.lock()
    again = Vault.open(tmp_path / "vault", PASSPHRASE)
    try:
        assert again.acting_author is None
    finally:
        again.lock()
