"""Achievement definitions: size, level, review, credit rules, stacking; reviewed; retired."""

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.commands import DefineAchievement, Enrol, RetireAchievement, ReviewAchievement
from domain.achievement import Achievement
from domain.errors import InvalidValue, NotFound, NotPermitted, RuleBroken
from domain.values import AchievementType, Actor, CreditRule, LevelFramework
from tests.domain.gwt import ADMIN, COMMUNICATION, START, degree, micro_credential, when


@pytest.fixture
def uni(world):
    return world.provider()


def define(ledger, actor, spec, effective=START):
    return lambda: ledger.execute(actor, DefineAchievement(spec, effective=effective))


def test_a_provider_defines_an_achievement(ledger, uni):
    spec = micro_credential()
    [defined] = when(ledger, define(ledger, uni, spec)).then(
        ("Achievement.Defined", {"provider_id": UUID(uni.id), "spec": spec, "effective": START, "actor": uni}))
    assert ledger.load(Achievement, defined.originator_id).spec == spec


@pytest.mark.parametrize("who", ["admin", "learner"])
def test_only_a_provider_defines_achievements(ledger, world, who):
    actor = ADMIN if who == "admin" else Actor.learner(world.learner())
    when(ledger, define(ledger, actor, micro_credential())).then_refused(NotPermitted, "not-permitted")


@pytest.mark.parametrize("credits", [Decimal(5), Decimal(40), Decimal("12.5")])
def test_an_nzqf_micro_credential_carries_5_to_40_credits(ledger, uni, credits):
    when(ledger, define(ledger, uni, micro_credential(credits=credits))).then("Achievement.Defined")


@pytest.mark.parametrize("credits", [Decimal("4.99"), Decimal("40.01"), Decimal(60), None])
def test_an_nzqf_micro_credential_outside_5_to_40_credits_is_refused(ledger, uni, credits):
    when(ledger, define(ledger, uni, micro_credential(credits=credits))).then_refused(InvalidValue, "invalid-value")


def test_other_frameworks_size_micro_credentials_differently(ledger, uni):
    spec = micro_credential(credits=Decimal(1), hours=Decimal(1), level=4, level_framework=LevelFramework.AQF)
    when(ledger, define(ledger, uni, spec)).then("Achievement.Defined")


@pytest.mark.parametrize(("framework", "level"), [
    (LevelFramework.AQF, 10), (LevelFramework.NZQF, 1), (LevelFramework.EQF, 8),
])
def test_levels_within_the_framework(ledger, uni, framework, level):
    when(ledger, define(ledger, uni, degree(level=level, level_framework=framework))).then("Achievement.Defined")


@pytest.mark.parametrize(("framework", "level"), [
    (LevelFramework.AQF, 11), (LevelFramework.NZQF, 0), (LevelFramework.EQF, 9), (None, 5), (LevelFramework.AQF, None),
])
def test_levels_outside_the_framework_or_without_one_are_refused(ledger, uni, framework, level):
    when(ledger, define(ledger, uni, degree(level=level, level_framework=framework))).then_refused(
        InvalidValue, "invalid-value")


@pytest.mark.parametrize("review_date", [START, date(2024, 1, 31)])
def test_the_review_date_falls_after_the_definition(ledger, uni, review_date):
    when(ledger, define(ledger, uni, micro_credential(review_date=review_date))).then_refused(
        InvalidValue, "invalid-value")


def test_a_review_date_after_the_definition(ledger, uni):
    when(ledger, define(ledger, uni, micro_credential(review_date=date(2027, 2, 1)))).then("Achievement.Defined")


@pytest.mark.parametrize("changes", [
    {"name": ""}, {"description": " "}, {"criteria": ""}, {"hours": Decimal(0)}, {"credits": Decimal("15.001")},
    {"credits": Decimal(-1), "level_framework": LevelFramework.AQF},
    {"skills": (COMMUNICATION, COMMUNICATION)},
])
def test_a_definition_is_complete_and_consistent(ledger, uni, changes):
    when(ledger, define(ledger, uni, micro_credential(**changes))).then_refused(InvalidValue, "invalid-value")


def rule(max_credits: Decimal = Decimal(30)) -> CreditRule:
    return CreditRule("Free electives", (AchievementType.MICRO_CREDENTIAL,), max_credits)


def test_a_qualification_carries_credit_rules(ledger, uni):
    when(ledger, define(ledger, uni, degree(credit_rules=(rule(),)))).then("Achievement.Defined")


