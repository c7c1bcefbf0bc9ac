"""The current skills profile and employer view are kept per learner between reads: after each change of the
learner or of the catalogue, a read that had kept them answers what a read side that kept nothing answers; a share
opening (which changes neither) keeps them. A current CLR is the signed document kept for the learner's position,
read without building the learner."""

from datetime import date

import pytest

from application.commands import DeregisterProvider, Enrol, EraseLearner, RecordAssessment, RecordShareOpening
from domain.errors import NotFound
from domain.values import Actor, AssessmentOutcome, SkillLevel
from ops.demo import load_demo
from projections.skills import Verification
from tests.projections.helpers import caught_up
from wiring.read_side import open_read_side


def demo_told(embedded):
    """The demo loaded and the views caught up: the services, the read side, Aroha and her share link's token."""
    services, read_side = embedded
    ids = load_demo(services.ledger)
    caught_up(read_side, services)
    return services, read_side, ids.ids["aroha"], ids.tokens["share"]


def test_kept_views_follow_each_change_of_the_learner_and_the_catalogue(embedded):
    services, read_side, aroha, token = demo_told(embedded)
    fresh_side = open_read_side(services, run_projections=False)

    def fresh() -> tuple:
        fresh_side.current = type(fresh_side.current)(fresh_side.views)  # a read side that kept nothing
        return fresh_side.skills(aroha), fresh_side.employer_view(token)

    def after(outcome) -> tuple:
        assert read_side.wait_for(outcome.position)
        return read_side.skills(aroha), read_side.employer_view(token)

    try:
        before = read_side.skills(aroha), read_side.employer_view(token)
        assert read_side.skills(aroha) is before[0]  # kept: computed once
        kept = read_side.current.get(str(aroha))
        earlier = kept.record.enrolments[0]
        skill = kept.catalogue.achievement(str(earlier.achievement_id))["spec"]["skills"][0]["url"]
        provider = Actor.provider(earlier.provider_id)
        enrolment = services.ledger.execute(provider, Enrol(aroha, achievement_id=earlier.achievement_id, term="late",
                                                            effective=date(2026, 1, 6))).id
        assessed = services.ledger.execute(provider, RecordAssessment(
            enrolment, title="Late practical", outcome=AssessmentOutcome.PASSED, score="A",
            skill_levels=(SkillLevel(skill, 5),), evidence=(), assessor="Dr Late", assessed_on=date(2026, 1, 7)))
        changed = after(assessed)
        assert changed != before and changed == fresh()
        assert changed[0].skill(skill).level == 5 and before[0].skill(skill).level != 5

        share = read_side.share_by_token(token)
        opened = services.ledger.execute(Actor.employer(share.employer_id), RecordShareOpening(
            aroha, share.share_id, viewer="HR"))
        views, states_read = read_side.current.views, []
        read_state = views.learner_at_version
        views.learner_at_version = lambda *args: states_read.append(args) or read_state(*args)
        try:
            carried = after(opened)
        finally:
            del views.learner_at_version
        assert carried == fresh() and carried[1] is changed[1]  # openings change neither: kept, not computed again
        assert not states_read  # nor is the learner's state read again
        assert carried[0] is changed[0] and carried[0].position < opened.position  # the opening left the state

        deregistered = services.ledger.execute(Actor.admin(), DeregisterProvider(earlier.provider_id, "closed"))
        unverified = after(deregistered)
        assert unverified == fresh() and unverified != changed
        by_provider = [i for i in unverified[0].skill(skill).evidence if i.issuer_id == str(earlier.provider_id)]
        assert by_provider and {i.verification for i in by_provider} == {Verification.UNVERIFIED}

        erased = services.ledger.execute(Actor.admin(), EraseLearner(aroha, reason="asked"))
        assert after(erased) == fresh()
        assert read_side.employer_view(token) is None
    finally:
        fresh_side.close()


