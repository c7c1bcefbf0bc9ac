"""Appends: the Ledger's append path against raw one-row INSERT transactions of the same payloads.

Baseline: psycopg, autocommit, one ``INSERT`` of one row per transaction into a plain table with the events table's
columns and indexes (primary key on (originator_id, originator_version), unique notification id) but no trigger,
no lock and no NOTIFY; the payloads are the stored events of the data set (same topics, same state bytes), cycled.
Each writer thread has its own connection. ``synchronous_commit`` is whatever the server says, the same for both.

Figure: the data set's saves (each the new domain events of one command, captured as the data set was written) are
appended again through ``Ledger.save`` into a fresh schema, split among the writer threads: the mapper, the
transcoder (encode) and the recorder (group commit or the library's), exactly the tail of every command. Their
originator ids are re-keyed so the fresh store holds no conflict. Rates are saves (transactions) per second; a save
holds 1.2 events on average, so events per second are higher (in the details).

A third rate, full commands (rules, reads of aggregates, signing, then the save), is in the command mix figure.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from typing import Any

from psycopg import sql

from adapters.storage.postgres import AppendOnlyPostgresApplicationRecorder
from ops.bench.common import Figure, connect, fresh_schema, run_threads
from wiring.services import build_services
from wiring.settings import load_settings


def stored_payloads(saves: Sequence[Sequence[Any]], mapper: Any) -> list[tuple[str, bytes]]:
    """(topic, state) of every event of the saves, encoded by the Ledger's own mapper."""
    payloads = []
    for save in saves:
        for event in save:
            stored = mapper.to_stored_event(event)
            payloads.append((stored.topic, stored.state))
    return payloads


def raw_insert_rate(url: str, payloads: Sequence[tuple[str, bytes]], writers: int, seconds: float) -> dict[str, Any]:
    """One-row INSERT transactions per second, ``writers`` threads, for ``seconds``."""
    with fresh_schema(url, "bench_raw") as schema:
        table = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier("plain_events"))
        with connect(url) as conn:
            conn.execute(sql.SQL(
                "CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, "
                "state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
            ).format(table))
            conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {} (notification_id)").format(table))
        insert = sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
        ).format(table)
        counts = [0] * writers
        deadline: list[float] = []

        def work(i: int) -> None:
            with connect(url) as conn, conn.cursor() as curs:
                n = 0
                payload = itertools.cycle(payloads[i::writers] or payloads)
                end = time.perf_counter() + seconds
                while time.perf_counter() < end:
                    topic, state = next(payload)
                    curs.execute(insert, (uuid.uuid4(), 1, topic, state), prepare=True)
                    n += 1
                counts[i] = n
                deadline.append(end)

        elapsed = run_threads(writers, work)
    total = sum(counts)
    return {"tx_per_s": total / elapsed, "transactions": total, "seconds": elapsed, "writers": writers}


def _rekeyed(saves: Sequence[Sequence[Any]], salt: str) -> list[list[Any]]:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, salt)
    return [
        [dataclasses.replace(e, originator_id=uuid.uuid5(namespace, e.originator_id.hex)) for e in save]
        for save in saves
    ]


