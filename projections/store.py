"""The materialised views: tables in the same database as the events, each change committed in the same transaction
as the `eventsourcing` tracking record of the event that caused it, so each event is applied exactly once.

One projection (`LedgerViewsProjection`, name "views") maintains every table: the learners' folded states and facts
(for the CLR, skills, pathway, record and shares views, and for "as of"), versioned catalogue rows, credentials with
their signed documents and status, and the indexes for the employer query. Keeping them in one projection means every
view answers at one and the same log position: a CLR never disagrees with the skills profile or the employer view.

Concrete recorders: `SQLiteLedgerViews` (the embedded default; tables in the event store's file, its own tracking
table) and `PostgresLedgerViews` (tables in the configured schema).
"""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from threading import Event
from typing import Any

import orjson
from eventsourcing.persistence import (
    ApplicationRecorder,
    ListenNotifySubscription,
    Subscription,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections import learner_state
from projections.facts import (
    apply_catalogue,
    catalogue_change,
    credential_change,
    learner_fact,
    moment,
)
from projections.views import skill_index_rows

Json = dict[str, Any]
APPLICATION_NAME = "StoredLedger"  # the tracked application: ops.wiring.StoredLedger (its class name)
VIEW_NAME = "views"
TABLES = ("log", "catalogue", "facts", "learners", "credentials", "learner_skills", "shares", "share_skills")
TABLE_PREFIX = "ler_v_"


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
]


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
        position = tracking.notification_id
        with self.transaction(commit=True) as cursor:
            fact = learner_fact(domain_event, position)
            self.run(cursor, "INSERT INTO {log} (position, recorded_at, fact, learner_id) VALUES (?, ?, ?, ?)",
                     (position, moment(domain_event.timestamp), type(domain_event).__qualname__,
                      fact[0] if fact else None))
            change = catalogue_change(domain_event)
            if change is not None:
                self._change_catalogue(cursor, position, *change)
            credential = credential_change(domain_event)
            if credential is not None:
                self._change_credential(cursor, position, *credential)
            if fact is not None:
                self._change_learner(cursor, *fact)
            self.insert_tracking_in(cursor, tracking)

    def _change_catalogue(self, cursor: Any, position: int, kind: str, entry_id: str, change: Json) -> None:
        doc = apply_catalogue(kind, entry_id, self.catalogue_entry(cursor, kind, entry_id, None), change)
        self.run(cursor, "INSERT INTO {catalogue} (kind, id, position, doc) VALUES (?, ?, ?, ?)",
                 (kind, entry_id, position, dumps(doc)))
        if kind == "provider" and change["fact"] == "Deregistered":
            # Verified evidence depends on the provider being registered: re-index every learner.
            for row in self.all(cursor, "SELECT learner_id, state FROM {learners}"):
                self._index_skills(cursor, row["learner_id"], loads(row["state"]))

    def _change_credential(self, cursor: Any, position: int, credential_id: str, change: Json) -> None:
        if "document" in change:
            self.run(cursor, "INSERT INTO {credentials} (credential_id, learner_id, provider_id, achievement_id,"
                             " status, status_index, issued_on, expires_on, replaced_by, document, position)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (credential_id, change["learner_id"], change["provider_id"], change["achievement_id"],
                      change["status"], change["status_index"], change["issued_on"], change["expires_on"],
                      change["replaced_by"], dumps(change["document"]), position))
            return
        self.run(cursor, "UPDATE {credentials} SET status = ?, replaced_by = COALESCE(?, replaced_by), position = ?"
                         " WHERE credential_id = ?",
                 (change["status"], change.get("replaced_by"), position, credential_id))

    def _change_learner(self, cursor: Any, learner_id: str, fact: Json) -> None:
        row = self.one(cursor, "SELECT state FROM {learners} WHERE learner_id = ?", (learner_id,))
        state = loads(row["state"]) if row else learner_state.empty(learner_id)
        learner_state.advance(state, fact)
        self.run(cursor, "INSERT INTO {facts} (learner_id, position, fact) VALUES (?, ?, ?)",
                 (learner_id, fact["position"], dumps(fact)))
        if row:
            self.run(cursor, "UPDATE {learners} SET position = ?, state = ? WHERE learner_id = ?",
                     (fact["position"], dumps(state), learner_id))
        else:
            self.run(cursor, "INSERT INTO {learners} (learner_id, position, state) VALUES (?, ?, ?)",
                     (learner_id, fact["position"], dumps(state)))
        if fact["fact"].startswith("Learner."):
            self._index_shares(cursor, learner_id, state)
        if fact["fact"] not in ("Learner.ShareGranted", "Learner.ShareRevoked", "Learner.ShareOpened"):
            self._index_skills(cursor, learner_id, state)

    def _index_skills(self, cursor: Any, learner_id: str, state: Json) -> None:
        self.run(cursor, "DELETE FROM {learner_skills} WHERE learner_id = ?", (learner_id,))
        for row in skill_index_rows(state, CursorCatalogue(self, cursor)):
            self.run(cursor, "INSERT INTO {learner_skills} (learner_id, skill_url, level, last_evidenced, rank,"
                             " verified_level, verified_last) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (learner_id, row["skill_url"], row["level"], row["last_evidenced"], row["rank"],
                      row["verified_level"], row["verified_last"]))

    def _index_shares(self, cursor: Any, learner_id: str, state: Json) -> None:
        self.run(cursor, "DELETE FROM {share_skills} WHERE learner_id = ?", (learner_id,))
        self.run(cursor, "DELETE FROM {shares} WHERE learner_id = ?", (learner_id,))
        for share in state["shares"].values():
            self.run(cursor, "INSERT INTO {shares} (share_id, learner_id, employer_id, token_hash, expires_at,"
                             " revoked) VALUES (?, ?, ?, ?, ?, ?)",
                     (share["share_id"], learner_id, share["employer_id"], share["token_hash"], share["expires_at"],
                      int(share["revoked"])))
            for url in dict.fromkeys(share["skill_urls"]):
                self.run(cursor, "INSERT INTO {share_skills} (share_id, skill_url, employer_id, learner_id)"
                                 " VALUES (?, ?, ?, ?)", (share["share_id"], url, share["employer_id"], learner_id))

    def reset(self) -> None:
        """Empty every table and forget the tracking position: the next run rebuilds from position 0."""
        with self.transaction(commit=True) as cursor:
            for table in TABLES:
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
        if not credential_ids:
            return {}
        marks = ", ".join("?" for _ in credential_ids)
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, f"SELECT * FROM {{credentials}} WHERE credential_id IN ({marks})",
                            list(credential_ids))
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
            "document": loads(row["document"])}


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
        self.tables = {name: TABLE_PREFIX + name for name in TABLES}
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


