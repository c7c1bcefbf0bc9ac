"""Optimistic concurrency inside one process: a collision re-reads and re-checks; endless collisions give up cleanly.
(The races between real threads run on PostgreSQL in tests/integration.)"""

from datetime import date

from eventsourcing.persistence import IntegrityError

from application import ledger as ledger_module
from application.commands import RevokeCredential
from domain.errors import ConcurrencyConflict, RuleBroken
from tests.domain.gwt import when


def test_a_collision_re_checks_the_rules_against_what_the_winner_wrote(ledger, world, monkeypatch):
    uni = world.provider()
    credential = world.credential(uni)
    save = ledger.save
    calls = []

    def save_after_a_concurrent_revocation(*aggregates):
        if not calls:
            calls.append("collided")
            ledger.execute(uni, RevokeCredential(credential, reason="The other writer"))
            raise IntegrityError("duplicate originator version")
        return save(*aggregates)

    monkeypatch.setattr(ledger, "save", save_after_a_concurrent_revocation)
    monkeypatch.setattr(ledger_module, "BACKOFF_SECONDS", 0)
    outcome = when(ledger, lambda: ledger.execute(uni, RevokeCredential(credential, reason="Ours")))
    assert outcome.names == ["Credential.Revoked"] and outcome.events[0].reason == "The other writer"
    assert isinstance(outcome.error, RuleBroken) and outcome.error.code == "credential-revoked"


def test_endless_collisions_end_in_a_concurrency_conflict_and_record_nothing(ledger, world, monkeypatch):
    uni = world.provider()
    learner, course = world.learner(), world.achievement(uni)
    enrolment = world.enrolment(uni, learner, course)

    def always_collide(*aggregates):
        raise IntegrityError("duplicate originator version")

    monkeypatch.setattr(ledger, "save", always_collide)
    monkeypatch.setattr(ledger_module, "BACKOFF_SECONDS", 0)
    when(ledger, lambda: world.assess(uni, enrolment, assessed_on=date(2024, 5, 20))).then_refused(
        ConcurrencyConflict, "concurrency-conflict")
