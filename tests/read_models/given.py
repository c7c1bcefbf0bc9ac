"""Typed facts to give a read model: a learner's credentials, enrolments, RPL cases and work, and a catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from domain.credential import CredentialBasis, CredentialStatus
from domain.values import AssessmentOutcome, RplOutcome
from projections.catalogue import DictCatalogue, Json
from projections.learner_record import (
    AssessmentResult,
    EnrolmentRecord,
    HeldCredential,
    LearnerRecord,
    RplCaseRecord,
    RplDecisionRecord,
    StatedSkill,
    WorkRecord,
)

LEARNER = UUID("00000000-0000-4000-8000-000000000001")
UNIVERSITY = UUID("00000000-0000-4000-8000-0000000000a1")
TAFE = UUID("00000000-0000-4000-8000-0000000000a2")
EMPLOYER = UUID("00000000-0000-4000-8000-0000000000e1")
COMMUNICATION = "https://skills.example/communication"
TEAMWORK = "https://skills.example/teamwork"


def catalogue(*achievements: Json, deregistered: tuple[UUID, ...] = ()) -> DictCatalogue:
    entries: dict[tuple[str, str], Json | None] = {
        ("provider", str(p)): {"id": str(p), "name": name, "registered": p not in deregistered, "keys": {}}
        for p, name in ((UNIVERSITY, "University"), (TAFE, "TAFE"))}
    entries[("employer", str(EMPLOYER))] = {"id": str(EMPLOYER), "name": "Harbour Council"}
    for achievement in achievements:
        entries[("achievement", achievement["id"])] = achievement
    return DictCatalogue(entries)


def achievement(name: str, kind: str = "MicroCredential", provider: UUID = UNIVERSITY, credits: str | None = "15",
                skills: tuple[str, ...] = (COMMUNICATION,), credit_rules: list[Json] | None = None,
                achievement_id: UUID | None = None) -> Json:
    return {"id": str(achievement_id or uuid4()), "provider_id": str(provider), "retired": False, "spec": {
        "name": name, "description": f"{name}.", "criteria": "Pass.", "achievement_type": kind, "credits": credits,
        "credit_rules": credit_rules or [],
        "skills": [{"url": url, "name": url.rsplit("/", 1)[-1].title(), "framework": "RSD"} for url in skills]}}


def rule(label: str, accepts: tuple[str, ...], max_credits: str, from_provider: UUID | None = None,
         accepts_rpl: bool = True) -> Json:
    return {"label": label, "accepts": list(accepts), "max_credits": max_credits,
            "from_provider_id": str(from_provider) if from_provider else "", "accepts_rpl": accepts_rpl}


def credential(of: Json, issued_on: date = date(2024, 6, 1), status: CredentialStatus = CredentialStatus.ACTIVE,
               levels: dict[str, int] | None = None, basis_id: UUID | None = None, expires_on: date | None = None,
               credits: str | None = "15", position: int = 10,
               basis: CredentialBasis = CredentialBasis.ENROLMENT) -> HeldCredential:
    return HeldCredential(
        credential_id=uuid4(), achievement_id=UUID(of["id"]), provider_id=UUID(of["provider_id"]), status=status,
        issued_on=issued_on, expires_on=expires_on, credits=Decimal(credits) if credits is not None else None,
        skill_levels=levels if levels is not None else {COMMUNICATION: 3}, basis=basis,
        basis_id=basis_id or uuid4(), position=position)


def assessment(levels: dict[str, int], on: date = date(2024, 5, 1), outcome: AssessmentOutcome =
               AssessmentOutcome.PASSED, corrects: UUID | None = None) -> AssessmentResult:
    return AssessmentResult(assessment_id=uuid4(), title="Presentation", outcome=outcome, skill_levels=levels,
                            assessor="Dr Tane", assessed_on=on, corrects=corrects)


def enrolment(of: Json, *assessments: AssessmentResult, enrolment_id: UUID | None = None) -> EnrolmentRecord:
    return EnrolmentRecord(enrolment_id=enrolment_id or uuid4(), achievement_id=UUID(of["id"]),
                           provider_id=UUID(of["provider_id"]), term="2024-T1", enrolled_on=date(2024, 2, 1),
                           assessments=assessments)


def rpl_case(of: Json, credits: str = "10", outcome: RplOutcome = RplOutcome.GRANTED, appealed: bool = False,
             levels: dict[str, int] | None = None, decided_on: date = date(2024, 3, 1),
             case_id: UUID | None = None) -> RplCaseRecord:
    return RplCaseRecord(case_id=case_id or uuid4(), achievement_id=UUID(of["id"]),
                         provider_id=UUID(of["provider_id"]), applied_on=date(2024, 2, 1),
                         decision=RplDecisionRecord(outcome, Decimal(credits), levels or {}), decided_on=decided_on,
                         appealed=appealed)


def work(*skills: str, attested: bool = False, confirmed: tuple[str, ...] = (), disputed: bool = False,
         on: date = date(2024, 8, 1)) -> WorkRecord:
    return WorkRecord(
        experience_id=uuid4(), employer_name="Harbour Council", role="Intern", start=date(2024, 1, 1),
        stated_on=on, skills=tuple(StatedSkill(url, url.rsplit("/", 1)[-1].title(), "RSD") for url in skills),
        attested_by=f"employer:{EMPLOYER}" if attested else None, attested_on=on if attested else None,
        confirmed_skills=frozenset(confirmed), disputed=disputed)


def learner(credentials: tuple[HeldCredential, ...] = (), enrolments: tuple[EnrolmentRecord, ...] = (),
            rpl_cases: tuple[RplCaseRecord, ...] = (), work_done: tuple[WorkRecord, ...] = ()) -> LearnerRecord:
    return LearnerRecord(learner_id=LEARNER, position=99, credentials=credentials, enrolments=enrolments,
                         rpl_cases=rpl_cases, work=work_done)
