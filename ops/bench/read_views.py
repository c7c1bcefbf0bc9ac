"""Read latency of the views with many learners: `python -m ops.bench.read_views --learners 2000` (PostgreSQL from
DATABASE_URL, e.g. postgresql://postgres@127.0.0.1:5432/test?schema=bench_reads; SQLite otherwise).

Loads the demo catalogue, then N learners: each registered, with stated and attested work experience and a share to
one of a few employers; every `--credential-every`-th learner also earns a signed micro-credential. The projection
is caught up, then clr / skills / employer_view / skill_query are timed (p50, p99 in ms)."""

import argparse
import logging
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from application.commands import (
    AttestWorkExperience,
    CompleteEnrolment,
    Enrol,
    GrantShare,
    IssueCredential,
    RecordAssessment,
    RegisterEmployer,
    RegisterLearner,
    StateWorkExperience,
)
from domain.credential import CredentialBasis
from domain.values import Actor, AssessmentOutcome, Identifier, Period, SkillLevel
from domain.work_experience import Position, WorkKind
from ops.demo import COMMUNICATION, DATA_ANALYSIS, TEAMWORK, load_demo
from wiring.projection_runner import catch_up
from wiring.read_side import open_read_side
from wiring.services import build_services
from wiring.settings import load_settings


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2), "n": len(ordered)}


def timed(call: Callable[[], Any], times: int) -> dict[str, float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--credential-every", type=int, default=10)
    parser.add_argument("--reads", type=int, default=300)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    settings = load_settings()
    services = build_services(settings)
    ledger = services.ledger
    demo = load_demo(ledger)
    uni = Actor.provider(demo.ids["university"])
    employers = [demo.ids["employer"]] + [ledger.execute(Actor.admin(), RegisterEmployer(name=f"Employer {n}")).id
                                         for n in range(4)]
    learners, tokens, with_clr = [], [], []
    started = time.perf_counter()
    for n in range(args.learners):
        learner = ledger.execute(uni, RegisterLearner(primary_identifier=Identifier("bench", f"B{n}"))).id
        employer = employers[n % len(employers)]
        experience = ledger.execute(Actor.learner(learner), StateWorkExperience(learner, position=Position(
            WorkKind.EMPLOYMENT, "Employer", "Analyst", Period(datetime.now(UTC).date() - timedelta(days=400)),
            skills=(COMMUNICATION, DATA_ANALYSIS), employer_id=employer))).id
        ledger.execute(Actor.employer(employer), AttestWorkExperience(
            experience, confirmed_skills=(COMMUNICATION.url,),
        ))
        credential_ids: tuple[Any, ...] = ()
        if n % args.credential_every == 0:
            enrolment = ledger.execute(uni, Enrol(learner, achievement_id=demo.ids["communication"], term="2025-T1")).id
            ledger.execute(uni, RecordAssessment(
                enrolment, title="Portfolio", outcome=AssessmentOutcome.PASSED, assessor="Assessor",
                skill_levels=(SkillLevel(COMMUNICATION.url, 1 + n % 5), SkillLevel(TEAMWORK.url, 2)),
            ))
            ledger.execute(uni, CompleteEnrolment(enrolment))
            credential_ids = (ledger.execute(uni, IssueCredential(
                learner, achievement_id=demo.ids["communication"], basis=CredentialBasis.ENROLMENT, basis_id=enrolment,
            )).id,)
            with_clr.append(learner)
        share = ledger.execute(Actor.learner(learner), GrantShare(
            learner, employer_id=employer, credential_ids=credential_ids, skill_urls=(COMMUNICATION.url, TEAMWORK.url),
            purpose="Application", expires_at=datetime.now(UTC) + timedelta(days=30),
        ))
        learners.append(learner)
        tokens.append(share.token)
    write_seconds = time.perf_counter() - started
    services.close()
    started = time.perf_counter()
    position = catch_up(settings)
    projection_seconds = time.perf_counter() - started
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=False)
    rng = random.Random(7)
    results = {
        "store": "postgres" if settings.uses_postgres else "sqlite", "learners": args.learners,
        "events": position, "write_seconds": round(write_seconds, 1),
        "projection_events_per_second": round(position / projection_seconds),
        "clr_signed_cold": timed(lambda: read_side.clr(rng.choice(with_clr)), min(args.reads, len(with_clr))),
        "clr_cached": timed(lambda: read_side.clr(rng.choice(with_clr)), args.reads),
        "skills": timed(lambda: read_side.skills(rng.choice(learners)), args.reads),
        "employer_view": timed(lambda: read_side.employer_view(rng.choice(tokens)), args.reads),
        "skill_query": timed(lambda: read_side.skill_query(rng.choice(employers), [COMMUNICATION.url],
                                                           verified_only=True, min_level=1), args.reads),
        "skill_query_two_skills_level3": timed(lambda: read_side.skill_query(
            rng.choice(employers), [COMMUNICATION.url, TEAMWORK.url], min_level=3), args.reads),
    }
    for name, value in results.items():
        print(f"{name}: {value}")
    read_side.close()
    services.close()


if __name__ == "__main__":
    main()
