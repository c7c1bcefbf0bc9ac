"""Long histories: a command on a 1,000-event enrolment against a 5-event one, and reads of a learner with ~1,000
events against one with ~25, pairs alternated (see README.md).

Commands: in this process, through the Ledger (the HTTP part is the same for both). Each pair runs
``Size.history_commands`` assessments on each enrolment, one on each in turn (which goes first alternates by command
and by pair), so both meet the same load; the pair's ratio is the short median latency over the long one (1.0: history
costs nothing; the target 1.5x slower is 0.67). Cold reads: the enrolment dropped from the cache and read from the
store (enrolments are snapshotted every 100 events), long against short, and the long one from its events alone.
Reads: the projections catch up in this process, CLRs are signed ahead (as the runner does), then the skills profile,
the employer view of a share of every credential and the signed CLR are read alternately for both learners.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from application.commands import (
    CompleteEnrolment,
    DefineAchievement,
    Enrol,
    GrantShare,
    IssueCredential,
    RecordAssessment,
    RegisterEmployer,
    RegisterLearner,
    RegisterProvider,
    ReinstateCredential,
    SuspendCredential,
)
from domain.achievement import AchievementSpec
from domain.credential import CredentialBasis
from domain.enrolment import Enrolment
from domain.values import AchievementType, Actor, AssessmentOutcome, Evidence, Identifier, SkillLevel
from ops.bench.common import Figure, fresh_schema, latency_summary
from ops.bench.sizes import SKILLS, Size
from wiring.services import build_services
from wiring.settings import load_settings

COMMAND_PAIRS = 5
COLD_READS = 9
SHORT = 5
READ_SAMPLES = 200
AFTER_WRITE_SAMPLES = 200  # per repetition: the p99 of 600 is the 6th slowest, not the 2nd of 150
WARM_UP = 10


def _assess(ledger: Any, actor: Actor, enrolment: UUID, n: int) -> None:
    ledger.execute(actor, RecordAssessment(
        enrolment, title=f"Assessment {n}", outcome=AssessmentOutcome.PASSED, score="B",
        skill_levels=(SkillLevel(SKILLS[0].url, 2 + n % 3),), evidence=(Evidence(f"Item {n}"),),
        assessor="Dr Assessor", assessed_on=date(2024, 3, 1)))


def _assess_next(ledger: Any, actor: Actor, enrolment: UUID, counter: Iterator[int]) -> None:
    _assess(ledger, actor, enrolment, next(counter))


def _timed(call: Callable[[], Any], times: int) -> list[float]:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def _learner_story(ledger: Any, actor: Actor, achievements: list[UUID], number: int, events: int,
                   credentials: int) -> tuple[UUID, list[UUID]]:
    """A learner with about ``events`` events: enrolments of four events each, ``credentials`` of them credentialed."""
    learner = ledger.execute(actor, RegisterLearner(
        primary_identifier=Identifier("student id", f"H{number:07d}"), effective=date(2020, 1, 1))).id
    issued = []
    for k in range(max(1, events // 4)):
        achievement = achievements[k % len(achievements)]
        day = date(2020, 2, 1) + timedelta(days=k)
        enrolment = ledger.execute(actor, Enrol(learner, achievement_id=achievement, term=f"T{k}", effective=day)).id
        _assess(ledger, actor, enrolment, k)
        _assess(ledger, actor, enrolment, k + 1)
        ledger.execute(actor, CompleteEnrolment(enrolment, effective=date(2024, 6, 1)))
        if k < credentials:
            issued.append(ledger.execute(actor, IssueCredential(
                learner, achievement_id=achievement, basis=CredentialBasis.ENROLMENT, basis_id=enrolment,
                issued_on=date(2024, 6, 2))).id)
    return learner, issued


def measure_history(url: str, size: Size, log: Callable[[str], None] = print) -> list[Figure]:
    long_events = size.long_history
    with fresh_schema(url, "bench_history") as schema, tempfile.TemporaryDirectory() as data:
        env = {"LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}", "LER_LOG_FORMAT": "json",
               "LER_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
        settings = load_settings(env)
        services = build_services(settings)
        try:
            ledger = services.ledger
            provider = ledger.execute(Actor.admin(), RegisterProvider(
                name="History institute", identifiers=(Identifier("NZQA provider", "9797"),),
                effective=date(2019, 1, 1)))
            actor = Actor.provider(provider.id)
            achievements = [ledger.execute(actor, DefineAchievement(AchievementSpec(
                AchievementType.MICRO_CREDENTIAL, f"Practice {a}", "Assessed.", "Pass.",
                skills=(SKILLS[0], SKILLS[1 + a % 4])), effective=date(2019, 1, 1))).id for a in range(10)]
            log(f"  an enrolment with {long_events} events and one with {SHORT}")
            short_learner, _ = _learner_story(ledger, actor, achievements, 1, 0, 0)
            long_learner, _ = _learner_story(ledger, actor, achievements, 2, 0, 0)
            short = ledger.execute(actor, Enrol(short_learner, achievement_id=achievements[0], term="S",
                                                effective=date(2024, 2, 1))).id
            long = ledger.execute(actor, Enrol(long_learner, achievement_id=achievements[0], term="L",
                                               effective=date(2024, 2, 1))).id
            for n in range(SHORT - 1):
                _assess(ledger, actor, short, n)
            for n in range(long_events - 1):
                _assess(ledger, actor, long, n)
            figures = [_command_pairs(ledger, actor, short, long, size, log)]
            figures[0].label = f"command on a {long_events}-event enrolment (in-process)"
            figures.append(_cold_reads(ledger, short, long, long_events, log))
            log("  learners with ~25 and ~1,000 events for the reads")
            few = _learner_story(ledger, actor, achievements, 3, 25, 3)
            many = _learner_story(ledger, actor, achievements, 4, long_events, 10)
            figures += _read_pairs(services, settings, actor, few, many, size, log)
            figures.append(_clr_after_write(services, actor, few, size, log))
        finally:
            services.close()
    return figures


def _command_pairs(ledger: Any, actor: Actor, short: UUID, long: UUID, size: Size,
                   log: Callable[[str], None]) -> Figure:
    counter = iter(range(10**9))
    pairs, cpu_pairs = [], []
    for rep in range(max(size.repetitions, COMMAND_PAIRS)):
        wall: dict[UUID, list[float]] = {short: [], long: []}
        cpu: dict[UUID, list[float]] = {short: [], long: []}
        for n in range(2 * size.history_commands):
            enrolment = (short, long)[(n + rep) % 2]
            started, cpu_started = time.perf_counter(), time.thread_time()
            _assess_next(ledger, actor, enrolment, counter)
            wall[enrolment].append((time.perf_counter() - started) * 1000)
            cpu[enrolment].append((time.thread_time() - cpu_started) * 1000)
        pairs.append((statistics.median(wall[short]), statistics.median(wall[long])))
        cpu_pairs.append((statistics.median(cpu[short]), statistics.median(cpu[long])))
        log(f"  pair {rep + 1}: command on {SHORT} events {pairs[-1][0]:.2f} ms, on the long one {pairs[-1][1]:.2f} ms"
            f" (this thread's CPU {cpu_pairs[-1][0]:.2f} / {cpu_pairs[-1][1]:.2f} ms)")
    ratios = [s / lg for s, lg in pairs]
    short_ms, long_ms = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    return Figure("history.command", "command on a long enrolment (in-process)", "ms", long_ms, short_ms,
                  f"same on {SHORT} events", statistics.median(ratios), "ratio>=0.67", pair_ratios=ratios,
                  text=f"median {long_ms:.2f} ms (CPU ratio {statistics.median(s / lg for s, lg in cpu_pairs):.2f})",
                  baseline_text=f"median {short_ms:.2f} ms on {SHORT} events",
                  details={"pairs_ms": pairs, "cpu_pairs_ms": cpu_pairs,
                           "commands_per_pair": size.history_commands}).judge()


def _cold_reads(ledger: Any, short: UUID, long: UUID, long_events: int, log: Callable[[str], None]) -> Figure:
    """The enrolment read from the store, not the cache: long (from its latest snapshot) against short, alternated,
    and the long one from its events alone (the snapshot store set aside)."""
    cache = ledger.aggregates
    snapshots = cache.snapshot_store

    def cold(enrolment: UUID, snapshotted: bool = True) -> float:
        cache.snapshot_store = snapshots if snapshotted else None
        cache.forget([enrolment])
        try:
            return _timed(partial(ledger.load, Enrolment, enrolment), 1)[0] * 1000
        finally:
            cache.snapshot_store = snapshots

    timed: dict[str, list[float]] = {"short": [], "long": [], "events": []}
    calls = [("short", partial(cold, short)), ("long", partial(cold, long)), ("events", partial(cold, long, False))]
    for n in range(COLD_READS):
        for name, call in calls[n % 3:] + calls[:n % 3]:
            timed[name].append(call())
    short_ms, long_ms, events_ms = (statistics.median(timed[k]) for k in ("short", "long", "events"))
    log(f"  cold read: {SHORT} events {short_ms:.1f} ms, {long_events} events {long_ms:.1f} ms from the snapshot, "
        f"{events_ms:.1f} ms from the events alone")
    return Figure("history.cold_read", f"cold read of a {long_events}-event enrolment (snapshot)", "ms", long_ms,
                  short_ms, f"same, {SHORT} events", short_ms / long_ms,
                  text=f"median {long_ms:.1f} ms (from its events alone {events_ms:.1f} ms)",
                  baseline_text=f"median {short_ms:.1f} ms on {SHORT} events",
                  details={"reads": COLD_READS, "events_only_ms": events_ms, **timed})


def _read_pairs(services: Any, settings: Any, actor: Actor, few: tuple[UUID, list[UUID]],
                many: tuple[UUID, list[UUID]], size: Size, log: Callable[[str], None]) -> list[Figure]:
    from ops.bench.read_side import catch_up_in_process
    from wiring.projection_runner import publish
    from wiring.read_side import open_read_side

    ledger = services.ledger
    employer = ledger.execute(Actor.admin(), RegisterEmployer(
        name="History employer", identifiers=(Identifier("NZBN", "9429000000999"),))).id
    tokens = {learner: ledger.execute(Actor.learner(learner), GrantShare(
        learner, employer_id=employer, credential_ids=tuple(held), skill_urls=(SKILLS[0].url,),
        purpose="Application", expires_at=datetime.now(UTC) + timedelta(days=30))).token
        for learner, held in (few, many)}
    catch_up_in_process(settings)
    publish(settings)
    read_side = open_read_side(services, run_projections=False)
    reads: dict[str, tuple[str, Callable[[UUID], Any]]] = {
        "history.read.skills": ("skills profile", read_side.skills),
        "history.read.employer_view": ("employer view", lambda learner: read_side.employer_view(tokens[learner])),
        "history.read.clr": ("CLR 2.0 (signed)", read_side.clr),
    }
    figures = []
    rng = random.Random(3)
    try:
        for key, (label, read) in reads.items():
            for _ in range(20):  # warm the pool and caches
                read(rng.choice((few[0], many[0])))
            pairs = []
            for rep in range(size.repetitions):
                order = (few[0], many[0]) if rep % 2 == 0 else (many[0], few[0])
                timed = {learner: _timed(partial(read, learner), READ_SAMPLES) for learner in order}
                pairs.append((latency_summary(timed[few[0]]), latency_summary(timed[many[0]])))
            ratios = [f["p50_ms"] / m["p50_ms"] for f, m in pairs]
            worst = max(pairs, key=lambda p: p[1]["p99_ms"])
            log(f"  {label}: ~25 events p50 {worst[0]['p50_ms']:.2f} ms, long record p50 {worst[1]['p50_ms']:.2f}"
                f" / p99 {worst[1]['p99_ms']:.2f} ms")
            figure = Figure(key, f"{label} read, learner with ~{size.long_history:,} events", "ms", worst[1]["p50_ms"],
                            worst[0]["p50_ms"], "~25 events", statistics.median(ratios), "ratio>=0.5",
                            pair_ratios=ratios, details={**worst[1], "pairs": pairs},
                            baseline_text=f"p50 {worst[0]['p50_ms']:.2f} / p99 {worst[0]['p99_ms']:.2f} ms at ~25")
            p99_met = worst[1]["p99_ms"] <= 10
            figure.judge()
            if figure.met and not p99_met:
                figure.met, figure.verdict = False, "NO (p99 > 10 ms)"
            figures.append(figure)
    finally:
        read_side.close()
    return figures


def _clr_after_write(services: Any, actor: Actor, learner: tuple[UUID, list[UUID]], size: Size,
                     log: Callable[[str], None]) -> Figure:
    """A credential of the ~25-event learner suspended, then reinstated, each write followed at once by a read of
    the learner's CLR at the write's position (as `?min_position=` asks): the views and the signing step run in this
    process, which runs as a `ler serve` worker does (its switch interval, what it holds frozen out of the
    collector's passes); the read waits for the views, then serves the CLR the step kept or signs it."""
    from wiring.read_side import open_read_side

    learner_id, (credential, *_) = learner
    read_side = open_read_side(services, run_projections=True)
    after: list[float] = []
    waits: list[float] = []
    unchanged: list[float] = []
    cpu_started = time.process_time()
    try:
        with _as_a_server():
            for n in range(size.repetitions * AFTER_WRITE_SAMPLES + WARM_UP):
                if n == WARM_UP:
                    cpu_started = time.process_time()
                change = SuspendCredential if n % 2 == 0 else ReinstateCredential
                written = services.ledger.execute(actor, change(credential, reason="Bench"))
                started = time.perf_counter()
                if not read_side.wait_for(written.position, timeout=10):
                    raise RuntimeError("the views did not reach the write")
                waits.append(time.perf_counter() - started)
                read_side.clr(learner_id)
                after.append(time.perf_counter() - started)
                unchanged += _timed(partial(read_side.clr, learner_id), 1)
            cpu_ms = (time.process_time() - cpu_started) * 1000 / (len(after) - WARM_UP)
    finally:
        read_side.close()
    measured, baseline = latency_summary(after[WARM_UP:]), latency_summary(unchanged[WARM_UP:])
    waited = latency_summary(waits[WARM_UP:])
    log(f"  CLR read right after a write: p50 {measured['p50_ms']:.2f} / p99 {measured['p99_ms']:.2f} ms "
        f"of {measured['count']} (of which the wait for the views p50 {waited['p50_ms']:.2f} / p99 "
        f"{waited['p99_ms']:.2f} ms; unchanged: p50 {baseline['p50_ms']:.2f} ms; the process's CPU per write, read "
        f"and read again {cpu_ms:.2f} ms)")
    figure = Figure("history.read.clr_after_write", "CLR read right after a write that changed it (in-process)",
                    "ms", measured["p99_ms"], baseline["p99_ms"], "CLR read, unchanged since", None, "p99<=25ms",
                    text=f"p50 {measured['p50_ms']:.2f} / p99 {measured['p99_ms']:.2f} ms",
                    baseline_text=f"p50 {baseline['p50_ms']:.2f} / p99 {baseline['p99_ms']:.2f} ms",
                    details={**measured, "unchanged": baseline, "wait": waited, "process_cpu_ms": cpu_ms})
    return figure.judge()


@contextmanager
def _as_a_server() -> Iterator[None]:
    from ops.serve import SWITCH_INTERVAL_SECONDS, keep_out_of_collections

    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    keep_out_of_collections()
    try:
        yield
    finally:
        gc.unfreeze()
        sys.setswitchinterval(interval)
