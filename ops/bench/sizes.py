"""The benchmark's sizes, the skills the catalogue draws from, and what a written data set holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.values import Skill


@dataclass(frozen=True)
class Size:
    name: str
    learners: int
    providers: int
    achievements_per_provider: int
    employers: int
    enrolments: tuple[int, int]  # per learner, min and max
    openings: tuple[int, int]  # per share
    append_saves: int  # saves re-appended per append measurement
    raw_seconds: float  # length of each raw INSERT baseline
    read_samples: int
    http_requests: int
    credential_share: float = 1.0  # of completed enrolments that earn a signed credential
    bulk: bool = False  # the bulk data path (see the module's docstring)
    repetitions: int = 3  # alternated pairs per ratio
    batch_items: int = 1000  # items per POST /v1/events
    long_history: int = 1000  # events of the long enrolment and of the learner with a long record
    history_commands: int = 150  # commands on each enrolment per pair (history section)


SIZES = {
    "tiny": Size("tiny", 12, 2, 3, 2, (1, 2), (0, 2), 300, 0.5, 50, 100, batch_items=100,
                  long_history=100, history_commands=20),
    "quick": Size("quick", 300, 6, 6, 6, (2, 5), (1, 3), 4000, 3.0, 500, 400),
    "full": Size("full", 10_000, 40, 10, 50, (16, 26), (3, 8), 20000, 10.0, 2000, 5000, 0.25, True),  # ~1M events
}

FRAMEWORKS = (
    ("OSMT RSD", "https://osmt.example.edu/api/skills/"),
    ("ESCO", "http://data.europa.eu/esco/skill/"),
    ("CASE", "https://case.example.org/uri/"),
)
SKILL_NAMES = (
    "Written communication", "Oral communication", "Self-management", "Teamwork", "Data analysis", "Python programming",
    "Patient care", "Infection control", "Project planning", "Customer service", "Financial literacy",
    "Critical thinking", "Conflict resolution", "Statistical modelling", "Technical writing", "Leadership",
    "Cloud infrastructure", "Food safety", "Workplace health and safety", "Cultural competence",
)
SKILLS = tuple(
    Skill(f"{base}{name.lower().replace(' ', '-')}", name, framework, f"{framework[:4].upper()}-{i:03d}")
    for i, name in enumerate(SKILL_NAMES)
    for framework, base in (FRAMEWORKS[i % len(FRAMEWORKS)],)
)


@dataclass
class Catalogue:
    providers: list[UUID] = field(default_factory=list)
    achievements: dict[UUID, list[tuple[UUID, tuple[Skill, ...]]]] = field(default_factory=dict)
    employers: list[UUID] = field(default_factory=list)


@dataclass
class Dataset:
    size: Size
    catalogue: Catalogue
    learners: list[UUID]
    credentials: dict[UUID, list[UUID]]  # learner -> credentials held
    shares: list[tuple[UUID, UUID, UUID, str]]  # learner, share id, employer, link token
    saves: list[list[Any]]  # each save's new domain events, in the order written (bulk: the first ones only)
    commands: int
    seconds: float
    events: int  # the log's length
