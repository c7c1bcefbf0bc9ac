"""Where sign-in links, browser sessions, passkeys and WebAuthn challenges live: tables beside the event log that,
unlike it, allow deletion (a session ends, a link is used up). Only hashes of links and session tokens are kept."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from application.sign_in import Passkey, Session
from domain.values import Actor, ActorKind
from projections.postgres_views import ddl_lock

TABLES = (
    "CREATE TABLE IF NOT EXISTS web_sign_in_links (token_hash TEXT PRIMARY KEY, principal TEXT NOT NULL, "
    "created_by TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT)",
    "CREATE TABLE IF NOT EXISTS web_sessions (token_hash TEXT PRIMARY KEY, principal TEXT NOT NULL, "
    "started_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS web_passkeys (credential_id TEXT PRIMARY KEY, principal TEXT NOT NULL, "
    "public_key TEXT NOT NULL, sign_count BIGINT NOT NULL, label TEXT NOT NULL, added_at TEXT NOT NULL, "
    "last_used_at TEXT)",
    "CREATE TABLE IF NOT EXISTS web_challenges (challenge_hash TEXT PRIMARY KEY, purpose TEXT NOT NULL, "
    "principal TEXT NOT NULL, expires_at TEXT NOT NULL)",
)
Row = tuple[Any, ...]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _principal(text: str) -> Actor:
    kind, _, ident = text.partition(":")
    return Actor(ActorKind(kind), ident)


class SqlSignInStore:
    """The statements, written once; subclasses say how to run them (`?` placeholders)."""

    def _run(self, sql: str, args: tuple[Any, ...]) -> list[Row]:
        raise NotImplementedError

    def add_link(self, token_hash: str, principal: Actor, created_by: Actor, expires_at: datetime) -> None:
        self._run("INSERT INTO web_sign_in_links (token_hash, principal, created_by, expires_at) VALUES (?, ?, ?, ?)",
                  (token_hash, str(principal), str(created_by), _stamp(expires_at)))

    def use_link(self, token_hash: str, now: datetime) -> Actor | None:
        """Marks the link used and answers its principal, once: a second use, or an expired link, answers None."""
        rows = self._run(
            "UPDATE web_sign_in_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? "
            "RETURNING principal", (_stamp(now), token_hash, _stamp(now)))
        return _principal(rows[0][0]) if rows else None

    def add_session(self, token_hash: str, principal: Actor, started_at: datetime, expires_at: datetime) -> None:
        self._run("INSERT INTO web_sessions (token_hash, principal, started_at, expires_at) VALUES (?, ?, ?, ?)",
                  (token_hash, str(principal), _stamp(started_at), _stamp(expires_at)))

    def session(self, token_hash: str, now: datetime) -> Session | None:
        rows = self._run("SELECT principal, expires_at FROM web_sessions WHERE token_hash = ? AND expires_at > ?",
                         (token_hash, _stamp(now)))
        return Session(_principal(rows[0][0]), _moment(rows[0][1])) if rows else None

    def end_session(self, token_hash: str) -> None:
        self._run("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash,))

    def add_challenge(self, challenge_hash: str, purpose: str, principal: Actor | None, expires_at: datetime) -> None:
        self._run("INSERT INTO web_challenges (challenge_hash, purpose, principal, expires_at) VALUES (?, ?, ?, ?)",
                  (challenge_hash, purpose, str(principal) if principal else "", _stamp(expires_at)))

    def take_challenge(self, challenge_hash: str, purpose: str, now: datetime) -> tuple[bool, Actor | None]:
        """Deletes the challenge and answers whether it was live, and for whom; a challenge serves once."""
        rows = self._run("DELETE FROM web_challenges WHERE challenge_hash = ? AND purpose = ? RETURNING principal, "
                         "expires_at", (challenge_hash, purpose))
        if not rows or _moment(rows[0][1]) <= now:
            return False, None
        return True, _principal(rows[0][0]) if rows[0][0] else None

    def add_passkey(self, passkey: Passkey) -> None:
        self._run("INSERT INTO web_passkeys (credential_id, principal, public_key, sign_count, label, added_at) "
                  "VALUES (?, ?, ?, ?, ?, ?)", (passkey.credential_id, str(passkey.principal), passkey.public_key,
                                                passkey.sign_count, passkey.label, _stamp(passkey.added_at)))

    def passkey(self, credential_id: str) -> Passkey | None:
        rows = self._run("SELECT credential_id, principal, public_key, sign_count, label, added_at, last_used_at "
                         "FROM web_passkeys WHERE credential_id = ?", (credential_id,))
        return _passkey(rows[0]) if rows else None

    def passkeys_of(self, principal: Actor) -> list[Passkey]:
        rows = self._run("SELECT credential_id, principal, public_key, sign_count, label, added_at, last_used_at "
                         "FROM web_passkeys WHERE principal = ? ORDER BY added_at", (str(principal),))
        return [_passkey(row) for row in rows]

    def record_passkey_use(self, credential_id: str, sign_count: int, now: datetime) -> None:
        self._run("UPDATE web_passkeys SET sign_count = ?, last_used_at = ? WHERE credential_id = ?",
                  (sign_count, _stamp(now), credential_id))

    def forget(self, principal: Actor) -> None:
        for table in ("web_sessions", "web_sign_in_links", "web_passkeys"):
            self._run(f"DELETE FROM {table} WHERE principal = ?", (str(principal),))

    def remove_passkey(self, credential_id: str, principal: Actor) -> bool:
        rows = self._run("DELETE FROM web_passkeys WHERE credential_id = ? AND principal = ? RETURNING credential_id",
                         (credential_id, str(principal)))
        return bool(rows)


def _passkey(row: Row) -> Passkey:
    return Passkey(credential_id=row[0], principal=_principal(row[1]), public_key=row[2], sign_count=int(row[3]),
                   label=row[4], added_at=_moment(row[5]), last_used_at=_moment(row[6]) if row[6] else None)


class SqliteSignInStore(SqlSignInStore):
    def __init__(self, path: Path):
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        for statement in TABLES:
            self._db.execute(statement)

    def _run(self, sql: str, args: tuple[Any, ...]) -> list[Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        self._db.close()


class PostgresSignInStore(SqlSignInStore):
    """Pages only: connections are opened when a page needs one and closed after a minute idle, so a process that
    serves no pages (a projection runner, a test of the API) holds none."""

    def __init__(self, conninfo: str, schema: str = "public"):
        search_path = f"-c search_path={schema}"
        with psycopg.connect(conninfo, autocommit=True, options=search_path) as conn, conn.transaction():
            conn.execute(ddl_lock(schema))
            for statement in TABLES:
                conn.execute(statement)
        self._pool = ConnectionPool(conninfo, min_size=0, max_size=2, max_idle=60, open=True,
                                    kwargs={"autocommit": True, "options": search_path})

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        with self._pool.connection() as conn:
            yield conn

    def _run(self, sql: str, args: tuple[Any, ...]) -> list[Row]:
        with self._connection() as conn:
            cursor = conn.execute(sql.replace("?", "%s"), args)
            return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        self._pool.close()
