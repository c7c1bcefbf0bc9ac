"""Enrolment: enrolled -> assessments (and corrections) -> completed or withdrawn."""

from datetime import date
from uuid import uuid4

import pytest

from application.commands import CompleteEnrolment, Enrol, WithdrawEnrolment
from domain.enrolment import Enrolment
from domain.errors import InvalidValue, NotFound, NotPermitted, RuleBroken
from domain.values import Actor, AssessmentOutcome, SkillLevel
from tests.domain.gwt import COMMUNICATION, UNALIGNED, when


@pytest.fixture
def uni(world):
    return world.provider()


@pytest.fixture
def learner(world):
    return world.learner()


@pytest.fixture
def course(world, uni):
    return world.achievement(uni)


@pytest.fixture
def enrolment(world, uni, learner, course):
    return world.enrolment(uni, learner, course)


# ---- enrolling ----------------------------------------------------------------------------------------------------

def test_a_provider_enrols_a_learner_in_its_achievement(ledger, uni, learner, course):
    [enrolled] = when(ledger, lambda: ledger.execute(uni, Enrol(
        learner, achievement_id=course, term="2024-T1", effective=date(2024, 3, 1),
    ))).then(
        ("Enrolment.Enrolled", {"learner_id": learner, "achievement_id": course, "term": "2024-T1",
                                "effective": date(2024, 3, 1), "actor": uni}),
    )
    assert enrolled.originator_id == Enrolment.create_id(learner, course, "2024-T1")


def test_enrolling_again_for_the_same_term_finds_the_same_enrolment(ledger, uni, learner, course, enrolment):
    written = when(ledger, lambda: ledger.execute(uni, Enrol(
        learner, achievement_id=course, term="2024-T1",
    ))).then_nothing()
    assert written.id == enrolment


def test_another_term_is_another_enrolment(ledger, uni, learner, course, enrolment):
    [enrolled] = when(ledger, lambda: ledger.execute(uni, Enrol(
        learner, achievement_id=course, term="2024-T2", effective=date(2024, 7, 1),
    ))).then("Enrolment.Enrolled")
    assert enrolled.originator_id != enrolment


def test_a_provider_enrols_only_in_its_own_achievements(ledger, world, learner, course):
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, Enrol(learner, achievement_id=course, term="2024-T1"))).then_refused(
        NotPermitted, "not-permitted")


def test_a_learner_cannot_enrol_themselves(ledger, learner, course):
    when(ledger, lambda: ledger.execute(Actor.learner(learner), Enrol(
        learner, achievement_id=course, term="T1",
    ))).then_refused(
        NotPermitted, "not-permitted")


def test_enrolling_an_unknown_learner_is_refused(ledger, uni, course):
    when(ledger, lambda: ledger.execute(uni, Enrol(uuid4(), achievement_id=course, term="T1"))).then_refused(
        NotFound, "not-found")


def test_an_enrolment_cannot_precede_the_learners_registration(ledger, uni, learner, course):
    when(ledger, lambda: ledger.execute(uni, Enrol(
        learner, achievement_id=course, term="2023", effective=date(2023, 1, 1),
    ))
         ).then_refused(RuleBroken, "date-out-of-order")


def test_an_enrolment_needs_a_term(ledger, uni, learner, course):
    when(ledger, lambda: ledger.execute(uni, Enrol(learner, achievement_id=course, term="  "))).then_refused(
        InvalidValue, "invalid-value")


# ---- assessments ------------------------------------------------------------------------------------------------

def test_the_enrolling_provider_records_an_assessment(ledger, world, uni, learner, enrolment):
    [recorded] = when(ledger, lambda: world.assess(uni, enrolment)).then(
        ("Enrolment.AssessmentRecorded", {"learner_id": learner, "originator_id": enrolment, "actor": uni,
                                          "effective": date(2024, 5, 20)}),
    )
    assert recorded.assessment.outcome is AssessmentOutcome.PASSED
    assert recorded.assessment.skill_levels == (SkillLevel(COMMUNICATION.url, 4),)


def test_only_the_enrolling_provider_records_assessments(ledger, world, enrolment):
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: world.assess(other, enrolment)).then_refused(NotPermitted, "not-permitted")


