"""Pathway progress (stacking): how much of a qualification's credit rules a learner's credentials and RPL grants
fill, and from which facts. Pure functions of a learner's record and the catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID

from domain.credential import CredentialStatus
from domain.errors import NotFound
from domain.values import AchievementType, CreditRule
from projections.catalogue import Catalogue, Json, achievement_spec, entry_name
from projections.learner_record import HeldCredential, LearnerRecord, RplCaseRecord

Day = date
ZERO = Decimal(0)


class NoSuchQualification(NotFound):
    code = "qualification-not-found"


class NotCounted(str, Enum):
    NO_RULE = "no-rule"  # no rule accepts it, or every rule that does is full
    NO_CREDIT = "no-credit"
    SAME_BASIS = "same-basis"  # another credential certifies the same learning (achievement and basis)


@dataclass(frozen=True)
class PathwayFact:
    """A credential or RPL grant that may count, and how much it counted (None: it did not)."""

    kind: str
    id: UUID
    achievement_id: UUID
    achievement: str
    provider_id: UUID
    credits: Decimal
    date: Day
    counted: Decimal | None = None
    not_counted: NotCounted | None = None


@dataclass(frozen=True)
class RuleProgress:
    label: str
    accepts: tuple[AchievementType, ...]
    from_provider_id: str | None
    accepts_rpl: bool
    max_credits: Decimal
    filled: Decimal
    remaining: Decimal
    facts: tuple[PathwayFact, ...]


@dataclass(frozen=True)
class QualificationRef:
    id: UUID
    name: str
    credits: Decimal | None


@dataclass(frozen=True)
class PathwayProgress:
    learner_id: UUID
    position: int
    qualification: QualificationRef
    rules: tuple[RuleProgress, ...]
    filled: Decimal
    not_counted: tuple[PathwayFact, ...]


@dataclass
class _Filling:
    rule: CreditRule
    filled: Decimal = ZERO
    facts: list[PathwayFact] = field(default_factory=list)

    def progress(self) -> RuleProgress:
        rule = self.rule
        return RuleProgress(rule.label, rule.accepts, rule.from_provider_id or None, rule.accepts_rpl,
                            rule.max_credits, self.filled, rule.max_credits - self.filled, tuple(self.facts))


def pathway(record: LearnerRecord, catalogue: Catalogue, qualification_id: UUID) -> PathwayProgress:
    """Each candidate fills the first rule that accepts it, up to the rule's maximum; a credential on the same basis
    (achievement and enrolment or RPL decision) as one already counted counts no more."""
    qualification = catalogue.achievement(str(qualification_id))
    rules = list(achievement_spec(qualification).credit_rules) if qualification is not None else []
    if qualification is None or not rules:
        raise NoSuchQualification(f"no qualification {qualification_id} with credit rules")
    fillings = [_Filling(rule) for rule in rules]
    unallocated: list[PathwayFact] = []
    seen_bases: set[tuple[UUID, UUID]] = set()
    for credential in _active_credentials(record, qualification_id):
        candidate = _credential_fact(credential, catalogue)
        if credential.same_basis in seen_bases:
            unallocated.append(replace(candidate, not_counted=NotCounted.SAME_BASIS))
            continue
        seen_bases.add(credential.same_basis)
        _allocate(candidate, "credential", catalogue, qualification_id, fillings, unallocated)
    for candidate in _rpl_candidates(record, catalogue):
        _allocate(candidate, "rpl", catalogue, qualification_id, fillings, unallocated)
    credits = qualification["spec"].get("credits")
    return PathwayProgress(
        learner_id=record.learner_id, position=record.position,
        qualification=QualificationRef(qualification_id, entry_name(qualification),
                                       Decimal(credits) if credits is not None else None),
        rules=tuple(f.progress() for f in fillings), filled=sum((f.filled for f in fillings), ZERO),
        not_counted=tuple(unallocated))


def _active_credentials(record: LearnerRecord, qualification_id: UUID) -> list[HeldCredential]:
    """Active credentials other than the qualification's own, earliest issued first."""
    return sorted((c for c in record.credentials
                   if c.status is CredentialStatus.ACTIVE and c.achievement_id != qualification_id),
                  key=lambda c: c.position)


def _credential_fact(credential: HeldCredential, catalogue: Catalogue) -> PathwayFact:
    return PathwayFact("credential", credential.credential_id, credential.achievement_id,
                       entry_name(catalogue.achievement(str(credential.achievement_id))), credential.provider_id,
                       credential.credits or ZERO, credential.issued_on)


def _rpl_candidates(record: LearnerRecord, catalogue: Catalogue) -> list[PathwayFact]:
    """Granted RPL decisions not under appeal, unless a credential was issued on them (that credential counts, or,
    revoked, takes the grant with it)."""
    credential_bases = {c.basis_id for c in record.credentials}
    return [_rpl_fact(case, catalogue) for case in record.rpl_cases
            if case.decision is not None and case.decision.grants and not case.appealed
            and case.case_id not in credential_bases]


def _rpl_fact(case: RplCaseRecord, catalogue: Catalogue) -> PathwayFact:
    assert case.decision is not None and case.decided_on is not None
    return PathwayFact("rpl", case.case_id, case.achievement_id,
                       entry_name(catalogue.achievement(str(case.achievement_id))), case.provider_id,
                       case.decision.credits_granted, case.decided_on)


def _allocate(candidate: PathwayFact, kind: str, catalogue: Catalogue, qualification_id: UUID,
              fillings: list[_Filling], unallocated: list[PathwayFact]) -> None:
    if candidate.credits <= 0:
        unallocated.append(replace(candidate, not_counted=NotCounted.NO_CREDIT))
        return
    achievement = catalogue.achievement(str(candidate.achievement_id))
    filling = next((f for f in fillings if f.filled < f.rule.max_credits
                    and _accepts(f.rule, kind, candidate, achievement, qualification_id)), None)
    if filling is None:
        unallocated.append(replace(candidate, not_counted=NotCounted.NO_RULE))
        return
    counted = min(candidate.credits, filling.rule.max_credits - filling.filled)
    filling.filled += counted
    filling.facts.append(replace(candidate, counted=counted))


def _accepts(rule: CreditRule, kind: str, fact: PathwayFact, achievement: Json | None,
             qualification_id: UUID) -> bool:
    if kind == "rpl" and not rule.accepts_rpl:
        return False
    if kind == "rpl" and fact.achievement_id == qualification_id:
        return True
    if achievement is None or AchievementType(achievement["spec"]["achievement_type"]) not in rule.accepts:
        return False
    return not rule.from_provider_id or achievement["provider_id"] == rule.from_provider_id
