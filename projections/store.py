"""The materialised views: tables in the same database as the events, each change committed in the same transaction
as the `eventsourcing` tracking record of the event that caused it, so each event is applied exactly once.

One projection (name "views") maintains every table: the learners' folded states and facts (for the CLR, skills,
pathway, record and shares views, and for "as of"), versioned catalogue rows, credentials with their signed documents
and status, and the indexes for the employer query. Keeping them in one projection means every view answers at one
and the same log position: a CLR never disagrees with the skills profile or the employer view.

Events are applied in batches (`process_batch`): one transaction per batch, holding every change the batch makes and
the tracking record of its last event, so a batch is applied entirely or not at all and a restart resumes after the
last committed batch. Within a batch each learner's state is read once and written once, each catalogue entry is read
once, and the derived index rows are rewritten once per learner. Batch boundaries do not change the result: the
tables after a batch are those that applying its events one by one would leave.

Three more tables are not views of the log but documents derived from them by a lagging step
(projections/signed_documents.py):
the learners' signed CLRs (at the position they were signed for), the result of checking each credential's proof,
and that step's own position.

Concrete recorders: `SQLiteLedgerViews` (the embedded default; tables in the event store's file, its own tracking
table) and `PostgresLedgerViews` (tables in the configured schema).
"""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import orjson
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections import learner_state
from projections.facts import (
    CATALOGUE_AGGREGATES,
    LEARNER_AGGREGATES,
    aggregate_class,
    apply_catalogue,
    catalogue_change,
    credential_change,
    event_name,
    learner_fact,
    moment,
)
from projections.learner_record import LearnerRecord
from projections.skills import skill_index_rows

Json = dict[str, Any]
APPLICATION_NAME = "StoredLedger"  # the tracked application: wiring.services.StoredLedger (its class name)
VIEW_NAME = "views"
TABLES = ("log", "catalogue", "facts", "learners", "credentials", "learner_skills", "shares", "share_skills")
# Signed documents and proof checks (projections/signed_documents.py): derived from the views, not compared.
SIGNED_TABLES = ("signed_clrs", "proofs", "published")
TABLE_PREFIX = "ler_v_"
IN_CHUNK = 500  # ids per IN (...) list
LARGE_COLUMNS = (("credentials", "document"), ("learners", "state"), ("facts", "fact"), ("catalogue", "doc"),
                 ("signed_clrs", "document"))


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS {log} (position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, fact TEXT NOT NULL,"
    " learner_id TEXT)",
    "CREATE INDEX IF NOT EXISTS {log}_recorded ON {log} (recorded_at, position)",
    "CREATE TABLE IF NOT EXISTS {catalogue} (kind TEXT NOT NULL, id TEXT NOT NULL, position BIGINT NOT NULL,"
    " doc TEXT NOT NULL, PRIMARY KEY (kind, id, position))",
    "CREATE TABLE IF NOT EXISTS {facts} (learner_id TEXT NOT NULL, position BIGINT NOT NULL, fact TEXT NOT NULL,"
    " PRIMARY KEY (learner_id, position))",
    "CREATE TABLE IF NOT EXISTS {learners} (learner_id TEXT PRIMARY KEY, position BIGINT NOT NULL,"
    " state TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {credentials} (credential_id TEXT PRIMARY KEY, learner_id TEXT NOT NULL,"
    " provider_id TEXT NOT NULL, achievement_id TEXT NOT NULL, status TEXT NOT NULL, status_index INTEGER NOT NULL,"
    " issued_on TEXT NOT NULL, expires_on TEXT, replaced_by TEXT, document TEXT NOT NULL, position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {credentials}_provider ON {credentials} (provider_id, status)",
    "CREATE TABLE IF NOT EXISTS {learner_skills} (learner_id TEXT NOT NULL, skill_url TEXT NOT NULL, level INTEGER,"
    " last_evidenced TEXT NOT NULL, rank INTEGER NOT NULL, verified_level INTEGER, verified_last TEXT,"
    " PRIMARY KEY (learner_id, skill_url))",
    "CREATE TABLE IF NOT EXISTS {shares} (share_id TEXT PRIMARY KEY, learner_id TEXT NOT NULL,"
    " employer_id TEXT NOT NULL, token_hash TEXT NOT NULL, expires_at TEXT NOT NULL, revoked INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS {shares}_token ON {shares} (token_hash)",
    "CREATE INDEX IF NOT EXISTS {shares}_learner ON {shares} (learner_id)",
    "CREATE TABLE IF NOT EXISTS {share_skills} (share_id TEXT NOT NULL, skill_url TEXT NOT NULL,"
    " employer_id TEXT NOT NULL, learner_id TEXT NOT NULL, PRIMARY KEY (share_id, skill_url))",
    "CREATE INDEX IF NOT EXISTS {share_skills}_employer ON {share_skills} (employer_id, skill_url, learner_id)",
    "CREATE INDEX IF NOT EXISTS {learners}_position ON {learners} (position)",
    "CREATE INDEX IF NOT EXISTS {credentials}_position ON {credentials} (position)",
    "CREATE TABLE IF NOT EXISTS {signed_clrs} (learner_id TEXT PRIMARY KEY, position BIGINT NOT NULL,"
    " document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {proofs} (credential_id TEXT PRIMARY KEY, keys TEXT NOT NULL, ok INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {published} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
]
ALL_TABLES = TABLES + SIGNED_TABLES
SHARE_FACTS = frozenset({"Learner.ShareGranted", "Learner.ShareRevoked", "Learner.ShareOpened"})
# Facts that leave every piece of a learner's skill evidence as it was (views.evidence_items): a batch whose facts for
# a learner are all of these keeps that learner's skill index rows. Any other fact re-indexes the learner.
FACTS_WITHOUT_SKILL_EVIDENCE = SHARE_FACTS | {
    "Learner.Registered", "Learner.Erased", "Enrolment.Enrolled", "Enrolment.Completed", "Enrolment.Withdrawn",
    "RecognitionCase.Applied", "RecognitionCase.EvidenceSubmitted",
}


