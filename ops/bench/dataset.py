"""A realistic data set, written through the Ledger's own commands.

Providers (universities, TAFEs, bootcamps) define micro-credentials, courses and qualifications aligned to skills from
several frameworks; employers register; each learner is registered by a provider and then lives a story drawn at
random (seeded): enrolments with one to three assessments (per-skill levels, evidence) that complete (credential
issued, signed) or are withdrawn; some credentials suspended and reinstated or revoked; work experience stated and
attested; RPL cases with evidence, decisions, appeals and revisions; shares with employers and their openings.
Every command is the Ledger's (rules, signing, idempotency, optimistic concurrency), run by several writer threads,
so the data set is what the ledger would really hold. Each save's new domain events are captured on the way, for
the append benchmark to re-append through ``Ledger.save``.

The full size (10,000 learners, ~1,000,000 events) takes the bulk path (``bulk=True``, any size with ``--bulk``):
the same stories and the same Ledger commands (rules, signing), but each writer thread has its own Ledger whose
``load``/``exists`` see the aggregates the thread is changing in memory and whose ``_save`` keeps their new events;
after each learner's story they are appended with ONE ``Ledger.save(*events)`` call (one transaction). The commands
therefore read from memory instead of the store, and a story's ~100 events share one commit. Each writer works for
its own providers (their status lists, learners, enrolments stay in that writer's memory), so writers never collide.
At full size a completed enrolment earns a signed credential one time in four (a course result is recorded for every
enrolment; credentials are the stackable ones), since signing costs ~10 ms of serialised CPU each.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from application.commands import (
    AppealRpl,
    ApplyForRpl,
    AttestWorkExperience,
    Command,
    CompleteEnrolment,
    DecideRpl,
    DefineAchievement,
    Enrol,
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
    StateWorkExperience,
    SubmitRplEvidence,
    SuspendCredential,
    WithdrawEnrolment,
)
from application.ledger import Ledger, Written
from domain.achievement import AchievementSpec
from domain.credential import CredentialBasis
from domain.errors import DomainError
from domain.recognition import RplDecision
from domain.values import (
    AchievementType,
    Actor,
    AssessmentOutcome,
    Evidence,
    Identifier,
    LevelFramework,
    Period,
    RplOutcome,
    Skill,
    SkillLevel,
)
from domain.work_experience import Position, WorkKind
from ops.bench.buffered import BufferedLedger, SaveCapture
from ops.bench.common import run_threads
from ops.bench.sizes import SKILLS, Catalogue, Dataset, Size

# Issuing signs with JSON-LD canonicalisation, and pyld's resolved-context cache (a cachetools LRU shared by all
# threads) is not thread-safe: concurrent issuance fails now and then with DocumentRefused (KeyError in the cache's
# popitem). Until credentials/ guards it, the generator issues one credential at a time.
_SIGNING = threading.Lock()


class _Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.value += n


class Generator:
    """Writes the data set in parts: ``catalogue()`` once, then ``learners(start, stop)`` as often as wanted (e.g.
    the first half, then the second), so measurements can be taken between the parts."""

    def __init__(self, ledger: Ledger, size: Size, *, writers: int = 4, seed: int = 7, bulk: bool | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.ledger, self.size, self.seed, self.progress = ledger, size, seed, progress
        self.bulk = size.bulk if bulk is None else bulk
        self.capture = SaveCapture(ledger, limit=size.append_saves if self.bulk else None)
        self.counter = _Counter()
        self.seconds = 0.0
        self.cat = Catalogue()
        self.learners: list[UUID] = []
        self.credentials: dict[UUID, list[UUID]] = {}
        self.shares: list[tuple[UUID, UUID, UUID, str]] = []
        self.events = 0
        self.writers = writers
        self._bulk_ledgers: list[BufferedLedger] = []

    def catalogue(self) -> None:
        started = time.perf_counter()
        self.cat = _catalogue(self.ledger, self.size, random.Random(self.seed), self.counter)
        if self.bulk:
            # a bulk writer must own its providers (their status lists live in its memory)
            self.writers = min(self.writers, len(self.cat.providers))
            self._bulk_ledgers = [BufferedLedger(self.ledger, self.capture) for _ in range(self.writers)]
        self.seconds += time.perf_counter() - started

    def learners_range(self, start: int, stop: int) -> None:
        size, writers = self.size, self.writers
        lock = threading.Lock()
        # Each writer works for its own providers, so writers rarely (bulk: never) contend for a status list.
        per_writer = [self.cat.providers[i::writers] or self.cat.providers for i in range(writers)]
        done = _Counter()
        bulk_events = _Counter()

        def work(i: int) -> None:
            rng = random.Random(self.seed * 1000 + i + start)
            ledger = self._bulk_ledgers[i] if self.bulk else self.ledger
            for n in range(start + i, stop, writers):
                story = _LearnerStory(ledger, self.cat, rng, self.counter, rng.choice(per_writer[i]), n)
                story.live(size)
                if isinstance(ledger, BufferedLedger):
                    bulk_events.add(ledger.flush())
                with lock:
                    self.learners.append(story.learner)
                    self.credentials[story.learner] = story.credentials
                    self.shares.extend(story.shares)
                done.add()
                if self.progress and done.value % max(1, (stop - start) // 10) == 0:
                    self.progress(f"  {start + done.value}/{size.learners} learners, {self.counter.value} commands")

        started = time.perf_counter()
        run_threads(writers, work)
        self.seconds += time.perf_counter() - started
        self.events = self.ledger.position()

    def dataset(self) -> Dataset:
        return Dataset(self.size, self.cat, list(self.learners), dict(self.credentials), list(self.shares),
                       self.capture.saves, self.counter.value, self.seconds, self.events)

    def close(self) -> None:
        self.capture.close()
        for ledger in self._bulk_ledgers:
            ledger.close()


def generate(ledger: Ledger, size: Size, *, writers: int = 4, seed: int = 7, bulk: bool | None = None,
             progress: Callable[[str], None] | None = None) -> Dataset:
    """Write the whole data set through ``ledger``'s commands with ``writers`` threads; return what was written."""
    generator = Generator(ledger, size, writers=writers, seed=seed, bulk=bulk, progress=progress)
    try:
        generator.catalogue()
        generator.learners_range(0, size.learners)
        return generator.dataset()
    finally:
        generator.close()


