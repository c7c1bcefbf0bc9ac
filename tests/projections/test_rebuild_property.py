"""Property: after a long random sequence of commands, the incrementally maintained views (the in-process runner
following the log while the commands are written) equal a rebuild of the views from position 0."""

import contextlib
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands import (
    AppealRpl,
    ApplyForRpl,
    AttestWorkExperience,
    CompleteEnrolment,
    DecideRpl,
    DefineAchievement,
    DisputeWorkExperience,
    Enrol,
    EraseLearner,
    GrantShare,
    IssueCredential,
    RecordAssessment,
    RecordShareOpening,
    RegisterEmployer,
    RegisterLearner,
    RegisterProvider,
    ReinstateCredential,
    ReviseRpl,
    RevokeCredential,
    RevokeShare,
    StateWorkExperience,
    SubmitRplEvidence,
    SupersedeCredential,
    SuspendCredential,
)
from domain.achievement import AchievementSpec
from domain.credential import CredentialBasis
from domain.errors import DomainError
from domain.recognition import RplDecision
from domain.values import (
    AchievementType,
    Actor,
    AssessmentOutcome,
    CreditRule,
    Evidence,
    Identifier,
    Period,
    RplOutcome,
    Skill,
    SkillLevel,
)
from domain.work_experience import Position, WorkKind
from tests.projections.helpers import caught_up, rebuilt_rows
from wiring.read_side import open_read_side
from wiring.services import build_services
from wiring.settings import load_settings

SKILLS = [Skill(f"https://skills.example/{n}", f"Skill {n}", "Example") for n in range(3)]


