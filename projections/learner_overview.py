"""What a learner holds, for their own pages: credentials with where each stands, RPL cases, work experience, and
the qualifications their credentials stack into. Read from the typed learner record and the catalogue, as of a day;
the few words the typed record leaves out (an RPL claim and rationale, a kind of work) come from the stored state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from projections.catalogue import Catalogue, achievement_name, actor_name, entry_name
from projections.learner_record import HeldCredential, LearnerRecord, RplCaseRecord, Standing, WorkRecord

Json = dict[str, Any]


@dataclass(frozen=True)
class CredentialLine:
    credential_id: UUID
    achievement_id: UUID
    name: str
    issuer: str
    standing: Standing
    issued_on: date
    expires_on: date | None
    credits: Decimal | None
    replaced_by: UUID | None


@dataclass(frozen=True)
class RplCaseLine:
    case_id: UUID
    achievement: str
    provider: str
    claim: str
    applied_on: date
    state: str
    credits_granted: Decimal | None
    rationale: str
    revised: bool


@dataclass(frozen=True)
class WorkLine:
    experience_id: UUID
    role: str
    employer_name: str
    kind: str
    start: date
    end: date | None
    attestation: str
    attested_on: date | None
    attested_by: str = ""


@dataclass(frozen=True)
class LearnerOverview:
    learner_id: UUID
    on: date
    credentials: tuple[CredentialLine, ...]
    rpl_cases: tuple[RplCaseLine, ...]
    work: tuple[WorkLine, ...]
    qualification_ids: tuple[UUID, ...]


def _credential(held: HeldCredential, catalogue: Catalogue, on: date) -> CredentialLine:
    return CredentialLine(
        credential_id=held.credential_id, achievement_id=held.achievement_id,
        name=achievement_name(catalogue, held.achievement_id, "a credential"),
        issuer=entry_name(catalogue.provider(str(held.provider_id)), "an unknown provider"),
        standing=held.standing(on), issued_on=held.issued_on, expires_on=held.expires_on, credits=held.credits,
        replaced_by=held.replaced_by,
    )


def _case(case: RplCaseRecord, stored: Json, catalogue: Catalogue) -> RplCaseLine:
    decision = case.decision
    state = "appealed" if case.appealed else (decision.outcome.value if decision else "awaiting decision")
    return RplCaseLine(
        case_id=case.case_id, achievement=achievement_name(catalogue, case.achievement_id, "an achievement"),
        provider=entry_name(catalogue.provider(str(case.provider_id)), "a provider"),
        claim=str(stored.get("claim", "")), applied_on=case.applied_on, state=state,
        credits_granted=decision.credits_granted if decision else None,
        rationale=str((stored.get("decision") or {}).get("rationale", "")),
        revised=bool(decision and decision.number > 1),
    )


def _work(work: WorkRecord, stored: Json, catalogue: Catalogue) -> WorkLine:
    """Self-asserted work that names a registered employer or placing provider awaits their attestation."""
    awaiting = "awaiting attestation" if stored.get("employer_id") or stored.get("placed_by") else "self-asserted"
    attestation = "disputed" if work.disputed else ("attested" if work.attested_by else awaiting)
    return WorkLine(
        experience_id=work.experience_id, role=work.role, employer_name=work.employer_name,
        kind=str(stored.get("kind", "")), start=work.start, end=work.end, attestation=attestation,
        attested_on=work.attested_on, attested_by=actor_name(work.attested_by, catalogue) if work.attested_by else "",
    )


def _stacks_into(credentials: tuple[CredentialLine, ...], catalogue: Catalogue) -> tuple[UUID, ...]:
    found: list[UUID] = []
    for line in credentials:
        spec = (catalogue.achievement(str(line.achievement_id)) or {}).get("spec", {})
        found += [UUID(q) for q in spec.get("stacks_into", []) if UUID(q) not in found]
    return tuple(found)


def learner_overview(state: Json, catalogue: Catalogue, on: date) -> LearnerOverview:
    record = LearnerRecord.of(state)
    credentials = tuple(sorted((_credential(held, catalogue, on) for held in record.credentials),
                               key=lambda line: line.issued_on, reverse=True))
    return LearnerOverview(
        learner_id=record.learner_id, on=on, credentials=credentials,
        rpl_cases=tuple(_case(case, state["rpl"][str(case.case_id)], catalogue) for case in record.rpl_cases),
        work=tuple(sorted((_work(work, state["work"][str(work.experience_id)], catalogue) for work in record.work),
                          key=lambda line: line.start, reverse=True)),
        qualification_ids=_stacks_into(credentials, catalogue),
    )