class CursorCatalogue:
    """The catalogue as it stood at a position (or now), read through one cursor, memoised per read."""

    def __init__(self, views: LedgerViews, cursor: Any, position: int | None = None):
        self.views = views
        self.cursor = cursor
        self.position = position
        self.memo: dict[tuple[str, str], Json | None] = {}

    def entry(self, kind: str, entry_id: str) -> Json | None:
        key = (kind, entry_id)
        if key not in self.memo:
            self.memo[key] = self.views.catalogue_entry(self.cursor, kind, entry_id, self.position)
        return self.memo[key]

    def provider(self, provider_id: str) -> Json | None:
        return self.entry("provider", provider_id)

    def achievement(self, achievement_id: str) -> Json | None:
        return self.entry("achievement", achievement_id)

    def employer(self, employer_id: str) -> Json | None:
        return self.entry("employer", employer_id)


class PreparedEvent(NamedTuple):
    """What the views need from one event, computed without the database (so it can be done ahead, in another
    thread, while the previous batch is written)."""

    position: int
    log_row: tuple[Any, ...]
    fact: tuple[str, Json] | None
    catalogue: tuple[str, str, Json] | None
    credential: tuple[str, Json] | None


def prepare_events(events: Sequence[tuple[Any, int]]) -> list[PreparedEvent]:
    return [prepare_event(event, position) for event, position in events]


def prepare_event(event: Any, position: int) -> PreparedEvent:
    """Only the conversions the event's aggregate calls for: a fact for a learner's aggregates, a catalogue change for
    a provider's, achievement's or employer's, a credential row for a credential's (one of the learner's); a log row
    for every event."""
    aggregate = aggregate_class(event)
    fact = learner_fact(event, position) if aggregate in LEARNER_AGGREGATES else None
    recorded_at = fact[1]["recorded_at"] if fact is not None else moment(event.timestamp)
    return PreparedEvent(
        position, (position, recorded_at, event_name(event), fact[0] if fact is not None else None), fact,
        catalogue_change(event) if aggregate in CATALOGUE_AGGREGATES else None,
        credential_change(event) if fact is not None else None)