class World:
    def __init__(self, ledger):
        self.ledger = ledger
        admin = Actor.admin()
        self.provider = ledger.execute(admin, RegisterProvider(name="Poly", identifiers=(Identifier("RTO", "1"),))).id
        self.as_provider = Actor.provider(self.provider)
        self.employer = ledger.execute(admin, RegisterEmployer(name="Acme")).id
        self.degree = ledger.execute(self.as_provider, DefineAchievement(AchievementSpec(
            AchievementType.DEGREE, "Degree", "A degree.", "Pass it.", credits=Decimal(360),
            credit_rules=(CreditRule("Electives", (AchievementType.MICRO_CREDENTIAL,), Decimal(30),
                                     from_provider_id=str(self.provider)),)))).id
        self.micros = [ledger.execute(self.as_provider, DefineAchievement(AchievementSpec(
            AchievementType.MICRO_CREDENTIAL, f"Micro {n}", "A micro-credential.", "Pass it.",
            skills=(SKILLS[n], SKILLS[(n + 1) % 3]), credits=Decimal(15), stacks_into=(self.degree,)))).id
            for n in range(2)]
        self.learners: list[UUID] = []
        self.enrolments: list[UUID] = []
        self.credentials: list[UUID] = []
        self.cases: list[UUID] = []
        self.work: list[UUID] = []
        self.shares: list[tuple[UUID, UUID]] = []

    def pick(self, items, n):
        return items[n % len(items)] if items else None

    def run(self, op: int, a: int, b: int) -> None:
        ledger, provider = self.ledger, self.as_provider
        learner = self.pick(self.learners, a)
        micro = self.micros[b % 2]
        levels = (SkillLevel(SKILLS[b % 3].url, 1 + a % 5),) if b % 2 == 0 else ()
        if op == 0 or learner is None:
            self.learners.append(ledger.execute(provider, RegisterLearner(
                primary_identifier=Identifier("id", f"L{a % 4}"),
            )).id)
        elif op == 1:
            self.enrolments.append(ledger.execute(provider, Enrol(learner, achievement_id=micro, term=f"T{b % 3}")).id)
        elif op == 2 and self.enrolments:
            enrolment = self.pick(self.enrolments, a)
            outcome = AssessmentOutcome.PASSED if b % 4 else AssessmentOutcome.FAILED
            achievement = ledger.repository.get(enrolment).achievement_id
            skills = ledger.repository.get(achievement).spec.skills
            ledger.execute(provider, RecordAssessment(
                enrolment, title="Task", outcome=outcome, score="B",
                skill_levels=(SkillLevel(skills[b % 2].url, 1 + a % 5),), assessor="A",
            ))
        elif op == 3 and self.enrolments:
            ledger.execute(provider, CompleteEnrolment(self.pick(self.enrolments, a)))
        elif op == 4 and self.enrolments:
            enrolment = ledger.repository.get(self.pick(self.enrolments, a))
            if enrolment.completed_on is None:  # the whole path to a credential, so that credentials are common
                skill = ledger.repository.get(enrolment.achievement_id).spec.skills[0]
                ledger.execute(provider, RecordAssessment(
                    enrolment.id, title="Final", outcome=AssessmentOutcome.PASSED,
                    skill_levels=(SkillLevel(skill.url, 1 + b % 5),), assessor="A",
                ))
                ledger.execute(provider, CompleteEnrolment(enrolment.id))
            self.credentials.append(ledger.execute(provider, IssueCredential(
                enrolment.learner_id, achievement_id=enrolment.achievement_id, basis=CredentialBasis.ENROLMENT,
                basis_id=enrolment.id,
            )).id)
        elif op == 5 and self.credentials:
            credential = self.pick(self.credentials, a)
            action = b % 4
            if action == 0:
                ledger.execute(provider, SuspendCredential(credential, reason="check"))
            elif action == 1:
                ledger.execute(provider, ReinstateCredential(credential, reason="ok"))
            elif action == 2:
                ledger.execute(provider, RevokeCredential(credential, reason="error"))
            else:
                ledger.execute(provider, SupersedeCredential(credential, replaced_by=self.pick(self.credentials, b)))
        elif op == 6:
            self.cases.append(ledger.execute(provider, ApplyForRpl(
                learner, achievement_id=micro, claim="Years of it",
            )).id)
        elif op == 7 and self.cases:
            case = self.pick(self.cases, a)
            step = b % 4
            if step == 0:
                ledger.execute(provider, SubmitRplEvidence(case, evidence=Evidence("A reference")))
            elif step == 1:
                ledger.execute(provider, DecideRpl(case, decision=RplDecision(
                    RplOutcome.GRANTED if a % 2 else RplOutcome.PARTIALLY_GRANTED, Decimal(15 if a % 2 else 5),
                    levels, "Evidenced", "Assessor", (0,))))
            elif step == 2:
                owner = ledger.repository.get(case).learner_id
                ledger.execute(Actor.learner(owner), AppealRpl(case, grounds="More evidence"))
            else:
                ledger.execute(provider, ReviseRpl(case, decision=RplDecision(
                    RplOutcome.GRANTED, Decimal(15), levels, "On appeal", "Assessor", (0,))))
        elif op == 8:
            self.work.append(ledger.execute(Actor.learner(learner), StateWorkExperience(learner, position=Position(
                WorkKind.EMPLOYMENT, "Acme", "Clerk", Period(datetime.now(UTC).date() - timedelta(days=100 + b)),
                skills=(SKILLS[a % 3], SKILLS[b % 3]) if a % 3 != b % 3 else (SKILLS[a % 3],),
                employer_id=self.employer))).id)
        elif op == 9 and self.work:
            experience = self.pick(self.work, a)
            stated = ledger.repository.get(experience).position.skills
            employer = Actor.employer(self.employer)
            if b % 3:
                ledger.execute(employer, AttestWorkExperience(experience, confirmed_skills=(stated[0].url,)))
            else:
                ledger.execute(employer, DisputeWorkExperience(experience, reason="Not here"))
        elif op == 10:
            held = tuple(c for c in self.credentials if ledger.repository.get(c).learner_id == learner)[:1]
            written = ledger.execute(Actor.learner(learner), GrantShare(
                learner, employer_id=self.employer, credential_ids=held, skill_urls=(SKILLS[b % 3].url,), purpose="Job",
                expires_at=datetime.now(UTC) + timedelta(days=9),
            ))
            self.shares.append((learner, written.id))
        elif op == 11 and self.shares:
            owner, share = self.pick(self.shares, a)
            if b % 2:
                ledger.execute(Actor.learner(owner), RevokeShare(owner, share))
            else:
                ledger.execute(Actor.employer(self.employer), RecordShareOpening(owner, share, viewer="HR"))
        elif op == 12 and self.learners and b % 5 == 0:
            ledger.execute(Actor.admin(), EraseLearner(learner, reason="Asked"))


commands = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 50), st.integers(0, 50)), min_size=20, max_size=60)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands)
def test_incremental_views_equal_a_rebuild(sequence):
    with tempfile.TemporaryDirectory() as folder:
        settings_ = load_settings({"LER_DATA_DIR": folder})
        services = build_services(settings_)
        read_side = open_read_side(services)
        try:
            world = World(services.ledger)
            for op, a, b in sequence:
                with contextlib.suppress(DomainError):
                    world.run(op, a, b)
            caught_up(read_side, services)
            incremental = read_side.views.table_rows()
        finally:
            read_side.close()
        try:
            assert sum(len(rows) for rows in incremental.values()) > 0
            assert rebuilt_rows(settings_) == incremental
        finally:
            services.close()
