"""The employer skill query: which learners who shared these skills with the employer hold them all, answered from
the skill and share indexes (one row per learner, live share and skill)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.skills import Verification


@dataclass(frozen=True)
class IndexMatch:
    """A learner's indexed skill, granted to the employer by one live share."""

    learner_id: UUID
    share_id: UUID
    skill_url: str
    level: int | None
    last_evidenced: date
    rank: int
    verified_level: int | None
    verified_last: date | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> IndexMatch:
        return cls(UUID(row["learner_id"]), UUID(row["share_id"]), row["skill_url"], row["level"],
                   date.fromisoformat(row["last_evidenced"]), int(row["rank"]), row["verified_level"],
                   date.fromisoformat(row["verified_last"]) if row["verified_last"] else None)


@dataclass(frozen=True)
class SkillMatch:
    skill_url: str
    level: int | None
    last_evidenced: date | None
    verification: Verification


@dataclass(frozen=True)
class LearnerMatch:
    learner_id: UUID
    share_ids: tuple[UUID, ...]
    skills: tuple[SkillMatch, ...]


def learners_holding(rows: Iterable[IndexMatch], wanted: Sequence[str], verified_only: bool) -> list[LearnerMatch]:
    """Learners holding every wanted skill (in the order asked), with the shares that grant them; with
    `verified_only`, the level and date are those of third-party (verified or attested) evidence."""
    shares: dict[UUID, list[UUID]] = {}
    skills: dict[UUID, dict[str, SkillMatch]] = {}
    for row in rows:
        learner_shares = shares.setdefault(row.learner_id, [])
        if row.share_id not in learner_shares:
            learner_shares.append(row.share_id)
        skills.setdefault(row.learner_id, {})[row.skill_url] = SkillMatch(
            row.skill_url, row.verified_level if verified_only else row.level,
            row.verified_last if verified_only else row.last_evidenced, Verification.of_rank(row.rank))
    return [LearnerMatch(learner_id, tuple(shares[learner_id]), tuple(held[url] for url in wanted))
            for learner_id, held in skills.items() if set(held) == set(wanted)]
