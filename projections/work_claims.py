"""Work experience awaiting an employer's answer: what learners stated naming this employer, not yet attested or
disputed. Found through the log's `Stated` facts that name the employer, then each learner's current state decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.learner_record import LearnerRecord, StatedSkill, WorkRecord
from projections.personal_data import PersonalData
from projections.store import LedgerViews

Json = dict[str, Any]
STATED = "WorkExperience.Stated"


@dataclass(frozen=True)
class WorkClaim:
    experience_id: UUID
    learner_id: UUID
    learner_name: str
    kind: str
    employer_name: str
    role: str
    start: date
    end: date | None
    stated_on: date
    skills: tuple[StatedSkill, ...]


def _learners_naming(views: LedgerViews, cursor: Any, employer_id: UUID) -> list[str]:
    rows = views.all(cursor, "SELECT DISTINCT f.learner_id FROM {log} l JOIN {facts} f"
                             " ON f.learner_id = l.learner_id AND f.position = l.position"
                             " WHERE l.fact = ? AND f.fact LIKE ?", (STATED, f'%"employer_id":"{employer_id}"%'))
    return sorted(row["learner_id"] for row in rows)


def _open(stored: Json, employer_id: UUID) -> bool:
    return stored.get("employer_id") == str(employer_id) and not stored["attested_by"] and not stored["disputed"]


def awaiting_attestation(views: LedgerViews, personal: PersonalData, employer_id: UUID) -> list[WorkClaim]:
    """The claims naming the employer that no one has answered yet, oldest statement first; an erased learner's
    claims are no longer asked about."""
    with views.transaction(commit=False) as cursor:
        states = views.learner_states(cursor, _learners_naming(views, cursor, employer_id))
    claims = []
    for learner_id, state in states.items():
        if state.get("erased"):
            continue
        profile = personal.profile(UUID(learner_id), state.get("sealed_profile", "")) or {}
        name = str(profile.get("name") or "A learner who gave no name")
        stored = state["work"]
        claims += [_claim(UUID(learner_id), name, work, str(stored[str(work.experience_id)].get("kind", "")))
                   for work in LearnerRecord.of(state).work if _open(stored[str(work.experience_id)], employer_id)]
    return sorted(claims, key=lambda claim: (claim.stated_on, claim.role, str(claim.experience_id)))


def _claim(learner_id: UUID, name: str, work: WorkRecord, kind: str) -> WorkClaim:
    return WorkClaim(work.experience_id, learner_id, name, kind, work.employer_name, work.role, work.start, work.end,
                     work.stated_on, work.skills)