def test_a_current_clr_is_answered_from_the_kept_document_without_building_the_learner(embedded):
    services, read_side, aroha, token = demo_told(embedded)
    kept = read_side.documents.sign_clr(str(aroha))  # as the signing step keeps it
    fresh_side = open_read_side(services, run_projections=False)
    try:
        assert fresh_side.clr(aroha) == kept and not fresh_side.current.kept

        share = read_side.share_by_token(token)
        opened = services.ledger.execute(Actor.employer(share.employer_id), RecordShareOpening(
            aroha, share.share_id, viewer="HR"))
        assert read_side.wait_for(opened.position)
        fresh_side.current.kept.clear()
        assert fresh_side.clr(aroha) == kept and not fresh_side.current.kept  # an opening changes no CLR

        erased = services.ledger.execute(Actor.admin(), EraseLearner(aroha, reason="asked"))
        assert read_side.wait_for(erased.position)
        with pytest.raises(NotFound):
            fresh_side.clr(aroha)
    finally:
        fresh_side.close()


def test_a_clr_served_before_is_answered_again_without_reading_its_document_until_the_learner_moves_on(embedded):
    services, read_side, aroha, _ = demo_told(embedded)
    kept = read_side.documents.sign_clr(str(aroha))
    fresh_side = open_read_side(services, run_projections=False)
    rows = fresh_side.served_clrs.views
    documents_read: list[bool] = []

    def counted(learner_id, known=None):
        found = rows.signed_clr(learner_id, known)
        documents_read.append(found is not None and found[2] is not None)
        return found

    fresh_side.served_clrs.views = type("Counted", (), {"signed_clr": staticmethod(counted)})()
    try:
        assert fresh_side.clr(aroha) == kept and documents_read == [True]
        served = fresh_side.clr(aroha)
        assert served == kept and documents_read == [True, False]
        served["id"] = "changed by a caller"
        assert fresh_side.clr(aroha) == kept  # each answer is its own copy

        services.ledger.execute(Actor.admin(), EraseLearner(aroha, reason="asked"))
        caught_up(read_side, services)
        with pytest.raises(NotFound):
            fresh_side.clr(aroha)  # the erasure moved the learner on: the served CLR is not current
    finally:
        fresh_side.close()


def test_a_link_opened_where_its_learner_is_not_kept_reads_the_learner_with_the_link(embedded, monkeypatch):
    services, read_side, aroha, token = demo_told(embedded)
    other_side = open_read_side(services, run_projections=False)
    try:
        assert other_side.current.get(str(aroha)) is not None  # kept there, read by the learner's own statement
        expected = other_side.employer_view(token)
        read_side.current = type(read_side.current)(read_side.views)  # keeps nothing
        read_alone = []
        monkeypatch.setattr(read_side.views, "learner_at_version", lambda *args: read_alone.append(args))
        assert read_side.employer_view(token) == expected
        assert read_alone == [] and read_side.current.get(str(aroha), read_side.share_link(token).version) is not None
    finally:
        other_side.close()


def test_a_link_opened_again_where_its_learner_is_kept_is_looked_up_without_the_learners_state(embedded, monkeypatch):
    services, read_side, aroha, token = demo_told(embedded)
    read_side.current = type(read_side.current)(read_side.views)  # keeps nothing
    looked_up = read_side.views.share_by_token_hash
    sent: list[bool] = []

    def counted(token_hash, kept_position=None):
        found = looked_up(token_hash, kept_position)
        sent.append(found["state"] is not None)
        return found

    monkeypatch.setattr(read_side.views, "share_by_token_hash", counted)
    first = read_side.employer_view(token)
    assert read_side.employer_view(token) == first and sent == [True, False]

    kept = read_side.current.get(str(aroha))
    earlier = kept.record.enrolments[0]
    enrolled = services.ledger.execute(Actor.provider(earlier.provider_id), Enrol(
        aroha, achievement_id=earlier.achievement_id, term="later", effective=date(2026, 1, 6)))
    assert read_side.wait_for(enrolled.position)
    fresh_side = open_read_side(services, run_projections=False)
    try:
        assert read_side.employer_view(token) == fresh_side.employer_view(token) and sent == [True, False, True]
    finally:
        fresh_side.close()
