"""Batch import through `POST /v1/events` against raw psycopg inserts of the same events, pairs alternated.

Setup (in this process): a provider, a micro-credential aligned to two skills, and enough learners. Each batch is
``size.batch_items`` items for many learners: per learner an enrolment and three assessments (skill levels, evidence),
each item with its own idempotency key. Batches go to `ler serve` (default workers) one request at a time, each JSON
body encoded before the clock starts (as the baseline's rows are made before its clock); every item must succeed.
Baseline: the events those batches wrote (idempotency claims included), read back and inserted with psycopg
``executemany`` into a fresh plain table with the events table's columns and indexes, 1,000 rows per transaction.
A pair is long enough to be steady and its two sides see the same load on the machine: ``BATCHES_PER_PAIR`` rounds,
each one batch and one raw insert of as many events, which of them goes first alternating from round to round (a raw
insert that goes first inserts the previous batch's events). The raw insert of a round is repeated ``RAW_REPEATS``
times, each into its own fresh table, and its median time taken. Before each batch and each raw insert a CHECKPOINT,
so that neither pays for writing out the other's pages. A pair's ratio is its batches' events/s (events over the sum
of their times) over its raw inserts' (events over the sum of their median times).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
from psycopg import sql

from application.commands import DefineAchievement, RegisterLearner, RegisterProvider
from domain.achievement import AchievementSpec
from domain.enrolment import Enrolment
from domain.values import AchievementType, Actor, Identifier
from ops.bench.common import Figure, connect, fresh_schema, run_threads
from ops.bench.http import Server, server_env
from ops.bench.sizes import SKILLS, Size
from wiring.services import build_services
from wiring.settings import load_settings

ASSESSMENTS = 3
RAW_ROWS_PER_TX = 1000
BATCHES_PER_PAIR = 8
RAW_REPEATS = 3
TWO_CLIENT_ROUNDS = 4


def _items(achievement: UUID, learners: list[UUID], run: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for n, learner in enumerate(learners):
        term = "2026-T1"
        items.append({"command": "enrol", "idempotency_key": f"{run}-e{n}", "learner_id": str(learner),
                      "achievement_id": str(achievement), "term": term, "effective": "2026-02-01"})
        enrolment = Enrolment.create_id(learner, achievement, term)
        for a in range(ASSESSMENTS):
            items.append({
                "command": "record_assessment", "idempotency_key": f"{run}-a{n}-{a}", "enrolment_id": str(enrolment),
                "title": f"Assessment {a + 1}", "outcome": "passed", "score": "B", "assessor": "Dr Assessor",
                "assessed_on": "2026-03-01",
                "skill_levels": [{"skill_url": SKILLS[0].url, "level": 3}, {"skill_url": SKILLS[1].url, "level": 2}],
                "evidence": [{"description": f"Portfolio item {a}", "url": f"https://evidence.example.org/{n}/{a}"}]})
    return items


def _learners(ledger: Any, actor: Actor, count: int) -> list[UUID]:
    out: list[UUID] = [UUID(int=0)] * count

    def work(i: int) -> None:
        for n in range(i, count, 4):
            out[n] = ledger.execute(actor, RegisterLearner(
                primary_identifier=Identifier("student id", f"B{n:07d}"),
                effective=date(2025, 1, 1) + timedelta(days=n % 300))).id

    run_threads(4, work)
    return out


def _events_between(url: str, schema: str, after: int, upto: int) -> list[tuple[Any, ...]]:
    with connect(url) as conn:
        return conn.execute(sql.SQL(
            "SELECT originator_id, originator_version, topic, state FROM {}.storedledger_events "
            "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id"
        ).format(sql.Identifier(schema)), (after, upto)).fetchall()


def raw_insert_seconds(url: str, schema: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert ``rows`` (fresh originator ids) into a plain table, 1,000 rows per transaction."""
    table = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(f"raw_{uuid.uuid4().hex[:8]}"))
    with connect(url) as conn:
        conn.execute(sql.SQL(
            "CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, "
            "state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version))").format(table))
        conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {} (notification_id)").format(table))
    insert = sql.SQL("INSERT INTO {} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
                     ).format(table)
    salt = uuid.uuid4()
    fresh = [(uuid.uuid5(salt, str(row[0])), *row[1:]) for row in rows]
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        for start in range(0, len(fresh), RAW_ROWS_PER_TX):
            with conn.cursor() as curs:
                curs.executemany(insert, fresh[start:start + RAW_ROWS_PER_TX])
            conn.commit()
        return time.perf_counter() - started


