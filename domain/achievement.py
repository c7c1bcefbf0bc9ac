"""An achievement definition: a micro-credential, course, qualification or competency offered by one provider."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from domain.common import LedgerAggregate, require_text, unique
from domain.errors import InvalidValue, RuleBroken
from domain.values import (
    QUALIFICATION_TYPES,
    AchievementType,
    Actor,
    CreditRule,
    LevelFramework,
    Skill,
    check_credits,
)

NZ_MICRO_CREDENTIAL_CREDITS = (Decimal(5), Decimal(40))


@dataclass(frozen=True)
class AchievementSpec:
    """What a provider states when it defines an achievement."""

    achievement_type: AchievementType
    name: str
    description: str
    criteria: str
    learning_outcomes: tuple[str, ...] = ()
    skills: tuple[Skill, ...] = ()
    credits: Decimal | None = None
    hours: Decimal | None = None
    level: int | None = None
    level_framework: LevelFramework | None = None
    review_date: date | None = None
    credit_rules: tuple[CreditRule, ...] = ()
    stacks_into: tuple[UUID, ...] = ()

    def checked(self, effective: date) -> "AchievementSpec":
        require_text(self.name, "achievement name", 300)
        require_text(self.description, "achievement description")
        require_text(self.criteria, "achievement criteria")
        unique(self.skills, lambda s: s.url, "aligned skills")
        check_credits(self.credits)
        if self.hours is not None and self.hours <= 0:
            raise InvalidValue("notional hours must be positive")
        self._check_level()
        self._check_nz_micro_credential_size()
        if self.review_date is not None and self.review_date <= effective:
            raise InvalidValue("the review date must fall after the definition takes effect")
        if self.credit_rules and self.achievement_type not in QUALIFICATION_TYPES:
            raise InvalidValue("only a qualification (degree, diploma, certificate) carries credit rules")
        accepted = sum(r.max_credits for r in self.credit_rules)
        if self.credits is not None and accepted > self.credits:
            raise InvalidValue("credit rules accept more credits than the qualification carries")
        return self

    def _check_level(self) -> None:
        if (self.level is None) != (self.level_framework is None):
            raise InvalidValue("a level is given together with its framework (AQF, NZQF, EQF)")
        framework = self.level_framework
        if self.level is not None and framework is not None and not 1 <= self.level <= framework.highest_level:
            raise InvalidValue(f"{framework.value} levels run 1 to {framework.highest_level}")

    def _check_nz_micro_credential_size(self) -> None:
        if self.achievement_type is AchievementType.MICRO_CREDENTIAL and self.level_framework is LevelFramework.NZQF:
            low, high = NZ_MICRO_CREDENTIAL_CREDITS
            if self.credits is None or not low <= self.credits <= high:
                raise InvalidValue("an NZQF micro-credential carries 5 to 40 credits")


class Achievement(LedgerAggregate):
    @classmethod
    def define(cls, *, provider_id: UUID, spec: AchievementSpec, actor: Actor, effective: date) -> "Achievement":
        return cls(provider_id, spec.checked(effective), actor, effective)

    @event("Defined")
    def __init__(self, provider_id: UUID, spec: AchievementSpec, actor: Actor, effective: date):
        self.provider_id = provider_id
        self.spec = spec
        self.defined_on = effective
        self.retired = False

    @property
    def is_qualification(self) -> bool:
        return self.spec.achievement_type in QUALIFICATION_TYPES

    def skill(self, url: str) -> Skill | None:
        for found in self.spec.skills:  # not next() over a generator: asked per skill level of each assessment
            if found.url == url:
                return found
        return None

    def check_credits_within(self, credits: Decimal | None) -> None:
        check_credits(credits)
        if credits is not None and self.spec.credits is not None and credits > self.spec.credits:
            raise RuleBroken(
                f"{credits} credits exceed the {self.spec.credits} that {self.spec.name} carries",
                code="credits-out-of-bounds",
            )

    def check_offered(self) -> None:
        if self.retired:
            raise RuleBroken(f"{self.spec.name} is retired", code="achievement-retired")

    def review(self, next_review_date: date, actor: Actor, effective: date) -> None:
        self.check_offered()
        if next_review_date <= effective:
            raise InvalidValue("the next review date must fall after the review")
        self._review(next_review_date, actor, effective)

    @event("Reviewed")
    def _review(self, next_review_date: date, actor: Actor, effective: date) -> None:
        self.spec = AchievementSpec(**{**self.spec.__dict__, "review_date": next_review_date})

    def retire(self, reason: str, actor: Actor, effective: date) -> None:
        self.check_offered()
        self._retire(require_text(reason, "reason"), actor, effective)

    @event("Retired")
    def _retire(self, reason: str, actor: Actor, effective: date) -> None:
        self.retired = True