def test_a_learner_does_not_assess_themselves(ledger, world, learner, enrolment):
    when(ledger, lambda: world.assess(Actor.learner(learner), enrolment)).then_refused(NotPermitted, "not-permitted")


def test_no_assessment_on_a_withdrawn_enrolment(ledger, world, uni, enrolment):
    ledger.execute(uni, WithdrawEnrolment(enrolment, reason="Moved away", effective=date(2024, 4, 1)))
    when(ledger, lambda: world.assess(uni, enrolment)).then_refused(RuleBroken, "enrolment-closed")


def test_no_assessment_on_a_completed_enrolment(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    when(ledger, lambda: world.assess(uni, enrolment)).then_refused(RuleBroken, "enrolment-closed")


def test_assessed_skills_must_be_skills_the_achievement_is_aligned_to(ledger, world, uni, enrolment):
    when(ledger, lambda: world.assess(uni, enrolment, skill_levels=(SkillLevel(UNALIGNED.url, 3),))).then_refused(
        RuleBroken, "skill-not-aligned")


def test_a_skill_is_levelled_once_per_assessment(ledger, world, uni, enrolment):
    levels = (SkillLevel(COMMUNICATION.url, 3), SkillLevel(COMMUNICATION.url, 4))
    when(ledger, lambda: world.assess(uni, enrolment, skill_levels=levels)).then_refused(InvalidValue, "invalid-value")


def test_skill_levels_run_one_to_five():
    with pytest.raises(InvalidValue):
        SkillLevel(COMMUNICATION.url, 6)
    with pytest.raises(InvalidValue):
        SkillLevel(COMMUNICATION.url, 0)


def test_an_assessment_cannot_precede_the_enrolment(ledger, world, uni, enrolment):
    when(ledger, lambda: world.assess(uni, enrolment, assessed_on=date(2024, 2, 28))).then_refused(
        RuleBroken, "date-out-of-order")


def test_an_assessment_needs_an_assessor(ledger, world, uni, enrolment):
    when(ledger, lambda: world.assess(uni, enrolment, assessor="")).then_refused(InvalidValue, "invalid-value")


# ---- corrections -------------------------------------------------------------------------------------------------

def test_a_correction_names_the_assessment_it_corrects(ledger, world, uni, enrolment):
    first = world.assess(uni, enrolment, outcome=AssessmentOutcome.FAILED)
    [corrected] = when(ledger, lambda: world.assess(uni, enrolment, corrects=first)).then(
        "Enrolment.AssessmentRecorded")
    assert corrected.assessment.corrects == first
    assert ledger.load(Enrolment, enrolment).passed


def test_a_correction_names_an_assessment_of_this_enrolment(ledger, world, uni, enrolment):
    when(ledger, lambda: world.assess(uni, enrolment, corrects=uuid4())).then_refused(RuleBroken, "unknown-assessment")


def test_a_correction_names_a_current_assessment_not_one_already_corrected(ledger, world, uni, enrolment):
    first = world.assess(uni, enrolment)
    world.assess(uni, enrolment, corrects=first)
    when(ledger, lambda: world.assess(uni, enrolment, corrects=first)).then_refused(RuleBroken, "unknown-assessment")


def test_a_completed_enrolment_can_still_be_corrected(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    [passed] = ledger.load(Enrolment, enrolment).current_assessments()
    when(ledger, lambda: world.assess(uni, enrolment, score="B+", corrects=passed.assessment_id)).then(
        ("Enrolment.AssessmentRecorded", {"learner_id": learner}))


def test_no_correction_on_a_withdrawn_enrolment(ledger, world, uni, enrolment):
    first = world.assess(uni, enrolment, outcome=AssessmentOutcome.FAILED)
    ledger.execute(uni, WithdrawEnrolment(enrolment, reason="Left", effective=date(2024, 6, 1)))
    when(ledger, lambda: world.assess(uni, enrolment, corrects=first)).then_refused(RuleBroken, "enrolment-closed")


# ---- completion --------------------------------------------------------------------------------------------------

def test_a_passed_enrolment_completes(ledger, world, uni, learner, enrolment):
    world.assess(uni, enrolment)
    when(ledger, lambda: ledger.execute(uni, CompleteEnrolment(enrolment, effective=date(2024, 5, 25)))).then(
        ("Enrolment.Completed", {"learner_id": learner, "effective": date(2024, 5, 25)}))


def test_completion_needs_a_passed_assessment(ledger, world, uni, enrolment):
    when(ledger, lambda: ledger.execute(uni, CompleteEnrolment(enrolment))).then_refused(RuleBroken, "not-assessed")


def test_a_failed_assessment_does_not_complete(ledger, world, uni, enrolment):
    world.assess(uni, enrolment, outcome=AssessmentOutcome.NOT_YET_COMPETENT)
    when(ledger, lambda: ledger.execute(uni, CompleteEnrolment(enrolment))).then_refused(RuleBroken, "not-assessed")


def test_a_pass_corrected_to_a_fail_does_not_complete(ledger, world, uni, enrolment):
    passed = world.assess(uni, enrolment)
    world.assess(uni, enrolment, outcome=AssessmentOutcome.FAILED, corrects=passed)
    when(ledger, lambda: ledger.execute(uni, CompleteEnrolment(enrolment))).then_refused(RuleBroken, "not-assessed")


def test_completion_cannot_precede_the_passing_assessment(ledger, world, uni, enrolment):
    world.assess(uni, enrolment, assessed_on=date(2024, 5, 20))
    when(ledger, lambda: ledger.execute(uni, CompleteEnrolment(enrolment, effective=date(2024, 5, 19)))).then_refused(
        RuleBroken, "date-out-of-order")


def test_only_the_enrolling_provider_completes(ledger, world, uni, enrolment):
    world.assess(uni, enrolment)
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, CompleteEnrolment(
        enrolment,
    ))).then_refused(NotPermitted, "not-permitted")