class ViewBatch:
    """The changes of one batch of events, gathered in memory and written at the end with a few statements: each
    learner's state read once and written once, catalogue entries read once, index rows rewritten once per learner.

    Index rows depend on a learner's final state and on whether the providers behind their evidence are registered;
    a provider is registered when created and may only be deregistered after, which re-indexes every learner. So
    indexing at the end of the batch, against the catalogue as the batch leaves it, gives the rows event-by-event
    processing gives, whatever the batch boundaries."""

    def __init__(self, views: LedgerViews, cursor: Any, catalogue: dict[tuple[str, str], Json | None] | None = None):
        self.views = views
        self.cursor = cursor
        self.catalogue = CursorCatalogue(views, cursor)
        self.catalogue.memo.update(catalogue or {})

    def apply(self, events: Sequence[PreparedEvent]) -> None:
        views, cursor = self.views, self.cursor
        # A write first: on SQLite it takes the write lock before anything is read, so that no other writer can
        # commit between this transaction's first read and its first write (which would fail it as "locked").
        views.insert_rows(cursor, "log", ("position", "recorded_at", "fact", "learner_id"),
                          [event.log_row for event in events])
        learner_ids = list(dict.fromkeys(event.fact[0] for event in events if event.fact is not None))
        states = views.learner_states(cursor, learner_ids)
        existing = set(states)
        catalogue_rows: list[tuple[Any, ...]] = []
        fact_rows: list[tuple[Any, ...]] = []
        issued: dict[str, Json] = {}
        changed: dict[str, Json] = {}
        shares_changed: dict[str, None] = {}
        skills_changed: dict[str, None] = {}
        reindex_all = False
        for event in events:
            if event.catalogue is not None:
                kind, entry_id, data = event.catalogue
                doc = apply_catalogue(kind, entry_id, self.catalogue.entry(kind, entry_id), data)
                self.catalogue.memo[(kind, entry_id)] = doc
                catalogue_rows.append((kind, entry_id, event.position, dumps(doc)))
                if kind == "provider" and data["fact"] == "Deregistered":
                    reindex_all = True  # verified evidence depends on the provider being registered
            if event.credential is not None:
                self._change_credential(issued, changed, event.position, *event.credential)
            if event.fact is not None:
                learner_id, learner_change = event.fact
                if learner_id not in states:
                    states[learner_id] = learner_state.empty(learner_id)
                learner_state.advance(states[learner_id], learner_change)
                fact_rows.append((learner_id, learner_change["position"], dumps(learner_change)))
                if learner_change["fact"].startswith("Learner."):
                    shares_changed[learner_id] = None
                if learner_change["fact"] not in FACTS_WITHOUT_SKILL_EVIDENCE:
                    skills_changed[learner_id] = None

        views.insert_rows(cursor, "catalogue", ("kind", "id", "position", "doc"), catalogue_rows)
        views.insert_rows(cursor, "credentials", ("credential_id", "learner_id", "provider_id", "achievement_id",
                                                  "status", "status_index", "issued_on", "expires_on", "replaced_by",
                                                  "document", "position"),
                          [(credential_id, c["learner_id"], c["provider_id"], c["achievement_id"], c["status"],
                     c["status_index"], c["issued_on"], c["expires_on"], c["replaced_by"], dumps(c["document"]),
                     c["position"]) for credential_id, c in issued.items()])
        views.many(cursor, "UPDATE {credentials} SET status = ?, replaced_by = COALESCE(?, replaced_by), position = ?"
                           " WHERE credential_id = ?",
                   [(c["status"], c["replaced_by"], c["position"], credential_id)
                    for credential_id, c in changed.items()])
        views.insert_rows(cursor, "facts", ("learner_id", "position", "fact"), fact_rows)
        views.many(cursor, "UPDATE {learners} SET position = ?, state = ? WHERE learner_id = ?",
                   [(states[i]["position"], dumps(states[i]), i) for i in learner_ids if i in existing])
        views.insert_rows(cursor, "learners", ("learner_id", "position", "state"),
                          [(i, states[i]["position"], dumps(states[i])) for i in learner_ids if i not in existing])
        if shares_changed:
            self._index_shares({i: states[i] for i in shares_changed})
        if reindex_all:
            everyone = {row["learner_id"]: loads(row["state"])
                        for row in views.all(cursor, "SELECT learner_id, state FROM {learners}")}
            self._index_skills({**everyone, **states})
        elif skills_changed:
            self._index_skills({i: states[i] for i in skills_changed})

    @staticmethod
    def _change_credential(issued: dict[str, Json], changed: dict[str, Json], position: int, credential_id: str,
                           change: Json) -> None:
        """The credential rows to insert (issued in the batch) and to update (issued before it), as the batch
        leaves them: a later status change applies to a row issued earlier in the batch in place."""
        if "document" in change:
            issued[credential_id] = {**change, "position": position}
            return
        row = issued.get(credential_id)
        if row is None:
            row = changed.setdefault(credential_id, {"replaced_by": None})
        row["status"] = change["status"]
        row["position"] = position
        if change.get("replaced_by") is not None:
            row["replaced_by"] = change["replaced_by"]

    def _index_skills(self, states: dict[str, Json]) -> None:
        views, cursor = self.views, self.cursor
        views.delete_learner_rows(cursor, "learner_skills", list(states))
        rows = [(learner_id, row.skill_url, row.level, row.last_evidenced.isoformat(), row.rank, row.verified_level,
                 row.verified_last.isoformat() if row.verified_last else None)
                for learner_id, state in states.items()
                for row in skill_index_rows(LearnerRecord.of(state), self.catalogue)]
        views.insert_rows(cursor, "learner_skills", ("learner_id", "skill_url", "level", "last_evidenced", "rank",
                                                     "verified_level", "verified_last"), rows)

    def _index_shares(self, states: dict[str, Json]) -> None:
        views, cursor = self.views, self.cursor
        views.delete_learner_rows(cursor, "share_skills", list(states))
        views.delete_learner_rows(cursor, "shares", list(states))
        shares: list[tuple[Any, ...]] = []
        share_skills: list[tuple[Any, ...]] = []
        for learner_id, state in states.items():
            for share in state["shares"].values():
                shares.append((share["share_id"], learner_id, share["employer_id"], share["token_hash"],
                               share["expires_at"], int(share["revoked"])))
                share_skills += [(share["share_id"], url, share["employer_id"], learner_id)
                                 for url in dict.fromkeys(share["skill_urls"])]
        views.insert_rows(cursor, "shares", ("share_id", "learner_id", "employer_id", "token_hash", "expires_at",
                                             "revoked"), shares)
        views.insert_rows(cursor, "share_skills", ("share_id", "skill_url", "employer_id", "learner_id"), share_skills)


