"""Enrolments and their assessments, completion and withdrawal."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.commands.base import Command
from domain.frozen import lean_init
from domain.values import AssessmentOutcome, Evidence, SkillLevel


@lean_init
@dataclass(frozen=True)
class Enrol(Command):
    """Enrolling the same learner in the same achievement for the same term finds the existing enrolment."""

    learner_id: UUID
    achievement_id: UUID
    term: str
    effective: date | None = None


@lean_init
@dataclass(frozen=True)
class RecordAssessment(Command):
    enrolment_id: UUID
    title: str
    outcome: AssessmentOutcome
    assessor: str
    score: str = ""
    skill_levels: tuple[SkillLevel, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    assessed_on: date | None = None
    corrects: UUID | None = None


@lean_init
@dataclass(frozen=True)
class CompleteEnrolment(Command):
    enrolment_id: UUID
    effective: date | None = None


@lean_init
@dataclass(frozen=True)
class WithdrawEnrolment(Command):
    enrolment_id: UUID
    reason: str
    effective: date | None = None
