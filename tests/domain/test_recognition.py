"""Recognition of prior learning: applied -> evidence -> decided -> appealed -> revised."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from application.commands import AppealRpl, ApplyForRpl, DecideRpl, RetireAchievement, ReviseRpl, SubmitRplEvidence
from domain.errors import InvalidValue, NotPermitted, RuleBroken
from domain.recognition import RecognitionCase
from domain.values import Actor, Evidence, RplOutcome, SkillLevel
from tests.domain.gwt import UNALIGNED, certificate, rpl_decision, when


@pytest.fixture
def tafe(world):
    return world.provider("Southern Health TAFE")


@pytest.fixture
def learner(world):
    return world.learner()


@pytest.fixture
def sam(learner):
    return Actor.learner(learner)


@pytest.fixture
def care(world, tafe):
    return world.achievement(tafe, certificate())  # 40 credits, aligned to patient care and teamwork


@pytest.fixture
def case(world, tafe, learner, care):
    return world.rpl_case(tafe, learner, care, evidence=2)


@pytest.fixture
def decided(ledger, tafe, case):
    ledger.execute(tafe, DecideRpl(
        case, decision=rpl_decision(RplOutcome.PARTIALLY_GRANTED, Decimal(20)), effective=date(2024, 4, 20),
    ))
    return case


@pytest.fixture
def appealed(ledger, sam, decided):
    ledger.execute(sam, AppealRpl(
        decided, grounds="The ward reference was not considered", effective=date(2024, 4, 25),
    ))
    return decided


def decide(ledger, actor, case, decision=None, effective=date(2024, 4, 20)):
    return lambda: ledger.execute(actor, DecideRpl(case, decision=decision or rpl_decision(), effective=effective))


# ---- applying and evidence ---------------------------------------------------------------------------------------

def test_the_learner_applies(ledger, vault, tafe, learner, sam, care):
    [applied] = when(ledger, lambda: ledger.execute(sam, ApplyForRpl(
        learner, achievement_id=care, claim="Six years in aged care", effective=date(2024, 4, 1),
    ))).then(("RecognitionCase.Applied", {"learner_id": learner, "achievement_id": care}))
    assert "aged care" not in applied.claim, "the learner's words, sealed under their key"
    assert vault.reveal(learner, applied.claim) == "Six years in aged care"


def test_the_achievements_provider_opens_a_case_for_the_learner(ledger, tafe, learner, care):
    when(ledger, lambda: ledger.execute(tafe, ApplyForRpl(learner, achievement_id=care, claim="Transfer"))).then(
        "RecognitionCase.Applied")


def test_no_one_else_opens_a_case(ledger, world, learner, care):
    stranger = Actor.learner(world.learner())
    when(ledger, lambda: ledger.execute(stranger, ApplyForRpl(learner, achievement_id=care, claim="x"))).then_refused(
        NotPermitted, "not-permitted")
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, ApplyForRpl(learner, achievement_id=care, claim="x"))).then_refused(
        NotPermitted, "not-permitted")


def test_an_application_states_a_claim(ledger, learner, sam, care):
    when(ledger, lambda: ledger.execute(sam, ApplyForRpl(learner, achievement_id=care, claim=""))).then_refused(
        InvalidValue, "invalid-value")


def test_no_rpl_for_a_retired_achievement(ledger, tafe, learner, sam, care):
    ledger.execute(tafe, RetireAchievement(care, reason="Replaced by the 2025 certificate"))
    when(ledger, lambda: ledger.execute(sam, ApplyForRpl(learner, achievement_id=care, claim="x"))).then_refused(
        RuleBroken, "achievement-retired")


def test_the_learner_and_the_provider_submit_evidence(ledger, vault, tafe, learner, sam, case):
    [submitted] = when(ledger, lambda: ledger.execute(sam, SubmitRplEvidence(
        case, evidence=Evidence("Employer reference"), effective=date(2024, 4, 3),
    ))).then(("RecognitionCase.EvidenceSubmitted", {"learner_id": learner}))
    assert "reference" not in submitted.evidence.description, "sealed under the learner's key"
    assert vault.reveal(learner, submitted.evidence.description) == "Employer reference"
    when(ledger, lambda: ledger.execute(tafe, SubmitRplEvidence(case, evidence=Evidence("Observation record")))).then(
        "RecognitionCase.EvidenceSubmitted")


def test_no_one_else_submits_evidence(ledger, world, case):
    employer = world.employer()
    when(ledger, lambda: ledger.execute(employer, SubmitRplEvidence(case, evidence=Evidence("x")))).then_refused(
        NotPermitted, "not-permitted")


def test_evidence_cannot_precede_the_application(ledger, sam, case):
    when(ledger, lambda: ledger.execute(sam, SubmitRplEvidence(
        case, evidence=Evidence("x"), effective=date(2024, 3, 1),
    ))
         ).then_refused(RuleBroken, "date-out-of-order")


def test_no_evidence_after_the_decision_unless_appealed(ledger, sam, decided):
    when(ledger, lambda: ledger.execute(sam, SubmitRplEvidence(decided, evidence=Evidence("x")))).then_refused(
        RuleBroken, "case-decided")


def test_evidence_is_accepted_again_during_an_appeal(ledger, sam, appealed):
    when(ledger, lambda: ledger.execute(sam, SubmitRplEvidence(appealed, evidence=Evidence("Ward reference")))).then(
        "RecognitionCase.EvidenceSubmitted")


# ---- deciding ------------------------------------------------------------------------------------------------------

def test_the_provider_holding_the_case_decides(ledger, tafe, learner, case):
    [decided] = when(ledger, decide(ledger, tafe, case)).then(("RecognitionCase.Decided", {"learner_id": learner}))
    assert decided.decision.outcome is RplOutcome.GRANTED
    assert decided.decision.number == 1 and decided.decision.corrects is None


def test_only_the_provider_holding_the_case_decides(ledger, world, sam, case):
    other = world.provider("Other Polytechnic")
    when(ledger, decide(ledger, other, case)).then_refused(NotPermitted, "not-permitted")
    when(ledger, decide(ledger, sam, case)).then_refused(NotPermitted, "not-permitted")


def test_a_case_is_decided_once(ledger, tafe, decided):
    when(ledger, decide(ledger, tafe, decided)).then_refused(RuleBroken, "case-decided")


def test_a_decision_needs_reviewed_evidence(ledger, world, tafe, learner, care):
    no_evidence = world.rpl_case(tafe, learner, care, evidence=0)
    when(ledger, decide(ledger, tafe, no_evidence)).then_refused(InvalidValue, "invalid-value")


def test_a_decision_names_evidence_that_was_submitted(ledger, tafe, case):
    when(ledger, decide(ledger, tafe, case, rpl_decision(reviewed=(0, 2)))).then_refused(InvalidValue, "invalid-value")
    when(ledger, decide(ledger, tafe, case, rpl_decision(reviewed=()))).then_refused(InvalidValue, "invalid-value")


def test_granted_credits_cannot_exceed_the_achievements(ledger, tafe, case):
    when(ledger, decide(ledger, tafe, case, rpl_decision(credits=Decimal(41)))).then_refused(
        RuleBroken, "credits-out-of-bounds")


def test_a_partial_grant_gives_less_than_the_full_credit(ledger, tafe, case):
    when(ledger, decide(ledger, tafe, case, rpl_decision(RplOutcome.PARTIALLY_GRANTED, Decimal(40)))).then_refused(
        InvalidValue, "invalid-value")
    when(ledger, decide(ledger, tafe, case, rpl_decision(RplOutcome.PARTIALLY_GRANTED, Decimal("39.99")))).then(
        "RecognitionCase.Decided")


def test_a_declined_case_grants_nothing(ledger, tafe, case):
    when(ledger, decide(ledger, tafe, case, rpl_decision(RplOutcome.DECLINED, Decimal(5), ()))).then_refused(
        InvalidValue, "invalid-value")
    when(ledger, decide(ledger, tafe, case, rpl_decision(RplOutcome.DECLINED, Decimal(0)))).then_refused(
        InvalidValue, "invalid-value")
    when(ledger, decide(ledger, tafe, case, rpl_decision(RplOutcome.DECLINED, Decimal(0), ()))).then(
        "RecognitionCase.Decided")


def test_a_grant_gives_credit_or_skills(ledger, tafe, case):
    when(ledger, decide(ledger, tafe, case, rpl_decision(RplOutcome.GRANTED, Decimal(0), ()))).then_refused(
        InvalidValue, "invalid-value")


def test_a_grant_recognises_only_skills_the_achievement_is_aligned_to(ledger, tafe, case):
    levels = (SkillLevel(UNALIGNED.url, 3),)
    when(ledger, decide(ledger, tafe, case, rpl_decision(levels=levels))).then_refused(RuleBroken, "skill-not-aligned")


def test_a_decision_cannot_precede_the_application(ledger, tafe, case):
    when(ledger, decide(ledger, tafe, case, effective=date(2024, 3, 31))).then_refused(RuleBroken, "date-out-of-order")


def test_credits_carry_at_most_two_decimals(ledger, tafe, case):
    when(ledger, decide(ledger, tafe, case, rpl_decision(credits=Decimal("10.005")))).then_refused(
        InvalidValue, "invalid-value")


# ---- appeal and revision -------------------------------------------------------------------------------------------

def test_the_learner_appeals_a_decision(ledger, vault, learner, sam, decided):
    [appealed] = when(ledger, lambda: ledger.execute(sam, AppealRpl(
        decided, grounds="Reference not considered", effective=date(2024, 4, 25),
    ))).then(("RecognitionCase.Appealed", {"learner_id": learner}))
    assert vault.reveal(learner, appealed.grounds) == "Reference not considered"


def test_only_the_learner_appeals(ledger, world, tafe, decided):
    when(ledger, lambda: ledger.execute(tafe, AppealRpl(
        decided, grounds="x",
    ))).then_refused(NotPermitted, "not-permitted")
    stranger = Actor.learner(world.learner())
    when(ledger, lambda: ledger.execute(stranger, AppealRpl(
        decided, grounds="x",
    ))).then_refused(NotPermitted, "not-permitted")


def test_an_appeal_follows_a_decision(ledger, sam, case):
    when(ledger, lambda: ledger.execute(sam, AppealRpl(case, grounds="x"))).then_refused(RuleBroken, "case-undecided")


def test_one_appeal_at_a_time(ledger, sam, appealed):
    when(ledger, lambda: ledger.execute(sam, AppealRpl(appealed, grounds="again"))).then_refused(
        RuleBroken, "case-under-appeal")


def test_an_appeal_cannot_precede_the_decision(ledger, sam, decided):
    when(ledger, lambda: ledger.execute(sam, AppealRpl(
        decided, grounds="x", effective=date(2024, 4, 19),
    ))).then_refused(
        RuleBroken, "date-out-of-order")


def test_an_appeal_gives_grounds(ledger, sam, decided):
    when(ledger, lambda: ledger.execute(sam, AppealRpl(
        decided, grounds=" ",
    ))).then_refused(InvalidValue, "invalid-value")


def revise(ledger, actor, case, decision=None, effective=date(2024, 5, 5)):
    decision = decision or rpl_decision(reviewed=(0, 1))
    return lambda: ledger.execute(actor, ReviseRpl(case, decision=decision, effective=effective))


def test_after_an_appeal_the_provider_revises_naming_the_decision_it_corrects(ledger, tafe, learner, appealed):
    [revised] = when(ledger, revise(ledger, tafe, appealed)).then(("RecognitionCase.Revised", {"learner_id": learner}))
    assert revised.decision.number == 2
    assert revised.decision.corrects == 1
    assert revised.decision.credits_granted == Decimal(40)
    case = ledger.load(RecognitionCase, appealed)
    assert not case.appealed and case.decision == revised.decision


def test_a_second_appeal_leads_to_a_third_decision_correcting_the_second(ledger, tafe, sam, appealed):
    ledger.execute(tafe, ReviseRpl(
        appealed, decision=rpl_decision(RplOutcome.PARTIALLY_GRANTED, Decimal(30)), effective=date(2024, 5, 5),
    ))
    ledger.execute(sam, AppealRpl(appealed, grounds="Still short", effective=date(2024, 5, 10)))
    [revised] = when(ledger, revise(ledger, tafe, appealed, effective=date(2024, 5, 20))).then(
        "RecognitionCase.Revised")
    assert (revised.decision.number, revised.decision.corrects) == (3, 2)


def test_a_revision_follows_an_appeal(ledger, tafe, decided, case):
    when(ledger, revise(ledger, tafe, decided)).then_refused(RuleBroken, "case-not-appealed")


def test_an_undecided_case_is_not_revised(ledger, tafe, case):
    when(ledger, revise(ledger, tafe, case)).then_refused(RuleBroken, "case-not-appealed")


def test_only_the_provider_holding_the_case_revises(ledger, world, sam, appealed):
    other = world.provider("Other Polytechnic")
    when(ledger, revise(ledger, other, appealed)).then_refused(NotPermitted, "not-permitted")
    when(ledger, revise(ledger, sam, appealed)).then_refused(NotPermitted, "not-permitted")


def test_a_revision_keeps_credits_within_bounds(ledger, tafe, appealed):
    when(ledger, revise(ledger, tafe, appealed, rpl_decision(credits=Decimal(50)))).then_refused(
        RuleBroken, "credits-out-of-bounds")


def test_a_revision_cannot_precede_the_appeal(ledger, tafe, appealed):
    when(ledger, revise(ledger, tafe, appealed, effective=date(2024, 4, 24))).then_refused(
        RuleBroken, "date-out-of-order")


def test_the_decision_number_is_the_ledgers_not_the_callers(ledger, tafe, appealed):
    forged = replace(rpl_decision(), number=7, corrects=5)
    [revised] = when(ledger, revise(ledger, tafe, appealed, forged)).then("RecognitionCase.Revised")
    assert (revised.decision.number, revised.decision.corrects) == (2, 1)


def test_the_first_decision_number_is_the_ledgers_too(ledger, tafe, case):
    forged = replace(rpl_decision(), number=3, corrects=2)
    [decided] = when(ledger, decide(ledger, tafe, case, forged)).then("RecognitionCase.Decided")
    assert (decided.decision.number, decided.decision.corrects) == (1, None)
