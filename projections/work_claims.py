"""Work experience awaiting an employer's answer: what learners stated naming this employer, not yet attested or
disputed. Found through the views' index of `Stated` facts by the employer they name, then each learner's current
state decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.learner_record import LearnerRecord, StatedSkill, WorkRecord
from projections.personal_data import PersonalData
from projections.schema import IN_CHUNK
from projections.store import LedgerViews

Json = dict[str, Any]


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
    """Learners who stated work naming the employer, in the order of their first such statement."""
    rows = views.all(cursor, "SELECT learner_id, MIN(position) AS first_position FROM {stated_work}"
                             " WHERE employer_id = ? GROUP BY learner_id ORDER BY first_position", (str(employer_id),))
    return [row["learner_id"] for row in rows]


def _open(stored: Json, employer_id: UUID) -> bool:
    return stored.get("employer_id") == str(employer_id) and not stored["attested_by"] and not stored["disputed"]


def awaiting_attestation(views: LedgerViews, personal: PersonalData, employer_id: UUID,
                         limit: int = 1000) -> list[WorkClaim]:
    """The first `limit` claims naming the employer that no one has answered yet, oldest statement first; an erased
    learner's claims are no longer asked about. Learners' states are read a chunk at a time until enough are found."""
    claims: list[WorkClaim] = []
    with views.transaction(commit=False) as cursor:
        learner_ids = _learners_naming(views, cursor, employer_id)
        chunk = min(IN_CHUNK, limit + 16)  # most learners have one claim waiting: one chunk is usually enough
        for start in range(0, len(learner_ids), chunk):
            states = views.learner_states(cursor, learner_ids[start:start + chunk])
            for learner_id in learner_ids[start:start + chunk]:
                claims += _open_claims(personal, states[learner_id], employer_id)
            if len(claims) >= limit:
                break
    return sorted(claims, key=lambda claim: claim.stated_on)[:limit]  # stable: statement order within a day


def _open_claims(personal: PersonalData, state: Json, employer_id: UUID) -> list[WorkClaim]:
    if state.get("erased"):
        return []
    learner_id = UUID(state["learner_id"])
    stored = state["work"]
    open_work = [work for work in LearnerRecord.of(state).work if _open(stored[str(work.experience_id)], employer_id)]
    if not open_work:
        return []
    profile = personal.profile(learner_id, state.get("sealed_profile", "")) or {}
    name = str(profile.get("name") or "A learner who gave no name")
    return [_claim(learner_id, name, work, str(stored[str(work.experience_id)].get("kind", ""))) for work in open_work]


def _claim(learner_id: UUID, name: str, work: WorkRecord, kind: str) -> WorkClaim:
    return WorkClaim(work.experience_id, learner_id, name, kind, work.employer_name, work.role, work.start, work.end,
                     work.stated_on, work.skills)
