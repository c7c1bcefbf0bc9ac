"""An enrolment: a learner in an achievement for a term, from enrolled through assessments to completed or withdrawn."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Protocol, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.common import LedgerAggregate, require_text, unique
from domain.errors import InvalidValue, RuleBroken
from domain.frozen import lean_init
from domain.ids import name_based_id
from domain.values import Actor, AssessmentOutcome, Evidence, SkillLevel

ENROLMENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://ler-ledger.example/enrolments")
_SKILL_URL = attrgetter("skill_url")


@lean_init
@dataclass(frozen=True)
class Assessment:
    assessment_id: UUID
    title: str
    outcome: AssessmentOutcome
    score: str
    skill_levels: tuple[SkillLevel, ...]
    evidence: tuple[Evidence, ...]
    assessor: str
    assessed_on: date
    corrects: UUID | None = None

    def checked(self) -> "Assessment":
        require_text(self.title, "assessment title", 300)
        require_text(self.assessor, "assessor", 300)
        unique(self.skill_levels, _SKILL_URL, "skill levels")
        if len(self.score) > 100:
            raise InvalidValue("a score is at most 100 characters")
        return self


class Correctable(Protocol):
    @property
    def assessment_id(self) -> UUID: ...

    @property
    def corrects(self) -> UUID | None: ...


AssessmentLike = TypeVar("AssessmentLike", bound=Correctable)


def uncorrected(assessments: Iterable[AssessmentLike]) -> list[AssessmentLike]:
    """Assessments as amended: a correction stands in for the assessment it corrects (the read side applies the
    same rule to its own records of assessments)."""
    listed = list(assessments)
    corrected = {a.corrects for a in listed if a.corrects}
    return [a for a in listed if a.assessment_id not in corrected]


class Enrolment(LedgerAggregate):
    @staticmethod
    def create_id(learner_id: UUID, achievement_id: UUID, term: str) -> UUID:
        return name_based_id(ENROLMENT_NAMESPACE, f"{learner_id}|{achievement_id}|{term}")

    @classmethod
    def enrol(
        cls, *, learner_id: UUID, achievement_id: UUID, provider_id: UUID, term: str, actor: Actor, effective: date,
    ) -> "Enrolment":
        term = require_text(term, "term", 100)
        return cls.create_with_id(
            "Enrolled", cls.create_id(learner_id, achievement_id, term), learner_id=learner_id,
            achievement_id=achievement_id, provider_id=provider_id, term=term, actor=actor, effective=effective,
        )

    @event("Enrolled")
    def __init__(
        self, learner_id: UUID, achievement_id: UUID, provider_id: UUID, term: str, actor: Actor, effective: date,
    ):
        self.learner_id = learner_id
        self.achievement_id = achievement_id
        self.provider_id = provider_id
        self.term = term
        self.enrolled_on = effective
        self.assessments: dict[UUID, Assessment] = {}
        self.completed_on: date | None = None
        self.withdrawn_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and self.withdrawn_on is None

    def current_assessments(self) -> list[Assessment]:
        return uncorrected(self.assessments.values())

    @property
    def passed(self) -> bool:
        return any(a.outcome is AssessmentOutcome.PASSED for a in self.current_assessments())

    def record_assessment(self, assessment: Assessment, actor: Actor, effective: date) -> None:
        assessment.checked()
        if assessment.assessment_id in self.assessments:
            raise RuleBroken("that assessment is recorded already", code="assessment-exists")
        if assessment.corrects is None and not self.is_open:
            raise RuleBroken("no assessment on a completed or withdrawn enrolment", code="enrolment-closed")
        if assessment.corrects is not None:
            self._check_correctable(assessment.corrects)
        self.check_not_before(assessment.assessed_on, self.enrolled_on, "an assessment")
        self._record_assessment(self.learner_id, assessment, actor, effective)

    def _check_correctable(self, assessment_id: UUID) -> None:
        if self.withdrawn_on is not None:
            raise RuleBroken("no correction on a withdrawn enrolment", code="enrolment-closed")
        if assessment_id not in {a.assessment_id for a in self.current_assessments()}:
            raise RuleBroken(
                "a correction names a current assessment of this enrolment", code="unknown-assessment",
            )

    @event("AssessmentRecorded")
    def _record_assessment(self, learner_id: UUID, assessment: Assessment, actor: Actor, effective: date) -> None:
        self.assessments[assessment.assessment_id] = assessment

    def complete(self, actor: Actor, effective: date) -> None:
        self._check_open()
        if not self.passed:
            raise RuleBroken("an enrolment completes only with a passed assessment", code="not-assessed")
        self.check_not_before(effective, self.enrolled_on, "completion")
        passed_on = min(a.assessed_on for a in self.current_assessments() if a.outcome is AssessmentOutcome.PASSED)
        self.check_not_before(effective, passed_on, "completion")
        self._complete(self.learner_id, actor, effective)

    @event("Completed")
    def _complete(self, learner_id: UUID, actor: Actor, effective: date) -> None:
        self.completed_on = effective

    def withdraw(self, reason: str, actor: Actor, effective: date) -> None:
        self._check_open()
        self.check_not_before(effective, self.enrolled_on, "withdrawal")
        self._withdraw(self.learner_id, require_text(reason, "reason"), actor, effective)

    @event("Withdrawn")
    def _withdraw(self, learner_id: UUID, reason: str, actor: Actor, effective: date) -> None:
        self.withdrawn_on = effective

    def _check_open(self) -> None:
        if not self.is_open:
            raise RuleBroken("the enrolment is already completed or withdrawn", code="enrolment-closed")
