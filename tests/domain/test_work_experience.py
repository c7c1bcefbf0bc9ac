"""Work experience: stated by the learner -> attested or disputed by the named employer or placing provider -> ended."""

from datetime import date
from uuid import uuid4

import pytest

from application.commands import AttestWorkExperience, DisputeWorkExperience, EndWorkExperience, StateWorkExperience
from domain.errors import InvalidValue, NotFound, NotPermitted, RuleBroken
from domain.values import Actor, Period
from domain.work_experience import WorkKind
from tests.domain.gwt import COMMUNICATION, TEAMWORK, UNALIGNED, when


@pytest.fixture
def learner(world):
    return world.learner()


@pytest.fixture
def aroha(learner):
    return Actor.learner(learner)


@pytest.fixture
def employer(world):
    return world.employer()


@pytest.fixture
def uni(world):
    return world.provider()


@pytest.fixture
def internship(world, learner, employer, uni):
    return world.experience(learner, world.position(employer, placed_by=uni))


def attest(ledger, actor, experience, skills=(COMMUNICATION.url,), effective=date(2024, 10, 5)):
    return lambda: ledger.execute(actor, AttestWorkExperience(
        experience, confirmed_skills=skills, statement="Led our community notices.", effective=effective,
    ))


# ---- stating -------------------------------------------------------------------------------------------------------

def test_the_learner_states_their_work_experience(ledger, vault, world, learner, aroha, employer):
    position = world.position(employer)
    [stated] = when(ledger, lambda: ledger.execute(aroha, StateWorkExperience(
        learner, position=position, effective=date(2024, 10, 1),
    ))).then(
        ("WorkExperience.Stated", {"learner_id": learner, "actor": aroha}))
    assert stated.position.role == position.role
    assert position.description and stated.position.description != position.description, "her words, sealed"
    assert vault.reveal(learner, stated.position.description) == position.description


def test_work_experience_is_stated_only_by_the_learner(ledger, world, learner, employer, uni):
    position = world.position(employer)
    for someone in (employer, uni, Actor.learner(world.learner()), Actor.admin()):
        when(ledger, lambda s=someone: ledger.execute(s, StateWorkExperience(learner, position=position))).then_refused(
            NotPermitted, "not-permitted")


def test_the_named_employer_must_be_registered(ledger, world, learner, aroha):
    position = world.position(Actor.employer(uuid4()))
    when(ledger, lambda: ledger.execute(aroha, StateWorkExperience(learner, position=position))).then_refused(
        NotFound, "not-found")


def test_the_placing_provider_must_be_registered(ledger, world, learner, aroha):
    position = world.position(placed_by=Actor.provider(uuid4()))
    when(ledger, lambda: ledger.execute(aroha, StateWorkExperience(learner, position=position))).then_refused(
        NotFound, "not-found")


def test_a_position_names_an_employer_and_a_role(ledger, world, learner, aroha):
    for changes in ({"employer_name": ""}, {"role": " "}, {"skills": (COMMUNICATION, COMMUNICATION)}):
        position = world.position(**changes)
        when(ledger, lambda p=position: ledger.execute(aroha, StateWorkExperience(learner, position=p))).then_refused(
            InvalidValue, "invalid-value")


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(InvalidValue):
        Period(date(2024, 7, 1), date(2024, 6, 30))


# ---- attesting and disputing ------------------------------------------------------------------------------------

def test_the_named_employer_attests_confirming_stated_skills(ledger, learner, employer, internship):
    when(ledger, attest(ledger, employer, internship, (COMMUNICATION.url, TEAMWORK.url))).then(
        ("WorkExperience.Attested", {"learner_id": learner, "actor": employer,
                                     "confirmed_skills": (COMMUNICATION.url, TEAMWORK.url)}))


def test_the_placing_provider_attests(ledger, uni, internship):
    when(ledger, attest(ledger, uni, internship)).then(("WorkExperience.Attested", {"actor": uni}))


def test_no_one_else_attests(ledger, world, aroha, internship):
    for someone in (world.employer("Another Council"), world.provider("Other Polytechnic"), aroha, Actor.admin()):
        when(ledger, attest(ledger, someone, internship)).then_refused(NotPermitted, "not-permitted")