def _catalogue(ledger: Ledger, size: Size, rng: random.Random, counter: _Counter) -> Catalogue:
    admin = Actor.admin()
    cat = Catalogue()
    start = date(2021, 1, 1)
    kinds = ("University", "Institute of Technology", "TAFE", "Bootcamp", "Professional Body")
    for p in range(size.providers):
        provider = ledger.execute(admin, RegisterProvider(
            name=f"{kinds[p % len(kinds)]} {p + 1}", website=f"https://provider{p + 1}.example.edu",
            identifiers=(Identifier("NZQA provider", str(7000 + p)),), effective=start,
        )).id
        counter.add()
        actor = Actor.provider(provider)
        degree = ledger.execute(actor, DefineAchievement(AchievementSpec(
            AchievementType.DEGREE, f"Bachelor of Applied Practice {p + 1}", "A three-year undergraduate degree.",
            "Complete 360 credits including core papers.", credits=Decimal(360), level=7,
            level_framework=LevelFramework.NZQF), effective=start)).id
        counter.add()
        cat.achievements[provider] = []
        for a in range(size.achievements_per_provider):
            skills = tuple(rng.sample(SKILLS, rng.randint(1, 3)))
            kind = AchievementType.MICRO_CREDENTIAL if a % 3 else AchievementType.COURSE
            achievement = ledger.execute(actor, DefineAchievement(AchievementSpec(
                kind, f"{skills[0].name} {kind.value} {p + 1}.{a + 1}",
                f"Assessed {', '.join(s.name.lower() for s in skills)} in workplace settings.",
                "Pass a portfolio assessment and an observed practical task.",
                learning_outcomes=tuple(f"Demonstrate {s.name.lower()} in a professional context" for s in skills),
                skills=skills, credits=Decimal(rng.choice((5, 10, 15, 20, 40))), hours=Decimal(rng.choice((50, 150))),
                level=rng.randint(3, 7), level_framework=LevelFramework.NZQF,
                review_date=start + timedelta(days=3 * 365), stacks_into=(degree,) if a % 3 else (),
            ), effective=start)).id
            counter.add()
            cat.achievements[provider].append((achievement, skills))
        cat.providers.append(provider)
    for e in range(size.employers):
        cat.employers.append(ledger.execute(admin, RegisterEmployer(
            name=f"Employer {e + 1} Ltd", identifiers=(Identifier("NZBN", f"94290000{e:05d}"),),
        )).id)
        counter.add()
    return cat