def test_only_a_qualification_carries_credit_rules(ledger, uni):
    when(ledger, define(ledger, uni, micro_credential(credit_rules=(rule(Decimal(10)),)))).then_refused(
        InvalidValue, "invalid-value")


def test_credit_rules_accept_no_more_than_the_qualification_carries(ledger, uni):
    rules = (rule(Decimal(200)), rule(Decimal(161)))
    when(ledger, define(ledger, uni, degree(credit_rules=rules))).then_refused(InvalidValue, "invalid-value")


def test_a_credit_rule_accepts_some_credits():
    with pytest.raises(InvalidValue):
        rule(Decimal(0))


def test_a_micro_credential_stacks_into_a_qualification(ledger, world, uni):
    bachelor = world.achievement(uni, degree())
    [defined] = when(ledger, define(ledger, uni, micro_credential(stacks_into=(bachelor,)))).then(
        "Achievement.Defined")
    assert defined.spec.stacks_into == (bachelor,)


def test_stacking_into_another_providers_qualification_is_allowed(ledger, world, uni):
    """A degree may accept any provider's micro-credentials as elective credit (its credit rules decide)."""
    other = world.provider("Other University")
    their_degree = world.achievement(other, degree())
    when(ledger, define(ledger, uni, micro_credential(stacks_into=(their_degree,)))).then("Achievement.Defined")


def test_stacking_only_into_qualifications(ledger, world, uni):
    another_micro = world.achievement(uni)
    when(ledger, define(ledger, uni, micro_credential(stacks_into=(another_micro,)))).then_refused(
        RuleBroken, "not-a-qualification")


def test_stacking_into_an_unknown_achievement_is_refused(ledger, uni):
    when(ledger, define(ledger, uni, micro_credential(stacks_into=(uuid4(),)))).then_refused(NotFound, "not-found")


def test_stacking_into_a_retired_qualification_is_refused(ledger, world, uni):
    bachelor = world.achievement(uni, degree())
    ledger.execute(uni, RetireAchievement(bachelor, reason="Programme closed"))
    when(ledger, define(ledger, uni, micro_credential(stacks_into=(bachelor,)))).then_refused(
        RuleBroken, "achievement-retired")


# ---- review and retirement -----------------------------------------------------------------------------------------

@pytest.fixture
def course(world, uni):
    return world.achievement(uni, micro_credential(review_date=date(2025, 2, 1)))


def test_the_provider_reviews_an_achievement(ledger, uni, course):
    when(ledger, lambda: ledger.execute(uni, ReviewAchievement(
        course, next_review_date=date(2028, 2, 1), effective=date(2025, 1, 20),
    ))).then(
        ("Achievement.Reviewed", {"next_review_date": date(2028, 2, 1)}))
    assert ledger.load(Achievement, course).spec.review_date == date(2028, 2, 1)


def test_the_next_review_falls_after_the_review(ledger, uni, course):
    when(ledger, lambda: ledger.execute(uni, ReviewAchievement(
        course, next_review_date=date(2025, 1, 20), effective=date(2025, 1, 20),
    ))).then_refused(
        InvalidValue, "invalid-value")


def test_only_its_provider_reviews_or_retires_an_achievement(ledger, world, course):
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, ReviewAchievement(
        course, next_review_date=date(2028, 1, 1),
    ))).then_refused(
        NotPermitted, "not-permitted")
    when(ledger, lambda: ledger.execute(other, RetireAchievement(course, reason="x"))).then_refused(
        NotPermitted, "not-permitted")


def test_the_provider_retires_an_achievement_once(ledger, uni, course):
    when(ledger, lambda: ledger.execute(uni, RetireAchievement(course, reason="Replaced"))).then(
        ("Achievement.Retired", {"reason": "Replaced"}))
    when(ledger, lambda: ledger.execute(uni, RetireAchievement(course, reason="again"))).then_refused(
        RuleBroken, "achievement-retired")
    when(ledger, lambda: ledger.execute(uni, ReviewAchievement(
        course, next_review_date=date(2028, 1, 1),
    ))).then_refused(
        RuleBroken, "achievement-retired")


def test_no_enrolment_in_a_retired_achievement(ledger, world, uni, course):
    learner = world.learner()
    ledger.execute(uni, RetireAchievement(course, reason="Replaced"))
    when(ledger, lambda: ledger.execute(uni, Enrol(learner, achievement_id=course, term="2025-T1"))).then_refused(
        RuleBroken, "achievement-retired")


def test_a_retirement_gives_a_reason(ledger, uni, course):
    when(ledger, lambda: ledger.execute(uni, RetireAchievement(
        course, reason="",
    ))).then_refused(InvalidValue, "invalid-value")