class LedgerViews(TrackingRecorder):
    """The view: writes (one event, one transaction, with tracking) and keyed reads. Dialect details are left to
    the concrete SQLite and PostgreSQL classes."""

    tables: dict[str, str]

    def sql(self, text: str) -> str:
        return text.format(**self.tables)

    @abstractmethod
    def transaction(self, *, commit: bool) -> contextlib.AbstractContextManager[Any]: ...

    @abstractmethod
    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None: ...

    @abstractmethod
    def delete_tracking_in(self, cursor: Any) -> None: ...

    def run(self, cursor: Any, text: str, params: Sequence[Any] = ()) -> Any:
        cursor.execute(self.sql(text), tuple(params))
        return cursor

    def all(self, cursor: Any, text: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.run(cursor, text, params).fetchall())

    def one(self, cursor: Any, text: str, params: Sequence[Any] = ()) -> Any:
        return self.run(cursor, text, params).fetchone()

    # ---- writing ------------------------------------------------------------------------------------------

    def process(self, domain_event: Any, tracking: Tracking) -> None:
        """One event in its own transaction (a batch of one)."""
        self.process_batch([(domain_event, tracking.notification_id)], tracking)

    def process_batch(self, events: Sequence[tuple[Any, int]], tracking: Tracking,
                      catalogue: dict[tuple[str, str], Json | None] | None = None) -> None:
        """Apply events (each with its log position, in log order) in ONE transaction, with the tracking record of
        the batch's last position: all of the batch is applied, or none of it."""
        self.process_prepared(prepare_events(events), tracking, catalogue)

    def process_prepared(self, events: Sequence[PreparedEvent], tracking: Tracking,
                         catalogue: dict[tuple[str, str], Json | None] | None = None) -> None:
        """`process_batch` of prepared events. `catalogue`, if given, holds the latest catalogue entries as the views
        stand before the batch (a runner's memory of them); it is brought up to date when the batch commits."""
        with self.transaction(commit=True) as cursor:
            batch = ViewBatch(self, cursor, catalogue)
            if events:
                batch.apply(events)
            self.insert_tracking_in(cursor, tracking)
        if catalogue is not None:
            catalogue.update(batch.catalogue.memo)

    def many(self, cursor: Any, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            cursor.executemany(self.sql(text), [tuple(row) for row in rows])

    def insert_rows(self, cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.many(cursor, f"INSERT INTO {{{table}}} ({', '.join(columns)}) VALUES ({marks})", rows)

    def delete_learner_rows(self, cursor: Any, table: str, learner_ids: Sequence[str]) -> None:
        for start in range(0, len(learner_ids), IN_CHUNK):
            chunk = learner_ids[start:start + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            self.run(cursor, f"DELETE FROM {{{table}}} WHERE learner_id IN ({marks})", chunk)

    def learner_states(self, cursor: Any, learner_ids: Sequence[str]) -> dict[str, Json]:
        states: dict[str, Json] = {}
        for start in range(0, len(learner_ids), IN_CHUNK):
            chunk = learner_ids[start:start + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for row in self.all(cursor, f"SELECT learner_id, state FROM {{learners}} WHERE learner_id IN ({marks})",
                                chunk):
                states[row["learner_id"]] = loads(row["state"])
        return states

    def reset(self) -> None:
        """Empty every table and forget the tracking position: the next run rebuilds from position 0."""
        with self.transaction(commit=True) as cursor:
            for table in ALL_TABLES:
                self.run(cursor, f"DELETE FROM {{{table}}}")
            self.delete_tracking_in(cursor)

    # ---- reading ------------------------------------------------------------------------------------------

    def position(self) -> int:
        return self.max_tracking_id(APPLICATION_NAME) or 0

    def catalogue_entry(self, cursor: Any, kind: str, entry_id: str, position: int | None) -> Json | None:
        if position is None:
            row = self.one(cursor, "SELECT doc FROM {catalogue} WHERE kind = ? AND id = ?"
                                   " ORDER BY position DESC LIMIT 1", (kind, entry_id))
        else:
            row = self.one(cursor, "SELECT doc FROM {catalogue} WHERE kind = ? AND id = ? AND position <= ?"
                                   " ORDER BY position DESC LIMIT 1", (kind, entry_id, position))
        return loads(row["doc"]) if row else None

    def catalogue_entries(self, kind: str) -> list[Json]:
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT c.doc FROM {catalogue} c WHERE c.kind = ? AND c.position ="
                                    " (SELECT MAX(position) FROM {catalogue} m WHERE m.kind = c.kind AND m.id = c.id)"
                                    " ORDER BY c.id", (kind,))
        return [loads(row["doc"]) for row in rows]

    def learner(self, learner_id: str, position: int | None = None) -> tuple[Json | None, CatalogueSnapshot]:
        """The learner's state (now, or folded from their facts up to a position) and the catalogue then."""
        with self.transaction(commit=False) as cursor:
            if position is None:
                row = self.one(cursor, "SELECT state FROM {learners} WHERE learner_id = ?", (learner_id,))
                state = loads(row["state"]) if row else None
            else:
                facts = [loads(r["fact"]) for r in self.all(
                    cursor, "SELECT fact FROM {facts} WHERE learner_id = ? AND position <= ? ORDER BY position",
                    (learner_id, position))]
                state = learner_state.fold(learner_id, facts) if facts else None
            snapshot = CatalogueSnapshot.read(self, cursor, state, position)
        return state, snapshot

    def facts(self, learner_id: str, position: int | None, limit: int, offset: int) -> list[Json]:
        with self.transaction(commit=False) as cursor:
            if position is None:
                rows = self.all(cursor, "SELECT fact FROM {facts} WHERE learner_id = ?"
                                        " ORDER BY position DESC LIMIT ? OFFSET ?", (learner_id, limit, offset))
            else:
                rows = self.all(cursor, "SELECT fact FROM {facts} WHERE learner_id = ? AND position <= ?"
                                        " ORDER BY position DESC LIMIT ? OFFSET ?",
                                (learner_id, position, limit, offset))
        return [loads(row["fact"]) for row in rows]

    def position_at(self, moment_text: str) -> int:
        """The last position recorded at or before a moment (0 if none)."""
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT MAX(position) AS p FROM {log} WHERE recorded_at <= ?", (moment_text,))
        return int(row["p"] or 0) if row else 0

    def credentials(self, credential_ids: Sequence[str]) -> dict[str, Json]:
        """Credential rows by id, each with its stored proof check (`proof`: {keys, ok}, or None)."""
        if not credential_ids:
            return {}
        marks = ", ".join("?" for _ in credential_ids)
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, f"SELECT c.*, p.keys AS proof_keys, p.ok AS proof_ok FROM {{credentials}} c"
                                    f" LEFT JOIN {{proofs}} p ON p.credential_id = c.credential_id"
                                    f" WHERE c.credential_id IN ({marks})", list(credential_ids))
        return {row["credential_id"]: _credential_row(row) for row in rows}

    def credential_documents(self, learner_id: str) -> dict[str, Json]:
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT credential_id, document FROM {credentials} WHERE learner_id = ?",
                            (learner_id,))
        return {row["credential_id"]: loads(row["document"]) for row in rows}

    def status_indexes(self, provider_id: str, status: str) -> tuple[list[int], int]:
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT status_index FROM {credentials} WHERE provider_id = ? AND status = ?",
                            (provider_id, status))
            last = self.one(cursor, "SELECT MAX(position) AS p FROM {credentials} WHERE provider_id = ?",
                            (provider_id,))
        return [int(row["status_index"]) for row in rows], int((last["p"] if last else 0) or 0)

    def share_by_token_hash(self, token_hash: str) -> Json | None:
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT share_id, learner_id FROM {shares} WHERE token_hash = ?", (token_hash,))
        return {"share_id": row["share_id"], "learner_id": row["learner_id"]} if row else None

    def skill_matches(self, employer_id: str, skill_urls: Sequence[str], now: str, verified_only: bool,
                      min_level: int, since: date | None) -> list[Json]:
        """Rows (learner, share, skill) of live shares to the employer granting the skills, whose indexed skill
        meets the level and date: answered from the share_skills and learner_skills indexes."""
        level, last = ("ls.verified_level", "ls.verified_last") if verified_only else ("ls.level", "ls.last_evidenced")
        marks = ", ".join("?" for _ in skill_urls)
        text = (f"SELECT ss.learner_id, ss.share_id, ls.skill_url, ls.level, ls.last_evidenced, ls.rank,"
                f" ls.verified_level, ls.verified_last FROM {{share_skills}} ss"
                f" JOIN {{shares}} s ON s.share_id = ss.share_id"
                f" JOIN {{learner_skills}} ls ON ls.learner_id = ss.learner_id AND ls.skill_url = ss.skill_url"
                f" WHERE ss.employer_id = ? AND ss.skill_url IN ({marks}) AND s.revoked = 0 AND s.expires_at > ?"
                f" AND {last} IS NOT NULL")
        params: list[Any] = [employer_id, *skill_urls, now]
        if min_level > 1:
            text += f" AND {level} >= ?"
            params.append(min_level)
        if since is not None:
            text += f" AND {last} >= ?"
            params.append(since.isoformat())
        with self.transaction(commit=False) as cursor:
            return [dict(row) for row in self.all(cursor, text + " ORDER BY ss.learner_id, ls.skill_url", params)]

    # ---- signed documents (projections/signed_documents.py) ------------------------------------------------

    def signed_clr(self, learner_id: str) -> tuple[int, int | None, Json | None] | None:
        """(the learner's current position, the position of their stored signed CLR, that CLR); None if no such
        learner."""
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT l.position AS current_position, s.position AS signed_position, s.document"
                                   " FROM {learners} l LEFT JOIN {signed_clrs} s ON s.learner_id = l.learner_id"
                                   " WHERE l.learner_id = ?", (learner_id,))
        if row is None:
            return None
        signed = row["signed_position"]
        return (int(row["current_position"]), None if signed is None else int(signed),
                None if signed is None else loads(row["document"]))

    def store_signed_clr(self, learner_id: str, position: int, document: Json | str) -> None:
        """Keep a learner's signed CLR for a position, unless one for a later position is already kept."""
        with self.transaction(commit=True) as cursor:
            self.run(cursor, "INSERT INTO {signed_clrs} AS s (learner_id, position, document) VALUES (?, ?, ?)"
                             " ON CONFLICT (learner_id) DO UPDATE SET position = excluded.position,"
                             " document = excluded.document WHERE s.position < excluded.position",
                     (learner_id, position, dumps(document)))

    def store_proof(self, credential_id: str, keys: str, ok: bool) -> None:
        with self.transaction(commit=True) as cursor:
            self.run(cursor, "INSERT INTO {proofs} (credential_id, keys, ok) VALUES (?, ?, ?)"
                             " ON CONFLICT (credential_id) DO UPDATE SET keys = excluded.keys, ok = excluded.ok",
                     (credential_id, keys, int(ok)))

    def published_position(self, name: str) -> int:
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT position FROM {published} WHERE name = ?", (name,))
        return int(row["position"]) if row else 0

    def set_published_position(self, name: str, position: int) -> None:
        with self.transaction(commit=True) as cursor:
            self.run(cursor, "INSERT INTO {published} (name, position) VALUES (?, ?)"
                             " ON CONFLICT (name) DO UPDATE SET position = excluded.position", (name, position))

    def learners_changed_after(self, position: int, limit: int) -> list[tuple[str, int, bool]]:
        """(learner id, position, whether a CLR signed at that position is kept) of learners whose state changed
        after a position, in position order."""
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT l.learner_id, l.position, s.position AS signed_position FROM {learners} l"
                                    " LEFT JOIN {signed_clrs} s ON s.learner_id = l.learner_id WHERE l.position > ?"
                                    " ORDER BY l.position LIMIT ?", (position, limit))
        return [(row["learner_id"], int(row["position"]), row["signed_position"] == row["position"]) for row in rows]

    def credentials_unchecked_after(self, position: int, limit: int) -> list[Json]:
        """Credentials changed after a position whose proof has not been checked, in position order."""
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT c.*, NULL AS proof_keys, NULL AS proof_ok FROM {credentials} c"
                                    " LEFT JOIN {proofs} p ON p.credential_id = c.credential_id"
                                    " WHERE c.position > ? AND p.credential_id IS NULL ORDER BY c.position LIMIT ?",
                            (position, limit))
        return [_credential_row(row) for row in rows]

    def table_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: for comparing an incrementally maintained view with a rebuild."""
        dump: dict[str, list[tuple[Any, ...]]] = {}
        with self.transaction(commit=False) as cursor:
            for table in TABLES:
                rows = self.all(cursor, f"SELECT * FROM {{{table}}}")
                dump[table] = sorted(tuple(dict(row).items()) for row in rows)
        return dump


def _credential_row(row: Any) -> Json:
    return {"credential_id": row["credential_id"], "learner_id": row["learner_id"], "provider_id": row["provider_id"],
            "achievement_id": row["achievement_id"], "status": row["status"], "status_index": row["status_index"],
            "issued_on": row["issued_on"], "expires_on": row["expires_on"], "replaced_by": row["replaced_by"],
            "document": loads(row["document"]), "position": int(row["position"]),
            "proof": None if row["proof_keys"] is None else {"keys": row["proof_keys"], "ok": bool(row["proof_ok"])}}


class CatalogueSnapshot:
    """The catalogue entries a learner's views need, read in the same transaction as the learner's state."""

    def __init__(self, entries: dict[tuple[str, str], Json | None]):
        self.entries = entries

    @classmethod
    def read(cls, views: LedgerViews, cursor: Any, state: Json | None, position: int | None) -> CatalogueSnapshot:
        reader = CursorCatalogue(views, cursor, position)
        if state is not None:
            ids: list[tuple[str, str]] = []
            for collection in ("credentials", "enrolments", "rpl"):
                for item in state[collection].values():
                    ids += [("achievement", item["achievement_id"]), ("provider", item["provider_id"])]
            for work in state["work"].values():
                if work["attested_by"]:
                    kind, _, actor_id = work["attested_by"].partition(":")
                    ids.append((kind, actor_id))
            ids += [("employer", share["employer_id"]) for share in state["shares"].values()]
            for kind, entry_id in ids:
                entry = reader.entry(kind, entry_id)
                if kind == "achievement" and entry is not None:
                    for qualification_id in entry["spec"].get("stacks_into", []):
                        reader.entry("achievement", qualification_id)
        return cls(reader.memo)

    def provider(self, provider_id: str) -> Json | None:
        return self.entries.get(("provider", provider_id))

    def achievement(self, achievement_id: str) -> Json | None:
        return self.entries.get(("achievement", achievement_id))

    def employer(self, employer_id: str) -> Json | None:
        return self.entries.get(("employer", employer_id))


# ---- SQLite ------------------------------------------------------------------------------------------------

SQLITE_TRACKING_TABLE = TABLE_PREFIX + "tracking"


class SQLiteLedgerViews(SQLiteTrackingRecorder, LedgerViews):
    """The views in the event store's SQLite file, with their own tracking table (the library's is shared)."""

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self.tables = {name: TABLE_PREFIX + name for name in ALL_TABLES}
        rename = [("EXISTS tracking (", f"EXISTS {SQLITE_TRACKING_TABLE} ("),
                  ("INTO tracking ", f"INTO {SQLITE_TRACKING_TABLE} "),
                  ("WHERE tracking.", f"WHERE {SQLITE_TRACKING_TABLE}."),
                  ("FROM tracking ", f"FROM {SQLITE_TRACKING_TABLE} ")]
        for old, new in rename:
            self.insert_tracking_statement = self.insert_tracking_statement.replace(old, new)
            self.select_max_tracking_id_statement = self.select_max_tracking_id_statement.replace(old, new)
            self.create_table_statements = [s.replace(old, new) for s in self.create_table_statements]
        self.create_table_statements += [self.sql(s).replace("BIGINT", "INTEGER") for s in SCHEMA]

    def transaction(self, *, commit: bool) -> contextlib.AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    def delete_tracking_in(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {SQLITE_TRACKING_TABLE} WHERE application_name = ?", (APPLICATION_NAME,))


# ---- PostgreSQL ----------------------------------------------------------------------------------------------

class PostgresLedgerViews(PostgresTrackingRecorder, LedgerViews):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.tables = {name: f'"{schema}".{TABLE_PREFIX}{name}' for name in ALL_TABLES}
        for statement in SCHEMA:
            # Index names are unqualified in PostgreSQL: strip the schema for them.
            text = self.sql(statement)
            if statement.startswith("CREATE") and "INDEX" in statement:
                index_name = statement.split("EXISTS ")[1].split(" ON ")[0].format(
                    **{name: TABLE_PREFIX + name for name in ALL_TABLES})
                text = text.split("EXISTS ")[0] + f"EXISTS {index_name} ON " + text.split(" ON ", 1)[1]
            self.sql_create_statements.append(SQL(text))  # type: ignore[arg-type]
        # The large documents: lz4 compresses them several times faster than the default (pglz), to the same size.
        compress = "; ".join(f"ALTER TABLE {self.tables[table]} ALTER COLUMN {column} SET COMPRESSION lz4"
                             for table, column in LARGE_COLUMNS)
        self.sql_create_statements.append(SQL(  # type: ignore[arg-type]
            f"DO $$ BEGIN {compress}; EXCEPTION WHEN OTHERS THEN NULL; END $$"))

    def sql(self, text: str) -> str:
        return text.format(**self.tables).replace("?", "%s")

    @contextlib.contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def insert_rows(self, cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """COPY: one statement for all the rows, and about half the server's time of a multi-row INSERT."""
        if not rows:
            return
        with cursor.copy(f"COPY {self.tables[table]} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    def delete_tracking_in(self, cursor: Any) -> None:
        cursor.execute(f'DELETE FROM "{self.datastore.schema}"."{self.tracking_table_name}"'
                       " WHERE application_name = %s", (APPLICATION_NAME,))


def iso_now(now: datetime) -> str:
    return moment(now)
