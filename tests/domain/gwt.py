"""Given / when / then for the Ledger.

*Given* is a history of events made by the aggregates themselves and saved into the log (see :class:`World`).
*When* runs one command and captures what it appended to the notification log (:func:`when`).
*Then* asserts the new events by class name and attributes (:meth:`Outcome.then`), or a domain error by class and
``code`` with nothing appended (:meth:`Outcome.then_refused`).

    when(ledger, lambda: ledger.execute(uni, RevokeCredential(cred, reason="mis-marked"))).then(
        ("Credential.Revoked", {"reason": "mis-marked"}),
    )
    when(ledger, lambda: ledger.execute(uni, RevokeCredential(cred, reason="again"))).then_refused(
        RuleBroken, "credential-revoked",
    )
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, DomainEventProtocol

from application.commands import (
    GrantShare,
    RecordAssessment,
)
from application.ledger import Ledger, Written
from domain.access import AccessToken
from domain.achievement import Achievement, AchievementSpec
from domain.credential import Credential, CredentialBasis, CredentialTerms
from domain.employer import Employer
from domain.enrolment import Assessment, Enrolment
from domain.errors import DomainError
from domain.issued_basis import IssuedBasis
from domain.learner import Learner
from domain.provider import Provider
from domain.recognition import RecognitionCase, RplDecision
from domain.status_list import StatusList
from domain.values import (
    AchievementType,
    Actor,
    AssessmentOutcome,
    Evidence,
    Identifier,
    LevelFramework,
    Period,
    RplOutcome,
    Sealer,
    Skill,
    SkillLevel,
)
from domain.work_experience import Position, WorkExperience, WorkKind

# ---- when / then ----------------------------------------------------------------------------------------------

Expected = str | tuple[str, Mapping[str, Any]]


def name_of(event: DomainEventProtocol[Any]) -> str:
    """`Credential.Revoked`: the event class as it is named in its stored topic."""
    return type(event).__qualname__


def new_events(ledger: Ledger, after: int) -> list[DomainEventProtocol[Any]]:
    """The events appended to the notification log after position `after`, decoded by the current code."""
    upto = ledger.position()
    if upto <= after:
        return []
    notifications = ledger.recorder.select_notifications(start=after, limit=upto - after, inclusive_of_start=False)
    return [ledger.mapper.to_domain_event(n) for n in notifications]


@dataclass
class Outcome:
    ledger: Ledger
    before: int
    result: Any = None
    error: DomainError | None = None
    events: list[DomainEventProtocol[Any]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name_of(e) for e in self.events]

    def then(self, *expected: Expected) -> list[DomainEventProtocol[Any]]:
        """Exactly these new events, in this order; each given as a name, or (name, {attribute: value})."""
        if self.error is not None:
            raise AssertionError(f"expected events {expected}, got {type(self.error).__name__}"
                                 f"[{self.error.code}]: {self.error}") from self.error
        wanted = [e if isinstance(e, str) else e[0] for e in expected]
        assert self.names == wanted, f"expected new events {wanted}, got {self.names}"
        for item, event in zip(expected, self.events, strict=True):
            if isinstance(item, str):
                continue
            for attribute, value in item[1].items():
                actual = getattr(event, attribute)
                assert actual == value, f"{name_of(event)}.{attribute}: expected {value!r}, got {actual!r}"
        if isinstance(self.result, Written) and self.events:
            assert self.result.position == self.before + len(self.events), "a write answers with its log position"
        return self.events

    def then_nothing(self) -> Any:
        """No error and no new event (a repeated registration, an idempotent replay)."""
        if self.error is not None:
            raise AssertionError(f"expected no change, got {type(self.error).__name__}[{self.error.code}]") \
                from self.error
        assert self.names == [], f"expected no new events, got {self.names}"
        return self.result

    def then_refused(self, error_class: type[DomainError], code: str) -> DomainError:
        """The command was refused with this error class and code, and nothing was appended."""
        assert self.error is not None, f"expected {error_class.__name__}[{code}], but it recorded {self.names}"
        assert isinstance(self.error, error_class), \
            f"expected {error_class.__name__}, got {type(self.error).__name__}[{self.error.code}]: {self.error}"
        assert self.error.code == code, f"expected code {code!r}, got {self.error.code!r}: {self.error}"
        assert self.names == [], f"a refused command recorded {self.names}"
        assert self.ledger.position() == self.before
        return self.error


def when(ledger: Ledger, command: Callable[[], Any]) -> Outcome:
    before = ledger.position()
    outcome = Outcome(ledger, before)
    try:
        outcome.result = command()
    except DomainError as error:
        outcome.error = error
    outcome.events = new_events(ledger, before)
    return outcome


# ---- a fixed clock ----------------------------------------------------------------------------------------------

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class FixedClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# ---- given: histories built through the Ledger ---------------------------------------------------------------------

ADMIN = Actor.admin()
START = date(2024, 2, 1)  # when the givens begin: providers registered, achievements defined

COMMUNICATION = Skill("https://skills.example.edu/communication", "Communication", "OSMT RSD", "COMM-01")
TEAMWORK = Skill("http://data.europa.eu/esco/skill/teamwork", "Work in teams", "ESCO")
PATIENT_CARE = Skill("http://data.europa.eu/esco/skill/patient-care", "Provide basic patient care", "ESCO")
UNALIGNED = Skill("https://skills.example.edu/welding", "Welding", "OSMT RSD")


def micro_credential(**changes: Any) -> AchievementSpec:
    spec: dict[str, Any] = dict(
        achievement_type=AchievementType.MICRO_CREDENTIAL, name="Communication Micro-credential",
        description="Assessed communication in workplace settings.", criteria="Pass a portfolio assessment.",
        learning_outcomes=("Write for a public audience",), skills=(COMMUNICATION, TEAMWORK),
        credits=Decimal(15), hours=Decimal(150), level=5, level_framework=LevelFramework.NZQF,
    )
    return AchievementSpec(**{**spec, **changes})


def degree(**changes: Any) -> AchievementSpec:
    spec: dict[str, Any] = dict(
        achievement_type=AchievementType.DEGREE, name="Bachelor of Business", description="A three-year degree.",
        criteria="Complete 360 credits.", credits=Decimal(360), level=7, level_framework=LevelFramework.NZQF,
    )
    return AchievementSpec(**{**spec, **changes})


def certificate(**changes: Any) -> AchievementSpec:
    spec: dict[str, Any] = dict(
        achievement_type=AchievementType.CERTIFICATE, name="Certificate III in Individual Support",
        description="Entry-level qualification for care work.", criteria="Demonstrate all core units.",
        skills=(PATIENT_CARE, TEAMWORK), credits=Decimal(40), level=3, level_framework=LevelFramework.AQF,
    )
    return AchievementSpec(**{**spec, **changes})


PORTFOLIO: dict[str, Any] = {
    "title": "Portfolio", "score": "A-", "assessor": "Dr Mere Tane", "outcome": AssessmentOutcome.PASSED,
    "skill_levels": (SkillLevel(COMMUNICATION.url, 4),), "evidence": (Evidence("Portfolio"),),
    "assessed_on": date(2024, 5, 20),
}
"""The assessment the givens pass with."""


def rpl_decision(outcome: RplOutcome = RplOutcome.GRANTED, credits: Decimal = Decimal(40),
                 levels: tuple[SkillLevel, ...] = (SkillLevel(PATIENT_CARE.url, 3),),
                 reviewed: tuple[int, ...] = (0,)) -> RplDecision:
    return RplDecision(outcome, credits, levels, "Evidence shows the outcomes are met.", "Jo Assessor", reviewed)


class World:
    """Builds the *given* part of a scenario as events: each method makes the aggregates itself (as their own rules
    allow), saves their events into the log, and returns ids. `assess` and `share` are commands through the Ledger:
    tests use them as the *when*."""

    def __init__(self, ledger: Ledger, clock: FixedClock):
        self.ledger = ledger
        self.clock = clock
        self._counter = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def given(self, *aggregates: Aggregate) -> None:
        self.ledger.save(*aggregates)

    # principals

    def provider(self, name: str = "Harbour University") -> Actor:
        provider = Provider.register(
            name=name, identifiers=(Identifier("NZQA provider", f"{7000 + self._next()}"),), website="",
            signing_key=self.ledger.records.keys.new_signing_key(), actor=ADMIN, effective=START,
        )
        self.given(provider, StatusList.open(provider_id=provider.id, actor=ADMIN, effective=START))
        return Actor.provider(provider.id)

    def employer(self, name: str = "Harbour City Council") -> Actor:
        employer = Employer.register(name=name, identifiers=(), actor=ADMIN, effective=START)
        self.given(employer)
        return Actor.employer(employer.id)

    def learner(self, by: Actor | None = None, number: str | None = None) -> UUID:
        identifier = Identifier("student id", number or f"S{1000000 + self._next()}")
        learner_id = self.ledger.records.learner_ids.learner_id(identifier)
        grant, _ = AccessToken.issue(principal=Actor.learner(learner_id), actor=by or ADMIN, effective=START)
        self.given(grant, Learner.register(
            learner_id=learner_id, primary_identifier=identifier, did="", profile={"name": "Aroha Ngata"},
            seal=lambda personal: self.ledger.records.vault.seal(learner_id, personal), token_id=grant.id,
            actor=by or ADMIN, effective=START,
        ))
        return learner_id

    def sealer(self, learner_id: UUID) -> Sealer:
        return self.ledger.records.sealer(learner_id)

    # catalogue

    def achievement(self, provider: Actor, spec: AchievementSpec | None = None) -> UUID:
        achievement = Achievement.define(provider_id=UUID(provider.id), spec=spec or micro_credential(), actor=provider,
                                         effective=START)
        self.given(achievement)
        return achievement.id

    # enrolments

    def _enrolment(self, provider: Actor, learner_id: UUID, achievement_id: UUID, term: str) -> Enrolment:
        return Enrolment.enrol(learner_id=learner_id, achievement_id=achievement_id, provider_id=UUID(provider.id),
                               term=term, actor=provider, effective=date(2024, 3, 1))

    def enrolment(self, provider: Actor, learner_id: UUID, achievement_id: UUID, term: str = "2024-T1") -> UUID:
        enrolment = self._enrolment(provider, learner_id, achievement_id, term)
        self.given(enrolment)
        return enrolment.id

    def assess(self, provider: Actor, enrolment_id: UUID, outcome: AssessmentOutcome = AssessmentOutcome.PASSED,
               **kwargs: Any) -> UUID:
        """A command (through the Ledger): the *when* of the assessment tests."""
        return self.ledger.execute(provider, RecordAssessment(enrolment_id, **{**PORTFOLIO, "outcome": outcome,
                                                                               **kwargs})).id

    def completed_enrolment(self, provider: Actor, learner_id: UUID, achievement_id: UUID) -> UUID:
        enrolment = self._enrolment(provider, learner_id, achievement_id, "2024-T1")
        enrolment.record_assessment(Assessment(assessment_id=uuid4(), corrects=None, **PORTFOLIO), provider,
                                    PORTFOLIO["assessed_on"])
        enrolment.complete(provider, date(2024, 5, 25))
        self.given(enrolment)
        return enrolment.id

    # credentials

    def credential(self, provider: Actor, learner_id: UUID | None = None, achievement_id: UUID | None = None,
                   issued_on: date = date(2024, 6, 1), expires_on: date | None = None) -> UUID:
        learner_id = learner_id or self.learner()
        achievement_id = achievement_id or self.achievement(provider)
        enrolment = self.completed_enrolment(provider, learner_id, achievement_id)
        credits = self.ledger.load(Achievement, achievement_id).spec.credits
        terms = CredentialTerms(CredentialBasis.ENROLMENT, enrolment, issued_on, expires_on, credits,
                                PORTFOLIO["skill_levels"], PORTFOLIO["score"])
        status_list = self.ledger.load(StatusList, StatusList.create_id(UUID(provider.id)))
        credential_id = uuid4()
        index = status_list.allocate(credential_id, provider, issued_on)
        credential = Credential.issue(
            credential_id=credential_id, learner_id=learner_id, provider_id=UUID(provider.id),
            achievement_id=achievement_id, terms=terms, status_index=index,
            document=self.ledger.records.vault.seal_json(
                learner_id, {"id": f"urn:uuid:{credential_id}", "proof": {"type": "GivenInTheTest"}}), actor=provider,
            effective=issued_on,
        )
        claim = IssuedBasis.claim(learner_id=learner_id, achievement_id=achievement_id,
                                  basis=CredentialBasis.ENROLMENT, basis_id=enrolment, credential_id=credential_id,
                                  actor=provider, effective=issued_on)
        self.given(credential, status_list, claim)
        return credential_id

    # recognition of prior learning

    def _rpl_case(self, learner_id: UUID, achievement_id: UUID, evidence: int) -> RecognitionCase:
        learner = Actor.learner(learner_id)
        case = RecognitionCase.apply(
            learner_id=learner_id, provider_id=self.ledger.load(Achievement, achievement_id).provider_id,
            achievement_id=achievement_id, claim="Six years as a nurse assistant", seal=self.sealer(learner_id),
            actor=learner, effective=date(2024, 4, 1),
        )
        for n in range(evidence):
            case.submit_evidence(Evidence(f"Reference {n + 1}"), self.sealer(learner_id), learner, date(2024, 4, 2))
        return case

    def rpl_case(self, provider: Actor, learner_id: UUID, achievement_id: UUID, evidence: int = 1) -> UUID:
        case = self._rpl_case(learner_id, achievement_id, evidence)
        self.given(case)
        return case.id

    def decided_case(self, provider: Actor, learner_id: UUID, achievement_id: UUID,
                     decision: RplDecision | None = None) -> UUID:
        case = self._rpl_case(learner_id, achievement_id, 1)
        credits = self.ledger.load(Achievement, achievement_id).spec.credits
        case.decide(decision or rpl_decision(), credits, provider, date(2024, 4, 20))
        self.given(case)
        return case.id

    # work experience

    def position(self, employer: Actor | None = None, placed_by: Actor | None = None, **changes: Any) -> Position:
        fields: dict[str, Any] = dict(
            kind=WorkKind.INTERNSHIP, employer_name="Harbour City Council", role="Communications Intern",
            period=Period(date(2024, 7, 1), date(2024, 9, 30)), description="Public notices.",
            skills=(COMMUNICATION, TEAMWORK), employer_id=UUID(employer.id) if employer else None,
            placed_by=UUID(placed_by.id) if placed_by else None,
        )
        return Position(**{**fields, **changes})

    def experience(self, learner_id: UUID, position: Position) -> UUID:
        experience = WorkExperience.state(learner_id=learner_id, position=position, seal=self.sealer(learner_id),
                                          actor=Actor.learner(learner_id), effective=date(2024, 10, 1))
        self.given(experience)
        return experience.id

    # shares

    def share(self, learner_id: UUID, employer: Actor, credential_ids: tuple[UUID, ...] = (),
              hours: float = 24 * 30) -> Written:
        """A command (through the Ledger): the *when* of the share tests, and a given where a share must exist."""
        return self.ledger.execute(Actor.learner(learner_id), GrantShare(
            learner_id, employer_id=UUID(employer.id), credential_ids=credential_ids,
            skill_urls=(COMMUNICATION.url,), purpose="Application for Communications Advisor",
            expires_at=self.clock.now + timedelta(hours=hours),
        ))


def events_of(ledger: Ledger) -> Iterator[DomainEventProtocol[Any]]:
    """Every event in the log, decoded."""
    yield from new_events(ledger, 0)
