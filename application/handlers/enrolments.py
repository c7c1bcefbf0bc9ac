"""Enrolments and their assessments, completion and withdrawal."""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from application.handlers.base import Change, LedgerBase, Written
from domain.achievement import Achievement
from domain.enrolment import Assessment, Enrolment
from domain.learner import Learner
from domain.values import Actor, Evidence, SkillLevel


class EnrolmentCommands(LedgerBase):

    def enrol(
        self, actor: Actor, learner_id: UUID, *, achievement_id: UUID, term: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        """Enrolling the same learner in the same achievement for the same term finds the existing enrolment."""

        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            achievement.check_offered()
            learner = self._active_learner(learner_id)
            enrolment = Enrolment.enrol(
                learner_id=learner.id, achievement_id=achievement.id, provider_id=achievement.provider_id,
                term=term, actor=actor, effective=effective or self.today(),
            )
            if self.exists(enrolment.id):
                return Change(enrolment.id)
            self.check_not_before_registration(learner, enrolment.enrolled_on)
            return Change(enrolment.id, [enrolment])

        return self._execute("enrol", actor, idempotency_key, (learner_id, achievement_id, term), operation)

    @staticmethod
    def check_not_before_registration(learner: Learner, effective: date) -> None:
        learner.check_not_before(effective, learner.registered_on, "this fact")

    def record_assessment(
        self, actor: Actor, enrolment_id: UUID, *, title: str, outcome: Any, score: str = "",
        skill_levels: tuple[SkillLevel, ...] = (), evidence: tuple[Evidence, ...] = (), assessor: str,
        assessed_on: date | None = None, corrects: UUID | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            enrolment = self.load(Enrolment, enrolment_id)
            enrolment.check_recorded_by(actor)
            self._active_learner(enrolment.learner_id)
            achievement = self.load(Achievement, enrolment.achievement_id)
            self._check_skills_aligned(achievement, skill_levels)
            assessment = Assessment(
                assessment_id=uuid4(), title=title, outcome=outcome, score=score, skill_levels=skill_levels,
                evidence=evidence, assessor=assessor, assessed_on=assessed_on or self.today(), corrects=corrects,
            )
            enrolment.record_assessment(assessment, actor, assessment.assessed_on)
            return Change(assessment.assessment_id, [enrolment])

        args = (enrolment_id, title, outcome, score, skill_levels, evidence, assessor, assessed_on, corrects)
        return self._execute("record_assessment", actor, idempotency_key, args, operation)

    def complete_enrolment(
        self, actor: Actor, enrolment_id: UUID, *, effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            enrolment = self.load(Enrolment, enrolment_id)
            enrolment.check_recorded_by(actor)
            self._active_learner(enrolment.learner_id)
            enrolment.complete(actor, effective or self.today())
            return Change(enrolment.id, [enrolment])

        return self._execute("complete_enrolment", actor, idempotency_key, (enrolment_id, effective), operation)

    def withdraw_enrolment(
        self, actor: Actor, enrolment_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            enrolment = self.load(Enrolment, enrolment_id)
            enrolment.withdraw(reason, actor, effective or self.today())
            return Change(enrolment.id, [enrolment])

        args = (enrolment_id, reason, effective)
        return self._execute("withdraw_enrolment", actor, idempotency_key, args, operation)
