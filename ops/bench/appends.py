"""Appends: the Ledger's append path against raw one-row INSERT transactions of the same payloads.

Baseline: psycopg, autocommit, one ``INSERT`` of one row per transaction into a plain table with the events table's
columns and indexes (primary key on (originator_id, originator_version), unique notification id) but no trigger,
no lock and no NOTIFY; the payloads are the stored events of the data set (same topics, same state bytes), cycled.
Each writer thread has its own connection. ``synchronous_commit`` is whatever the server says, the same for both.

Figure: the data set's saves (each the new domain events of one command, captured as the data set was written) are
appended again through ``Ledger.save`` into a fresh schema, split among the writer threads (the saves of one
aggregate, and of those saved with it, in one thread, in order: ``split_causally``): the mapper, the
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
from collections.abc import Callable, Sequence
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


def split_causally(saves: Sequence[Sequence[Any]], writers: int) -> list[list[Any]]:
    """The saves split among ``writers`` threads so that the saves of one aggregate (and of any aggregate saved with it)
    go to the same thread in their order: no thread appends a version before another thread appended the one before
    it (as commands do). The groups are dealt largest first to the least loaded thread."""
    parent: dict[Any, Any] = {}

    def root(key: Any) -> Any:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for save in saves:
        first = root(save[0].originator_id)
        for event in save[1:]:
            other = root(event.originator_id)
            if other != first:
                parent[other] = first
    groups: dict[Any, list[int]] = {}
    for index, save in enumerate(saves):
        groups.setdefault(root(save[0].originator_id), []).append(index)
    shares: list[list[int]] = [[] for _ in range(writers)]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [[saves[i] for i in sorted(share)] for share in shares]


def ledger_append_rate(url: str, saves: Sequence[Sequence[Any]], writers: int, *,
                       group_commit: bool = True, early_unlock: bool = False) -> dict[str, Any]:
    """``Ledger.save`` rate of the given saves, split causally among ``writers`` threads, into a fresh schema."""
    work_saves = _rekeyed(saves, f"{writers}-{group_commit}-{uuid.uuid4()}")
    shares = split_causally(work_saves, writers)
    with fresh_schema(url, "bench_append") as schema, tempfile.TemporaryDirectory() as data:
        settings = load_settings({
            "LER_DATA_DIR": data, "DATABASE_URL": f"{url}?schema={schema}",
            "LER_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        })
        env = {"LEDGER_GROUP_COMMIT": "yes" if group_commit else "no", "LEDGER_EARLY_UNLOCK": "yes" if early_unlock
               else "no"}
        services = _build_with(settings, env)
        ledger = services.ledger
        try:
            def work(i: int) -> None:
                save = ledger.save
                for events in shares[i]:
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
        "early_unlock": early_unlock,
    }
    if committer is not None and committer.batches:
        result["saves_per_batch"] = committer.saves / committer.batches
        result["fallback_batches"] = committer.fallbacks
        result["unlocked_early_batches"] = committer.unlocked_early
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
    """Per writer count, ``repetitions`` trios of raw INSERTs, Ledger appends and Ledger appends with the lock released
    before the flush (``LEDGER_EARLY_UNLOCK``), rotating which goes first; each ratio is the median of the trios'."""
    figures = []
    for writers, target in ((1, ""), (4, "ratio>=0.8")):
        trios = [_trio(url, saves, payloads, raw_seconds, writers, rep) for rep in range(repetitions)]
        for raw, ours, early in trios:
            log(f"  {writers} writer(s): raw INSERT {raw['tx_per_s']:,.0f} tx/s, Ledger.save (group commit) "
                f"{ours['saves_per_s']:,.0f} saves/s ({ours.get('saves_per_batch', 1):.2f} saves per transaction), "
                f"lock released before the flush {early['saves_per_s']:,.0f} saves/s")
        raw_rate = statistics.median(raw["tx_per_s"] for raw, _, _ in trios)
        plural = "s" if writers > 1 else ""
        for index, name, label, variant_target in (
                (1, f"append.ledger.w{writers}", f"append through the Ledger, {writers} writer{plural}", target),
                (2, f"append.ledger.w{writers}.early_unlock", "  same, lock released before the flush "
                 "(LEDGER_EARLY_UNLOCK=1)", "")):
            ratios = [trio[index]["saves_per_s"] / trio[0]["tx_per_s"] for trio in trios]
            figures.append(Figure(
                name, label, "saves/s", statistics.median(trio[index]["saves_per_s"] for trio in trios), raw_rate,
                "raw 1-row INSERT tx/s", statistics.median(ratios), variant_target, pair_ratios=ratios,
                details={"pairs": [{"ledger": trio[index], "raw": trio[0]} for trio in trios]}).judge())
        if writers == 4:
            library = ledger_append_rate(url, saves, writers, group_commit=False)
            log(f"  Ledger.save, library recorder, 4 writers: {library['saves_per_s']:,.0f} saves/s")
            figures.append(Figure(
                "append.ledger.w4.library", "  same, library's recorder (LEDGER_GROUP_COMMIT=0)", "saves/s",
                library["saves_per_s"], raw_rate, "raw 1-row INSERT tx/s", library["saves_per_s"] / raw_rate,
                details={"ledger": library}))
    return figures


def _trio(url: str, saves: Sequence[Sequence[Any]], payloads: Sequence[tuple[str, bytes]], raw_seconds: float,
          writers: int, rep: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "raw": lambda: raw_insert_rate(url, payloads, writers, raw_seconds),
        "ledger": lambda: ledger_append_rate(url, saves, writers),
        "early": lambda: ledger_append_rate(url, saves, writers, early_unlock=True),
    }
    order = list(runs)[rep % 3:] + list(runs)[: rep % 3]
    done = {name: runs[name]() for name in order}
    return done["raw"], done["ledger"], done["early"]
