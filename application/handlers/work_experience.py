"""Work experience: stated, attested or disputed, ended."""

from datetime import date
from uuid import UUID

from application.handlers.base import Change, LedgerBase, Written
from domain.employer import Employer
from domain.provider import Provider
from domain.values import Actor
from domain.work_experience import Position, WorkExperience


class WorkExperienceCommands(LedgerBase):

    def state_work_experience(
        self, actor: Actor, learner_id: UUID, *, position: Position, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            learner = self._active_learner(learner_id)
            if position.employer_id is not None:
                self.load(Employer, position.employer_id)
            if position.placed_by is not None:
                self.load(Provider, position.placed_by)
            experience = WorkExperience.state(
                learner_id=learner.id, position=position, actor=actor, effective=effective or self.today(),
            )
            return Change(experience.id, [experience])

        args = (learner_id, position, effective)
        return self._execute("state_work_experience", actor, idempotency_key, args, operation)

    def attest_work_experience(
        self, actor: Actor, experience_id: UUID, *, confirmed_skills: tuple[str, ...] = (), statement: str = "",
        effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            experience = self.load(WorkExperience, experience_id)
            self._active_learner(experience.learner_id)
            experience.attest(confirmed_skills, statement, actor, effective or self.today())
            return Change(experience.id, [experience])

        args = (experience_id, confirmed_skills, statement, effective)
        return self._execute("attest_work_experience", actor, idempotency_key, args, operation)

    def dispute_work_experience(
        self, actor: Actor, experience_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            experience = self.load(WorkExperience, experience_id)
            experience.dispute(reason, actor, effective or self.today())
            return Change(experience.id, [experience])

        args = (experience_id, reason, effective)
        return self._execute("dispute_work_experience", actor, idempotency_key, args, operation)

    def end_work_experience(
        self, actor: Actor, experience_id: UUID, *, ended_on: date, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            experience = self.load(WorkExperience, experience_id)
            self._active_learner(experience.learner_id)
            experience.end(ended_on, actor, self.today())
            return Change(experience.id, [experience])

        return self._execute("end_work_experience", actor, idempotency_key, (experience_id, ended_on), operation)