def test_an_enrolment_completes_once(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    when(ledger, lambda: ledger.execute(uni, CompleteEnrolment(enrolment))).then_refused(RuleBroken, "enrolment-closed")


# ---- withdrawal --------------------------------------------------------------------------------------------------

def test_the_learner_withdraws(ledger, learner, enrolment):
    when(ledger, lambda: ledger.execute(Actor.learner(learner), WithdrawEnrolment(
        enrolment, reason="Changed jobs", effective=date(2024, 4, 1),
    ))).then(
        ("Enrolment.Withdrawn", {"learner_id": learner, "reason": "Changed jobs"}))


def test_the_enrolling_provider_withdraws(ledger, uni, enrolment):
    when(ledger, lambda: ledger.execute(uni, WithdrawEnrolment(
        enrolment, reason="Fees unpaid", effective=date(2024, 4, 1),
    ))
         ).then("Enrolment.Withdrawn")


def test_no_one_else_withdraws(ledger, world, enrolment):
    stranger = world.learner()
    when(ledger, lambda: ledger.execute(Actor.learner(stranger), WithdrawEnrolment(
        enrolment, reason="x",
    ))).then_refused(
        NotPermitted, "not-permitted")
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, WithdrawEnrolment(enrolment, reason="x"))).then_refused(
        NotPermitted, "not-permitted")


def test_a_completed_enrolment_is_not_withdrawn(ledger, world, uni, learner, course):
    enrolment = world.completed_enrolment(uni, learner, course)
    when(ledger, lambda: ledger.execute(uni, WithdrawEnrolment(enrolment, reason="x"))).then_refused(
        RuleBroken, "enrolment-closed")


def test_a_withdrawal_gives_a_reason(ledger, uni, enrolment):
    when(ledger, lambda: ledger.execute(uni, WithdrawEnrolment(enrolment, reason=" "))).then_refused(
        InvalidValue, "invalid-value")


def test_a_withdrawal_cannot_precede_the_enrolment(ledger, uni, enrolment):
    when(ledger, lambda: ledger.execute(uni, WithdrawEnrolment(enrolment, reason="x", effective=date(2024, 2, 1)))
         ).then_refused(RuleBroken, "date-out-of-order")
