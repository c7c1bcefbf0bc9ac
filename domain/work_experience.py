"""Work experience: stated by the learner, attested or disputed by the employer or placing provider, ended."""

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from uuid import UUID

from eventsourcing.domain import event

from domain.common import LedgerAggregate, Sealer, require_text, unique
from domain.errors import InvalidValue, RuleBroken
from domain.values import Actor, Period, Skill


class WorkKind(str, Enum):
    EMPLOYMENT = "employment"
    INTERNSHIP = "internship"
    PLACEMENT = "placement"
    WORK_INTEGRATED_LEARNING = "work-integrated-learning"
    VOLUNTEERING = "volunteering"


@dataclass(frozen=True)
class Position:
    """What the learner states about the work."""

    kind: WorkKind
    employer_name: str
    role: str
    period: Period
    description: str = ""
    skills: tuple[Skill, ...] = ()
    employer_id: UUID | None = None
    placed_by: UUID | None = None

    def checked(self) -> "Position":
        require_text(self.employer_name, "employer name", 300)
        require_text(self.role, "role", 300)
        unique(self.skills, lambda s: s.url, "skills")
        return self

    def sealed(self, seal: Sealer) -> "Position":
        return replace(self, description=seal(self.description))


class WorkExperience(LedgerAggregate):
    @classmethod
    def state(
        cls, *, learner_id: UUID, position: Position, seal: Sealer, actor: Actor, effective: date,
    ) -> "WorkExperience":
        return cls(learner_id, position.checked().sealed(seal), actor, effective)

    @event("Stated")
    def __init__(self, learner_id: UUID, position: Position, actor: Actor, effective: date):
        self.learner_id = learner_id
        self.position = position
        self.attested_by: Actor | None = None
        self.confirmed_skills: tuple[str, ...] = ()
        self.disputed = False
        self.ended_on: date | None = position.period.end

    def _check_unanswered(self) -> None:
        if self.attested_by is not None or self.disputed:
            raise RuleBroken("this experience was already attested or disputed", code="already-answered")

    def attest(
        self, confirmed_skills: tuple[str, ...], statement: str, seal: Sealer, actor: Actor, effective: date,
    ) -> None:
        self._check_unanswered()
        self.check_not_before(effective, self.position.period.start, "an attestation")
        stated = {s.url for s in self.position.skills}
        if not set(confirmed_skills) <= stated:
            raise InvalidValue("an attestation confirms only skills the learner stated")
        self._attest(self.learner_id, confirmed_skills, seal(statement), actor, effective)

    @event("Attested")
    def _attest(
        self, learner_id: UUID, confirmed_skills: tuple[str, ...], statement: str, actor: Actor, effective: date,
    ) -> None:
        self.attested_by = actor
        self.confirmed_skills = confirmed_skills

    def dispute(self, reason: str, seal: Sealer, actor: Actor, effective: date) -> None:
        self._check_unanswered()
        self._dispute(self.learner_id, seal(require_text(reason, "reason")), actor, effective)

    @event("Disputed")
    def _dispute(self, learner_id: UUID, reason: str, actor: Actor, effective: date) -> None:
        self.disputed = True

    def end(self, ended_on: date, actor: Actor, effective: date) -> None:
        if self.ended_on is not None:
            raise RuleBroken("this experience has ended already", code="already-ended")
        self.check_not_before(ended_on, self.position.period.start, "the end")
        self._end(self.learner_id, ended_on, actor, effective)

    @event("Ended")
    def _end(self, learner_id: UUID, ended_on: date, actor: Actor, effective: date) -> None:
        self.ended_on = ended_on
