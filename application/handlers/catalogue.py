"""Defining, reviewing and retiring achievements."""

from datetime import date
from uuid import UUID

from application.handlers.base import Change, LedgerBase, Written
from domain.achievement import Achievement, AchievementSpec
from domain.errors import RuleBroken
from domain.values import Actor


class CatalogueCommands(LedgerBase):

    def define_achievement(
        self, actor: Actor, spec: AchievementSpec, *, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            provider = self._registered_provider(actor)
            for qualification_id in spec.stacks_into:
                qualification = self.load(Achievement, qualification_id)
                if not qualification.is_qualification:
                    raise RuleBroken("an achievement stacks only into a qualification", code="not-a-qualification")
                qualification.check_offered()
            achievement = Achievement.define(
                provider_id=provider.id, spec=spec, actor=actor, effective=effective or self.today(),
            )
            return Change(achievement.id, [achievement])

        return self._execute("define_achievement", actor, idempotency_key, (spec,), operation)

    def review_achievement(
        self, actor: Actor, achievement_id: UUID, *, next_review_date: date, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            achievement.review(next_review_date, actor, effective or self.today())
            return Change(achievement.id, [achievement])

        args = (achievement_id, next_review_date, effective)
        return self._execute("review_achievement", actor, idempotency_key, args, operation)

    def retire_achievement(
        self, actor: Actor, achievement_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            achievement.retire(reason, actor, effective or self.today())
            return Change(achievement.id, [achievement])

        args = (achievement_id, reason, effective)
        return self._execute("retire_achievement", actor, idempotency_key, args, operation)