def test_an_experience_without_a_named_employer_is_attested_by_no_employer(ledger, world, learner, employer):
    unnamed = world.experience(learner, world.position())
    when(ledger, attest(ledger, employer, unnamed)).then_refused(NotPermitted, "not-permitted")


def test_an_attestation_confirms_only_stated_skills(ledger, employer, internship):
    when(ledger, attest(ledger, employer, internship, (COMMUNICATION.url, UNALIGNED.url))).then_refused(
        InvalidValue, "invalid-value")


def test_an_attestation_cannot_predate_the_experience(ledger, employer, internship):
    when(ledger, attest(ledger, employer, internship, effective=date(2024, 6, 30))).then_refused(
        RuleBroken, "date-out-of-order")


def test_an_experience_is_attested_once(ledger, employer, uni, internship):
    ledger.execute(employer, AttestWorkExperience(internship, effective=date(2024, 10, 5)))
    when(ledger, attest(ledger, employer, internship)).then_refused(RuleBroken, "already-answered")
    when(ledger, attest(ledger, uni, internship)).then_refused(RuleBroken, "already-answered")


def test_the_named_employer_disputes(ledger, vault, learner, employer, internship):
    [disputed] = when(ledger, lambda: ledger.execute(employer, DisputeWorkExperience(
        internship, reason="No record of this intern"))).then(("WorkExperience.Disputed", {"learner_id": learner}))
    assert "intern" not in disputed.reason, "sealed under the learner's key"
    assert vault.reveal(learner, disputed.reason) == "No record of this intern"


def test_a_disputed_experience_is_not_attested_afterwards(ledger, employer, internship):
    ledger.execute(employer, DisputeWorkExperience(internship, reason="No record"))
    when(ledger, attest(ledger, employer, internship)).then_refused(RuleBroken, "already-answered")
    when(ledger, lambda: ledger.execute(employer, DisputeWorkExperience(internship, reason="again"))).then_refused(
        RuleBroken, "already-answered")


def test_no_one_else_disputes(ledger, world, aroha, internship):
    when(ledger, lambda: ledger.execute(aroha, DisputeWorkExperience(internship, reason="x"))).then_refused(
        NotPermitted, "not-permitted")
    other = world.employer("Another Council")
    when(ledger, lambda: ledger.execute(other, DisputeWorkExperience(internship, reason="x"))).then_refused(
        NotPermitted, "not-permitted")


def test_a_dispute_gives_a_reason(ledger, employer, internship):
    when(ledger, lambda: ledger.execute(employer, DisputeWorkExperience(internship, reason=""))).then_refused(
        InvalidValue, "invalid-value")


# ---- ending ----------------------------------------------------------------------------------------------------

@pytest.fixture
def current_job(world, learner, employer):
    return world.experience(learner, world.position(employer, kind=WorkKind.EMPLOYMENT,
                                                    period=Period(date(2024, 7, 1))))


def test_the_learner_records_the_end(ledger, learner, aroha, current_job):
    when(ledger, lambda: ledger.execute(aroha, EndWorkExperience(current_job, ended_on=date(2025, 3, 31)))).then(
        ("WorkExperience.Ended", {"learner_id": learner, "ended_on": date(2025, 3, 31)}))


def test_only_the_learner_records_the_end(ledger, employer, current_job):
    when(ledger, lambda: ledger.execute(employer, EndWorkExperience(
        current_job, ended_on=date(2025, 3, 31),
    ))).then_refused(
        NotPermitted, "not-permitted")


def test_an_experience_ends_once(ledger, aroha, internship, current_job):
    when(ledger, lambda: ledger.execute(aroha, EndWorkExperience(internship, ended_on=date(2025, 3, 31)))).then_refused(
        RuleBroken, "already-ended")
    ledger.execute(aroha, EndWorkExperience(current_job, ended_on=date(2025, 3, 31)))
    when(ledger, lambda: ledger.execute(aroha, EndWorkExperience(
        current_job, ended_on=date(2025, 4, 30),
    ))).then_refused(
        RuleBroken, "already-ended")


def test_an_experience_cannot_end_before_it_starts(ledger, aroha, current_job):
    when(ledger, lambda: ledger.execute(aroha, EndWorkExperience(
        current_job, ended_on=date(2024, 6, 30),
    ))).then_refused(
        RuleBroken, "date-out-of-order")