class _LearnerStory:
    def __init__(self, ledger: Ledger, cat: Catalogue, rng: random.Random, counter: _Counter, provider: UUID,
                 n: int) -> None:
        self.ledger, self.cat, self.rng, self.counter = ledger, cat, rng, counter
        self.provider = provider
        self.actor = Actor.provider(provider)
        self.n = n
        self.credentials: list[UUID] = []
        self.shares: list[tuple[UUID, UUID, UUID, str]] = []
        self.learner: UUID = UUID(int=0)

    def _do(self, actor: Actor, command: Command) -> Written:
        self.counter.add()
        return self.ledger.execute(actor, command)

    def live(self, size: Size) -> None:
        rng = self.rng
        start = date(2021, 2, 1) + timedelta(days=rng.randint(0, 60))
        self.learner = self._do(self.actor, RegisterLearner(
            primary_identifier=Identifier("student id", f"S{self.n:08d}"),
            profile={"name": f"Learner {self.n}", "email": f"learner{self.n}@example.org"}, effective=start,
        )).id
        learner_actor = Actor.learner(self.learner)
        day = start + timedelta(days=10)
        for k in range(rng.randint(*size.enrolments)):
            achievement, skills = rng.choice(self.cat.achievements[self.provider])
            day += timedelta(days=rng.randint(20, 60))
            with contextlib.suppress(DomainError):  # a rule refused it: real ledgers see those too
                self._enrolment(achievement, skills, f"{day.year}-T{k + 1}", day, size.credential_share)
        if rng.random() < 0.4:
            skills = tuple(rng.sample(SKILLS, 2))
            employer = rng.choice(self.cat.employers)
            began = start + timedelta(days=rng.randint(0, 300))
            experience = self._do(learner_actor, StateWorkExperience(self.learner, position=Position(
                rng.choice((WorkKind.INTERNSHIP, WorkKind.EMPLOYMENT, WorkKind.PLACEMENT)), f"Employer {employer}",
                "Analyst", Period(began, began + timedelta(days=90)), "Worked on the team's reporting.", skills,
                employer_id=employer), effective=began + timedelta(days=91))).id
            if rng.random() < 0.7:
                self._do(Actor.employer(employer), AttestWorkExperience(
                    experience, confirmed_skills=(skills[0].url,), statement="Confirmed.",
                    effective=began + timedelta(days=95),
                ))
        if rng.random() < 0.15:
            self._rpl(learner_actor, day + timedelta(days=10))
        if self.credentials and rng.random() < 0.6:
            employer = rng.choice(self.cat.employers)
            chosen = tuple(rng.sample(self.credentials, min(len(self.credentials), rng.randint(1, 3))))
            written = self._do(learner_actor, GrantShare(
                self.learner, employer_id=employer, credential_ids=chosen, skill_urls=(), purpose="Job application",
                expires_at=datetime.now(UTC) + timedelta(days=3650),
            ))
            self.shares.append((self.learner, written.id, employer, written.token))
            for _ in range(rng.randint(*size.openings)):
                self._do(Actor.employer(employer), RecordShareOpening(
                    self.learner, written.id, viewer=f"employer:{employer}",
                ))

    def _enrolment(self, achievement: UUID, skills: Sequence[Skill], term: str, day: date,
                   credential_share: float = 1.0) -> None:
        rng, actor = self.rng, self.actor
        enrolment = self._do(actor, Enrol(self.learner, achievement_id=achievement, term=term, effective=day)).id
        for a in range(rng.randint(1, 3)):
            levels = tuple(SkillLevel(s.url, rng.randint(2, 5)) for s in skills)
            self._do(actor, RecordAssessment(
                enrolment, title=f"Assessment {a + 1}", outcome=AssessmentOutcome.PASSED,
                score=rng.choice(("A", "B+", "B", "C")), skill_levels=levels,
                evidence=(Evidence(f"Portfolio item {a + 1}", f"https://evidence.example.org/{enrolment}/{a}"),),
                assessor="Dr Assessor", assessed_on=day + timedelta(days=10 + a),
            ))
        if rng.random() < 0.1:
            self._do(actor, WithdrawEnrolment(
                enrolment, reason="Changed programme", effective=day + timedelta(days=15),
            ))
            return
        self._do(actor, CompleteEnrolment(enrolment, effective=day + timedelta(days=15)))
        if credential_share < 1 and rng.random() >= credential_share:
            return
        with _SIGNING:  # see _SIGNING
            credential = self._do(actor, IssueCredential(
                self.learner, achievement_id=achievement, basis=CredentialBasis.ENROLMENT, basis_id=enrolment,
                issued_on=day + timedelta(days=16), expires_on=day + timedelta(days=16 + 5 * 365),
            )).id
        roll = rng.random()
        if roll < 0.05:
            self._do(actor, RevokeCredential(credential, reason="Issued in error", effective=day + timedelta(days=30)))
            return
        if roll < 0.1:
            self._do(actor, SuspendCredential(credential, reason="Under review", effective=day + timedelta(days=20)))
            self._do(actor, ReinstateCredential(credential, reason="Review closed", effective=day + timedelta(days=25)))
        self.credentials.append(credential)

    def _rpl(self, learner_actor: Actor, day: date) -> None:
        rng = self.rng
        achievement, skills = rng.choice(self.cat.achievements[self.provider])
        case = self._do(learner_actor, ApplyForRpl(
            self.learner, achievement_id=achievement, claim="Several years of relevant work", effective=day,
        )).id
        for e in range(2):
            self._do(learner_actor, SubmitRplEvidence(
                case, evidence=Evidence(f"Reference {e + 1}"), effective=day + timedelta(days=1 + e),
            ))
        levels = tuple(SkillLevel(s.url, 3) for s in skills)
        self._do(self.actor, DecideRpl(case, decision=RplDecision(
            RplOutcome.PARTIALLY_GRANTED, Decimal(2), levels[:1], "Partly evidenced.", "Assessor", (0, 1)),
            effective=day + timedelta(days=10)))
        if rng.random() < 0.5:
            self._do(learner_actor, AppealRpl(
                case, grounds="A reference was not considered", effective=day + timedelta(days=12),
            ))
            self._do(self.actor, ReviseRpl(case, decision=RplDecision(
                RplOutcome.GRANTED, Decimal(5), levels, "On appeal: fully evidenced.", "Assessor", (0, 1)),
                effective=day + timedelta(days=20)))