def ledger_append_rate(url: str, saves: Sequence[Sequence[Any]], writers: int, *,
                       group_commit: bool = True) -> dict[str, Any]:
    """``Ledger.save`` rate of the given saves, split among ``writers`` threads, into a fresh schema."""
    work_saves = _rekeyed(saves, f"{writers}-{group_commit}-{uuid.uuid4()}")
    with fresh_schema(url, "bench_append") as schema, tempfile.TemporaryDirectory() as data:
        settings = load_settings({
            "LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}",
            "LER_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        })
        env = {"LEDGER_GROUP_COMMIT": "yes" if group_commit else "no"}
        services = _build_with(settings, env)
        ledger = services.ledger
        try:
            def work(i: int) -> None:
                save = ledger.save
                for events in work_saves[i::writers]:
                    save(*events)

            elapsed = run_threads(writers, work)
            recorder = ledger.recorder
            committer = getattr(recorder, "group_committer", None)
            with connect(url) as conn:
                stored = conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(getattr(recorder, "events_table_name", "")))).fetchone()
        finally:
            services.close()
    events = sum(len(s) for s in work_saves)
    assert stored is not None and stored[0] == events, (stored, events)
    result: dict[str, Any] = {
        "saves_per_s": len(work_saves) / elapsed, "events_per_s": events / elapsed, "saves": len(work_saves),
        "events": events, "seconds": elapsed, "writers": writers, "group_commit": group_commit,
    }
    if committer is not None and committer.batches:
        result["saves_per_batch"] = committer.saves / committer.batches
        result["fallback_batches"] = committer.fallbacks
    return result


def _build_with(settings: Any, env: dict[str, str]) -> Any:
    """``build_services`` with extra eventsourcing settings (the Ledger reads its env from the process environment
    as well, so they are set there for the time of the construction)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        services = build_services(settings)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    recorder = services.ledger.recorder
    if not isinstance(recorder, AppendOnlyPostgresApplicationRecorder):
        raise RuntimeError(f"unexpected recorder {type(recorder).__name__}")
    return services


def measure(url: str, saves: Sequence[Sequence[Any]], payloads: Sequence[tuple[str, bytes]], raw_seconds: float,
            log: Any = print, repetitions: int = 3) -> list[Figure]:
    """Per writer count, ``repetitions`` pairs of raw INSERTs and Ledger appends, alternating which goes first; the
    ratio is the median of the pairs' ratios."""
    figures = []
    for writers, target in ((1, ""), (4, "ratio>=0.8")):
        pairs = [_pair(url, saves, payloads, raw_seconds, writers, rep % 2 == 1) for rep in range(repetitions)]
        for raw, ours in pairs:
            log(f"  {writers} writer(s): raw INSERT {raw['tx_per_s']:,.0f} tx/s, Ledger.save (group commit) "
                f"{ours['saves_per_s']:,.0f} saves/s ({ours.get('saves_per_batch', 1):.2f} saves per transaction)")
        ratios = [ours["saves_per_s"] / raw["tx_per_s"] for raw, ours in pairs]
        raw_rate = statistics.median(raw["tx_per_s"] for raw, _ in pairs)
        figures.append(Figure(
            f"append.ledger.w{writers}", f"append through the Ledger, {writers} writer{'s' if writers > 1 else ''}",
            "saves/s", statistics.median(ours["saves_per_s"] for _, ours in pairs), raw_rate,
            "raw 1-row INSERT tx/s", statistics.median(ratios), target, pair_ratios=ratios,
            details={"pairs": [{"ledger": ours, "raw": raw} for raw, ours in pairs]}).judge())
        if writers == 4:
            library = ledger_append_rate(url, saves, writers, group_commit=False)
            log(f"  Ledger.save, library recorder, 4 writers: {library['saves_per_s']:,.0f} saves/s")
            figures.append(Figure(
                "append.ledger.w4.library", "  same, library's recorder (LEDGER_GROUP_COMMIT=0)", "saves/s",
                library["saves_per_s"], raw_rate, "raw 1-row INSERT tx/s", library["saves_per_s"] / raw_rate,
                details={"ledger": library}))
    return figures


def _pair(url: str, saves: Sequence[Sequence[Any]], payloads: Sequence[tuple[str, bytes]], raw_seconds: float,
          writers: int, ledger_first: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    if ledger_first:
        ours = ledger_append_rate(url, saves, writers, group_commit=True)
        return raw_insert_rate(url, payloads, writers, raw_seconds), ours
    raw = raw_insert_rate(url, payloads, writers, raw_seconds)
    return raw, ledger_append_rate(url, saves, writers, group_commit=True)
