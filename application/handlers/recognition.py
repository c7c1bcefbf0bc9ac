"""Recognition of prior learning: application, evidence, decision, appeal, revision."""

from datetime import date
from uuid import UUID

from application.handlers.base import Change, LedgerBase, Written
from domain.achievement import Achievement
from domain.errors import NotPermitted
from domain.recognition import RecognitionCase, RplDecision
from domain.values import Actor, Evidence


class RecognitionCommands(LedgerBase):

    def apply_for_rpl(
        self, actor: Actor, learner_id: UUID, *, achievement_id: UUID, claim: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            learner = self._active_learner(learner_id)
            achievement = self.load(Achievement, achievement_id)
            achievement.check_offered()
            if not (actor.is_learner(learner.id) or actor.is_provider(achievement.provider_id)):
                raise NotPermitted("an RPL case is opened by the learner or the achievement's provider")
            case = RecognitionCase.apply(
                learner_id=learner.id, provider_id=achievement.provider_id, achievement_id=achievement.id,
                claim=claim, actor=actor, effective=effective or self.today(),
            )
            return Change(case.id, [case])

        args = (learner_id, achievement_id, claim, effective)
        return self._execute("apply_for_rpl", actor, idempotency_key, args, operation)

    def submit_rpl_evidence(
        self, actor: Actor, case_id: UUID, *, evidence: Evidence, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            case.submit_evidence(evidence, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, evidence, effective)
        return self._execute("submit_rpl_evidence", actor, idempotency_key, args, operation)

    def decide_rpl(
        self, actor: Actor, case_id: UUID, *, decision: RplDecision, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            achievement = self.load(Achievement, case.achievement_id)
            self._check_skills_aligned(achievement, decision.skill_levels)
            case.decide(decision, achievement.spec.credits, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, decision, effective)
        return self._execute("decide_rpl", actor, idempotency_key, args, operation)

    def appeal_rpl(
        self, actor: Actor, case_id: UUID, *, grounds: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            case.appeal(grounds, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, grounds, effective)
        return self._execute("appeal_rpl", actor, idempotency_key, args, operation)

    def revise_rpl(
        self, actor: Actor, case_id: UUID, *, decision: RplDecision, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            achievement = self.load(Achievement, case.achievement_id)
            self._check_skills_aligned(achievement, decision.skill_levels)
            case.revise(decision, achievement.spec.credits, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, decision, effective)
        return self._execute("revise_rpl", actor, idempotency_key, args, operation)