def checkpoint(url: str) -> None:
    """Dirty pages written out, so the next side starts as clean as the last (needs the right to CHECKPOINT)."""
    with connect(url) as conn, contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        conn.execute("CHECKPOINT")


def raw_seconds(url: str, schema: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert ``rows`` raw: the median of ``RAW_REPEATS`` runs, each into its own fresh table."""
    checkpoint(url)
    return statistics.median(raw_insert_seconds(url, schema, rows) for _ in range(RAW_REPEATS))


def measure_batch(url: str, size: Size, log: Callable[[str], None] = print) -> list[Figure]:
    per_batch = max(1, size.batch_items // (1 + ASSESSMENTS))
    with fresh_schema(url, "bench_batch") as schema, tempfile.TemporaryDirectory() as data:
        env = server_env(url, schema, data)
        services = build_services(load_settings(env))
        server: Server | None = None
        try:
            ledger = services.ledger
            provider = ledger.execute(Actor.admin(), RegisterProvider(
                name="Batch polytechnic", identifiers=(Identifier("NZQA provider", "9898"),),
                effective=date(2024, 1, 1)))
            actor = Actor.provider(provider.id)
            achievement = ledger.execute(actor, DefineAchievement(AchievementSpec(
                AchievementType.MICRO_CREDENTIAL, "Imported practice", "Assessed at the provider.", "Pass.",
                skills=SKILLS[:2]), effective=date(2024, 1, 1))).id
            paired = BATCHES_PER_PAIR * size.repetitions + 1
            batches = paired + 2 * (TWO_CLIENT_ROUNDS + 1)
            log(f"  registering {per_batch * batches} learners")
            learners = _learners(ledger, actor, per_batch * batches)
            server = Server(["ops.cli", "serve", "--host", "127.0.0.1"], env, Path(data) / "server.log")
            server.wait_ready()
            client = httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {provider.token}"},
                                  timeout=300.0)

            def items_of(rep: int) -> list[dict[str, Any]]:
                return _items(achievement, learners[rep * per_batch:(rep + 1) * per_batch], f"r{rep}")

            def post_batch(rep: int) -> tuple[float, list[tuple[Any, ...]], int]:
                items = items_of(rep)
                body = json.dumps({"items": items}).encode()  # before the clock, as the raw insert's rows are
                before = ledger.position()
                started = time.perf_counter()
                position = _posted(client, body, rep)
                seconds = time.perf_counter() - started
                return seconds, _events_between(url, schema, before, position), len(items)

            post_batch(paired - 1)  # warm-up, on its own learners
            previous: list[tuple[Any, ...]] = []
            pairs = []
            for rep in range(size.repetitions):
                rounds = []  # per round: items, events, seconds; raw events, raw seconds
                for n in range(BATCHES_PER_PAIR):  # a batch and a raw insert, each first in turn
                    raw_first = (rep + n) % 2 == 1
                    raw_before = (len(previous), raw_seconds(url, schema, previous)) if raw_first else None
                    checkpoint(url)
                    seconds, events, items = post_batch(rep * BATCHES_PER_PAIR + n)
                    raw_after = raw_before or (len(events), raw_seconds(url, schema, events))
                    rounds.append((items, len(events), seconds, *raw_after))
                    previous = events
                items, events_count = sum(r[0] for r in rounds), sum(r[1] for r in rounds)
                seconds = sum(r[2] for r in rounds)
                raw = sum(r[3] for r in rounds) / sum(r[4] for r in rounds)
                pairs.append({"items": items, "events": events_count, "seconds": seconds,
                              "events_per_s": events_count / seconds, "items_per_s": items / seconds,
                              "raw_events_per_s": raw})
                log(f"  pair {rep + 1}: {BATCHES_PER_PAIR} batches, {items} items, {events_count} events in "
                    f"{seconds:.2f} s ({items / seconds:,.0f} items/s); raw {raw:,.0f} events/s")
            two_clients = _two_clients_rounds(server.base, provider.token, client, items_of, paired)
            client.close()
        finally:
            if server is not None:
                server.stop()
            services.close()
    log("  the same items from two clients at once: " + ", ".join(
        f"{one * 1000:.0f} / {two * 1000:.0f} ms" for one, two, _ in two_clients) + " (one client / two)")
    return [_import_figure(pairs, size), _two_clients_figure(two_clients)]


def _import_figure(pairs: list[dict[str, Any]], size: Size) -> Figure:
    ratios = [p["events_per_s"] / p["raw_events_per_s"] for p in pairs]
    items_rate = statistics.median(p["items_per_s"] for p in pairs)
    raw = statistics.median(p["raw_events_per_s"] for p in pairs)
    return Figure(
        "batch.import", f"batch import, POST /v1/events of {size.batch_items} items", "events/s",
        statistics.median(p["events_per_s"] for p in pairs), raw, "raw psycopg INSERT, 1,000-row tx",
        statistics.median(ratios), "ratio>=0.25", pair_ratios=ratios,
        text=f"{items_rate:,.0f} items/s ({statistics.median(p['events_per_s'] for p in pairs):,.0f} events/s)",
        baseline_text=f"{raw:,.0f} events/s (raw INSERT, 1,000-row transactions)", details={"pairs": pairs}).judge()


def _posted(client: httpx.Client, body: bytes, name: object) -> int:
    """POST a batch body; every item must succeed. The log position it reached."""
    answer = client.post("/v1/events", content=body, headers={"Content-Type": "application/json"})
    result = answer.json()
    if answer.status_code != 200 or result["failed"]:
        raise RuntimeError(f"batch {name}: {answer.status_code} {answer.text[:500]}")
    return int(result["position"])


def _two_clients_rounds(base: str, token: str, client: httpx.Client, items_of: Callable[[int], list[dict[str, Any]]],
                        first: int) -> list[tuple[float, float, int]]:
    """Rounds of one batch from one client and the next batch's items as two halves from two clients at once (as an
    importer with two connections sends them), which goes first alternating: seconds of each, items per round. The
    first round warms the second client's worker up and is not kept."""
    other = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300.0)
    rounds = []
    try:
        for n in range(TWO_CLIENT_ROUNDS + 1):
            whole = json.dumps({"items": items_of(first + 2 * n)}).encode()
            items = items_of(first + 2 * n + 1)
            middle = len(items) // 2
            halves = [json.dumps({"items": half}).encode() for half in (items[:middle], items[middle:])]
            two = _at_once((client, other), halves) if n % 2 else 0.0
            started = time.perf_counter()
            _posted(client, whole, f"one client {n}")
            one = time.perf_counter() - started
            rounds.append((one, two or _at_once((client, other), halves), len(items)))
    finally:
        other.close()
    return rounds[1:]


def _at_once(clients: tuple[httpx.Client, httpx.Client], bodies: list[bytes]) -> float:
    def post(i: int) -> None:
        _posted(clients[i], bodies[i], f"half {i}")

    return run_threads(2, post)


def _two_clients_figure(rounds: list[tuple[float, float, int]]) -> Figure:
    ratios = [one / two for one, two, _ in rounds]
    one_rate = statistics.median(items / one for one, _, items in rounds)
    two_rate = statistics.median(items / two for _, two, items in rounds)
    return Figure(
        "batch.import.two_clients", "batch import, the same items as 2 halves from 2 clients at once", "items/s",
        two_rate, one_rate, "one client, one batch", statistics.median(ratios), pair_ratios=ratios,
        text=f"{two_rate:,.0f} items/s", baseline_text=f"{one_rate:,.0f} items/s (one client)",
        details={"rounds": [{"one_client_s": one, "two_clients_s": two, "items": items} for one, two, items in rounds]})