class PollingSubscription(ListenNotifySubscription[ApplicationRecorder]):
    """SQLite has no LISTEN/NOTIFY: poll the notification log instead."""

    poll_interval = 0.05

    def _loop_on_pull(self) -> None:
        try:
            self._pull()
            while not self._has_been_stopped:
                self._has_been_notified.wait(timeout=self.poll_interval)
                self._pull()
        except BaseException as error:
            if self._thread_error is None:
                self._thread_error = error
            self.stop()


class PollingSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, with a polling subscription for projection runners."""

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Subscription[ApplicationRecorder]:
        return PollingSubscription(self, gt=gt, topics=topics)


# ---- PostgreSQL ----------------------------------------------------------------------------------------------

class PostgresLedgerViews(PostgresTrackingRecorder, LedgerViews):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.tables = {name: f'"{schema}".{TABLE_PREFIX}{name}' for name in TABLES}
        for statement in SCHEMA:
            # Index names are unqualified in PostgreSQL: strip the schema for them.
            text = self.sql(statement)
            if statement.startswith("CREATE") and "INDEX" in statement:
                index_name = statement.split("EXISTS ")[1].split(" ON ")[0].format(
                    **{name: TABLE_PREFIX + name for name in TABLES})
                text = text.split("EXISTS ")[0] + f"EXISTS {index_name} ON " + text.split(" ON ", 1)[1]
            self.sql_create_statements.append(SQL(text))  # type: ignore[arg-type]

    def sql(self, text: str) -> str:
        return text.format(**self.tables).replace("?", "%s")

    @contextlib.contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    def delete_tracking_in(self, cursor: Any) -> None:
        cursor.execute(f'DELETE FROM "{self.datastore.schema}"."{self.tracking_table_name}"'
                       " WHERE application_name = %s", (APPLICATION_NAME,))


# ---- the projection ----------------------------------------------------------------------------------------

class LedgerViewsProjection(Projection[LedgerViews]):
    """Every event is processed (and tracked), so a view's position reaches any position a write returns:
    the topics are not filtered (an idempotency key's event is often the last of a command's append)."""

    name = VIEW_NAME

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.view.process(domain_event, tracking)


def wait_until(views: LedgerViews, position: int, timeout: float, interrupt: Event | None = None) -> bool:
    try:
        views.wait(APPLICATION_NAME, position, timeout=timeout, interrupt=interrupt)
    except Exception:
        return views.has_tracking_id(APPLICATION_NAME, position)
    return True


def iso_now(now: datetime) -> str:
    return moment(now)
