"""The skills profile: one entry per skill with every piece of evidence behind it, its verification, first and last
evidenced, and currency; and the rows of the employer query's skill index. Pure functions of a learner's record and
the catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from domain.credential import CredentialStatus
from domain.values import AssessmentOutcome
from projections.catalogue import Catalogue, achievement_name, actor_name, entry_name, provider_registered
from projections.learner_record import LearnerRecord, SkillLevels

Day = date


class Verification(str, Enum):
    VERIFIED = "verified"  # a registered provider's assessment, credential or RPL decision
    ATTESTED = "attested"  # work experience confirmed by the employer or placing provider
    SELF_ASSERTED = "self-asserted"
    UNVERIFIED = "unverified"  # a provider no longer registered
    UNSUPPORTED = "unsupported"  # no counting evidence left

    @property
    def rank(self) -> int:
        return RANKS[self]

    @staticmethod
    def of_rank(rank: int) -> Verification:
        """The strongest verification of a rank (an index row keeps only the rank)."""
        return next(v for v in (Verification.VERIFIED, Verification.ATTESTED, Verification.SELF_ASSERTED,
                                Verification.UNSUPPORTED) if RANKS[v] <= rank)


RANKS = {Verification.VERIFIED: 3, Verification.ATTESTED: 2, Verification.SELF_ASSERTED: 1,
         Verification.UNVERIFIED: 1, Verification.UNSUPPORTED: 0}
THIRD_PARTY_RANK = RANKS[Verification.ATTESTED]


class EvidenceKind(str, Enum):
    CREDENTIAL = "credential"
    ASSESSMENT = "assessment"
    RPL = "rpl"
    WORK_EXPERIENCE = "work-experience"


class Mark(str, Enum):
    SUSPENDED = "suspended"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    UNDER_APPEAL = "under-appeal"
    DISPUTED = "disputed"


NOT_COUNTING = frozenset({Mark.SUSPENDED, Mark.DISPUTED})


@dataclass(frozen=True)
class SkillDefinition:
    url: str
    name: str
    framework: str
    code: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    skill_url: str
    kind: EvidenceKind
    id: UUID
    title: str
    issuer_id: str
    issuer: str
    date: Day
    level: int | None
    verification: Verification
    marks: tuple[Mark, ...] = ()
    achievement_id: UUID | None = None

    @property
    def counts(self) -> bool:
        """Suspended credentials and disputed work stay listed but count toward no level, date or verification."""
        return not self.marks or NOT_COUNTING.isdisjoint(self.marks)


@dataclass(frozen=True)
class SkillEntry:
    skill: SkillDefinition
    level: int | None
    verification: Verification
    first_evidenced: Day
    last_evidenced: Day
    currency: float
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class SkillsProfile:
    learner_id: UUID
    position: int
    on: Day
    half_life_years: float
    skills: tuple[SkillEntry, ...]

    def skill(self, url: str) -> SkillEntry | None:
        return next((entry for entry in self.skills if entry.skill.url == url), None)


@dataclass(frozen=True)
class SkillIndexRow:
    """A learner's best level and last date for one skill, over all counting evidence and over third-party
    (verified or attested) evidence: what the employer skill query filters on."""

    skill_url: str
    level: int | None
    last_evidenced: Day
    rank: int
    verified_level: int | None
    verified_last: Day | None


def currency(last_evidenced: Day, on: Day, half_life_years: float) -> float:
    """How current a skill is: 1 when evidenced on the day, halving every `half_life_years` since."""
    years = max(0.0, (on - last_evidenced).days / 365.25)
    return round(float(0.5 ** (years / half_life_years)), 4)


def strongest(items: Iterable[EvidenceItem]) -> Verification:
    """The verification of the strongest counting evidence (verified > attested > self-asserted)."""
    best = max((item for item in items if item.counts), key=lambda item: item.verification.rank, default=None)
    return best.verification if best is not None else Verification.UNSUPPORTED


def skill_definitions(record: LearnerRecord, catalogue: Catalogue) -> dict[str, SkillDefinition]:
    """Skill url -> definition, from the achievements behind the evidence and from stated work."""
    found: dict[str, SkillDefinition] = {}
    achievement_ids = [c.achievement_id for c in record.credentials] + [e.achievement_id for e in record.enrolments]
    achievement_ids += [case.achievement_id for case in record.rpl_cases]
    for achievement_id in achievement_ids:
        achievement = catalogue.achievement(str(achievement_id))
        for skill in (achievement or {}).get("spec", {}).get("skills", []):
            found.setdefault(skill["url"], SkillDefinition(skill["url"], skill["name"], skill["framework"],
                                                           skill.get("code") or ""))
    for work in record.work:
        for stated in work.skills:
            found.setdefault(stated.url, SkillDefinition(stated.url, stated.name, stated.framework, stated.code))
    return found


def evidence_items(record: LearnerRecord, catalogue: Catalogue, on: Day) -> list[EvidenceItem]:
    """Every piece of evidence of every skill. Revoked credentials, and the assessments or RPL decisions they were
    issued on, drop out; suspended, superseded, expired, disputed or appealed evidence is marked."""
    return [*_credential_evidence(record, catalogue, on), *_assessment_evidence(record, catalogue),
            *_rpl_evidence(record, catalogue), *_work_evidence(record, catalogue)]


def _revoked_bases(record: LearnerRecord) -> set[UUID]:
    return {c.basis_id for c in record.credentials if c.status is CredentialStatus.REVOKED}


def _provider_evidence(kind: EvidenceKind, evidence_id: UUID, achievement_id: UUID, provider_id: UUID,
                       catalogue: Catalogue, day: Day, levels: SkillLevels,
                       marks: tuple[Mark, ...] = ()) -> Iterator[EvidenceItem]:
    provider = catalogue.provider(str(provider_id))
    verification = Verification.VERIFIED if provider_registered(provider) else Verification.UNVERIFIED
    title = achievement_name(catalogue, achievement_id)
    for url, level in levels.items():
        yield EvidenceItem(url, kind, evidence_id, title, str(provider_id), entry_name(provider), day, level,
                           verification, marks, achievement_id)


def _credential_evidence(record: LearnerRecord, catalogue: Catalogue, on: Day) -> Iterator[EvidenceItem]:
    for credential in record.credentials:
        if credential.status is CredentialStatus.REVOKED:
            continue
        marks = [Mark(credential.status.value)] if credential.status in (CredentialStatus.SUSPENDED,
                                                                         CredentialStatus.SUPERSEDED) else []
        if credential.expired(on):
            marks.append(Mark.EXPIRED)
        yield from _provider_evidence(EvidenceKind.CREDENTIAL, credential.credential_id, credential.achievement_id,
                                      credential.provider_id, catalogue, credential.issued_on,
                                      credential.skill_levels, tuple(marks))


def _assessment_evidence(record: LearnerRecord, catalogue: Catalogue) -> Iterator[EvidenceItem]:
    revoked = _revoked_bases(record)
    for enrolment in record.enrolments:
        if enrolment.enrolment_id in revoked:
            continue
        for assessment in enrolment.current_assessments():
            if assessment.outcome is not AssessmentOutcome.PASSED:
                continue
            yield from _provider_evidence(EvidenceKind.ASSESSMENT, assessment.assessment_id,
                                          enrolment.achievement_id, enrolment.provider_id, catalogue,
                                          assessment.assessed_on, assessment.skill_levels)


def _rpl_evidence(record: LearnerRecord, catalogue: Catalogue) -> Iterator[EvidenceItem]:
    revoked = _revoked_bases(record)
    for case in record.rpl_cases:
        if case.case_id in revoked or case.decision is None or not case.decision.grants or case.decided_on is None:
            continue
        marks = (Mark.UNDER_APPEAL,) if case.appealed else ()
        yield from _provider_evidence(EvidenceKind.RPL, case.case_id, case.achievement_id, case.provider_id,
                                      catalogue, case.decided_on, case.decision.skill_levels, marks)


def _work_evidence(record: LearnerRecord, catalogue: Catalogue) -> Iterator[EvidenceItem]:
    for work in record.work:
        attested = work.attested_by is not None and not work.disputed
        confirmed = work.confirmed_skills if attested else frozenset()
        marks = (Mark.DISPUTED,) if work.disputed else ()
        title = f"{work.role}, {work.employer_name}"
        for stated in work.skills:
            if stated.url in confirmed and work.attested_by is not None and work.attested_on is not None:
                yield EvidenceItem(stated.url, EvidenceKind.WORK_EXPERIENCE, work.experience_id, title,
                                   work.attested_by.partition(":")[2], actor_name(work.attested_by, catalogue),
                                   work.attested_on, None, Verification.ATTESTED, marks)
            else:
                yield EvidenceItem(stated.url, EvidenceKind.WORK_EXPERIENCE, work.experience_id, title,
                                   str(record.learner_id), "self", work.end or work.stated_on, None,
                                   Verification.SELF_ASSERTED, marks)


def skills_profile(record: LearnerRecord, catalogue: Catalogue, on: Day, half_life_years: float) -> SkillsProfile:
    definitions = skill_definitions(record, catalogue)
    by_skill: dict[str, list[EvidenceItem]] = {}
    for item in evidence_items(record, catalogue, on):
        by_skill.setdefault(item.skill_url, []).append(item)
    entries = [_entry(definitions.get(url) or SkillDefinition(url, url, ""), items, on, half_life_years)
               for url, items in by_skill.items()]
    entries.sort(key=lambda e: (e.skill.name.lower(), e.skill.url))
    return SkillsProfile(record.learner_id, record.position, on, half_life_years, tuple(entries))


def _entry(skill: SkillDefinition, items: list[EvidenceItem], on: Day, half_life_years: float) -> SkillEntry:
    items.sort(key=lambda i: (i.date, i.kind, i.id))
    counting = [i for i in items if i.counts]
    basis = counting or items
    levels = [i.level for i in counting if i.level is not None]
    last = max(i.date for i in basis)
    return SkillEntry(skill=skill, level=max(levels) if levels else None, verification=strongest(items),
                      first_evidenced=min(i.date for i in basis), last_evidenced=last,
                      currency=currency(last, on, half_life_years), evidence=tuple(items))


def skill_index_rows(record: LearnerRecord, catalogue: Catalogue) -> list[SkillIndexRow]:
    by_skill: dict[str, list[EvidenceItem]] = {}
    for item in evidence_items(record, catalogue, date.min):
        if item.counts:
            by_skill.setdefault(item.skill_url, []).append(item)
    return [_index_row(url, by_skill[url]) for url in sorted(by_skill)]


def _index_row(url: str, items: list[EvidenceItem]) -> SkillIndexRow:
    third_party = [i for i in items if i.verification.rank >= THIRD_PARTY_RANK]
    return SkillIndexRow(
        skill_url=url, level=_best_level(items), last_evidenced=max(i.date for i in items),
        rank=max(i.verification.rank for i in items), verified_level=_best_level(third_party),
        verified_last=max((i.date for i in third_party), default=None))


def _best_level(items: list[EvidenceItem]) -> int | None:
    return max((i.level for i in items if i.level is not None), default=None)
