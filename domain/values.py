"""Value objects and enumerations carried inside events. Their class names are part of the stored format."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID

from domain.errors import InvalidValue
from domain.frozen import lean_init

Sealer = Callable[[str], str]
"""Seals a learner's personal text under their own key, which erasure destroys: rules read the plain text first."""


class ActorKind(str, Enum):
    ADMIN = "admin"
    PROVIDER = "provider"
    LEARNER = "learner"
    EMPLOYER = "employer"


@dataclass(frozen=True)
class Actor:
    """Who did it: a principal of the ledger."""

    kind: ActorKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind._value_}:{self.id}"  # _value_, not the property value: an idempotency claim per batch item

    @classmethod
    def admin(cls) -> "Actor":
        return cls(ActorKind.ADMIN, "admin")

    @classmethod
    def provider(cls, provider_id: UUID) -> "Actor":
        return cls(ActorKind.PROVIDER, str(provider_id))

    @classmethod
    def learner(cls, learner_id: UUID) -> "Actor":
        return cls(ActorKind.LEARNER, str(learner_id))

    @classmethod
    def employer(cls, employer_id: UUID) -> "Actor":
        return cls(ActorKind.EMPLOYER, str(employer_id))

    def is_provider(self, provider_id: UUID) -> bool:
        return self.kind is ActorKind.PROVIDER and self.id == _text_of(provider_id)

    def is_learner(self, learner_id: UUID) -> bool:
        return self.kind is ActorKind.LEARNER and self.id == str(learner_id)

    def is_employer(self, employer_id: UUID) -> bool:
        return self.kind is ActorKind.EMPLOYER and self.id == str(employer_id)


def last_text_kept() -> Callable[[object], str]:
    """``str``, keeping the last value asked and its text: a batch's items ask about the same object each time (its
    provider's id, its actor)."""
    last: list[tuple[object, str]] = [(None, "")]

    def text_of(value: object) -> str:
        seen, text = last[0]
        if seen is not value:
            text = str(value)
            last[0] = (value, text)  # one reference swapped: another thread sees the old pair or the new
        return text

    return text_of


_text_of = last_text_kept()


class AchievementType(str, Enum):
    """A subset of OB 3.0 achievementType values."""

    MICRO_CREDENTIAL = "MicroCredential"
    COURSE = "Course"
    CERTIFICATE = "Certificate"
    COMPETENCY = "Competency"
    DEGREE = "Degree"
    DIPLOMA = "Diploma"
    BADGE = "Badge"
    CERTIFICATION = "Certification"
    LICENSE = "License"


QUALIFICATION_TYPES = frozenset({AchievementType.DEGREE, AchievementType.DIPLOMA, AchievementType.CERTIFICATE})


class LevelFramework(str, Enum):
    AQF = "AQF"
    NZQF = "NZQF"
    EQF = "EQF"

    @property
    def highest_level(self) -> int:
        return 8 if self is LevelFramework.EQF else 10


class AssessmentOutcome(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_YET_COMPETENT = "not-yet-competent"


class RplOutcome(str, Enum):
    GRANTED = "granted"
    PARTIALLY_GRANTED = "partially-granted"
    DECLINED = "declined"


MAX_SKILL_LEVEL = 5


@dataclass(frozen=True)
class Skill:
    """A named capability in a framework (RSD, ESCO, CASE, or a provider's own list); `url` is its canonical id."""

    url: str
    name: str
    framework: str
    code: str = ""

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://", "urn:")) or " " in self.url:
            raise InvalidValue(f"skill url must be an absolute URL without spaces: {self.url!r}")
        if not self.name.strip():
            raise InvalidValue("skill name is required")


@lean_init
@dataclass(frozen=True)
class SkillLevel:
    """A level (1 to 5) demonstrated for one skill."""

    skill_url: str
    level: int

    def __post_init__(self) -> None:
        if not 1 <= self.level <= MAX_SKILL_LEVEL:
            raise InvalidValue(f"skill level must be 1 to {MAX_SKILL_LEVEL}, got {self.level}")


@lean_init
@dataclass(frozen=True)
class Evidence:
    description: str
    url: str = ""

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise InvalidValue("evidence needs a description")

    def sealed(self, seal: Sealer) -> "Evidence":
        return Evidence(seal(self.description), seal(self.url))


@dataclass(frozen=True)
class CreditRule:
    """A qualification accepts up to `max_credits` from achievements of `accepts` type (from one provider, or any)."""

    label: str
    accepts: tuple[AchievementType, ...]
    max_credits: Decimal
    from_provider_id: str = ""
    accepts_rpl: bool = True

    def __post_init__(self) -> None:
        check_credits(self.max_credits)
        if self.max_credits <= 0:
            raise InvalidValue("a credit rule must accept some credits")


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise InvalidValue(f"period ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class Identifier:
    """An identifier of a learner or provider in some scheme (student number, national id, accreditation)."""

    scheme: str
    value: str

    def __post_init__(self) -> None:
        if not self.scheme.strip() or not self.value.strip():
            raise InvalidValue("an identifier needs a scheme and a value")


def check_credits(credits: Decimal | None) -> None:
    if credits is None:
        return
    if credits < 0:
        raise InvalidValue(f"credits cannot be negative: {credits}")
    if credits != credits.quantize(Decimal("0.01")):
        raise InvalidValue(f"credits carry at most two decimals: {credits}")


VALUE_TYPES: tuple[type, ...] = (
    Actor, ActorKind, AchievementType, LevelFramework, AssessmentOutcome, RplOutcome,
    Skill, SkillLevel, Evidence, CreditRule, Period, Identifier,
)
