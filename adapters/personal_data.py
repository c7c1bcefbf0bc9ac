"""Personal data kept apart from the facts: each learner's profile and free text are sealed in their events under a
per-learner key; the keys live in their own table, wrapped under a key-encryption key, and erasure deletes the key,
which leaves everything sealed under it unreadable."""

import dataclasses
import re
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar
from uuid import UUID

import orjson
import psycopg

from adapters.key_encryption import Keyring
from adapters.sealing import seal, unseal
from domain.errors import RuleBroken
from projections.postgres_views import ddl_lock

PROFILE_CONTEXT = b"ler-ledger/learner-profile"
TEXT_CONTEXT = b"ler-ledger/learner-text"
SEALED_TEXT = "sealed:v1:"
SEALED_JSON = "sealed-json:v1:"
ERASED = "[erased]"
SEALED_MARK = b"sealed"  # what both SEALED_TEXT and SEALED_JSON start with
SEALED_WORDS = re.compile(re.escape(SEALED_TEXT) + r"([A-Za-z0-9_=-]+)")
OPENED_KEYS = 10_000
T = TypeVar("T")


class KeyStore(Protocol):
    """Where per-learner keys live: a table that, unlike the event log, allows deletion."""

    def get(self, learner_id: UUID) -> str | None: ...

    def put(self, learner_id: UUID, sealed_key: str) -> None: ...

    def delete(self, learner_id: UUID) -> None: ...

    def replace(self, learner_id: UUID, old: str, new: str) -> bool: ...

    def all(self) -> Iterator[tuple[UUID, str]]: ...

    def close(self) -> None: ...


class SqliteKeyStore(KeyStore):
    def __init__(self, path: Path):
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("CREATE TABLE IF NOT EXISTS learner_keys (learner_id TEXT PRIMARY KEY, sealed_key TEXT)")

    def get(self, learner_id: UUID) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT sealed_key FROM learner_keys WHERE learner_id = ?", (str(learner_id),))
            found = row.fetchone()
        return found[0] if found else None

    def put(self, learner_id: UUID, sealed_key: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO learner_keys (learner_id, sealed_key) VALUES (?, ?)",
                (str(learner_id), sealed_key),
            )

    def delete(self, learner_id: UUID) -> None:
        with self._lock:
            self._db.execute("DELETE FROM learner_keys WHERE learner_id = ?", (str(learner_id),))

    def replace(self, learner_id: UUID, old: str, new: str) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE learner_keys SET sealed_key = ? WHERE learner_id = ? AND sealed_key = ?",
                (new, str(learner_id), old),
            )
            return cursor.rowcount == 1

    def all(self) -> Iterator[tuple[UUID, str]]:
        with self._lock:
            rows = self._db.execute("SELECT learner_id, sealed_key FROM learner_keys").fetchall()
        return ((UUID(learner_id), sealed) for learner_id, sealed in rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresKeyStore(KeyStore):
    """One connection kept per process (opening one cost more than the lookup on a read's miss path), reopened when
    it broke; statements are serialised on it."""

    def __init__(self, conninfo: str, schema: str = "public"):
        self._conninfo = conninfo
        self._table = f'"{schema}".learner_keys'
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()
        with psycopg.connect(conninfo) as conn, conn.transaction():
            conn.execute(ddl_lock(schema))
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (learner_id uuid PRIMARY KEY, sealed_key text)")

    def _run(self, statement: str, params: tuple[Any, ...] = (), retry: bool = True) -> psycopg.Cursor[Any]:
        """The statement run on the kept connection; run again on a new one if the kept one had broken (a server
        restart), unless `retry` is off: a statement whose outcome a retry could misreport."""
        with self._lock:
            try:
                return self._connection().execute(statement, params)
            except psycopg.OperationalError:
                if self._conn is None or not self._conn.closed:
                    raise
                self._conn = None
                if not retry:
                    raise
            return self._connection().execute(statement, params)

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True)
        return self._conn

    def get(self, learner_id: UUID) -> str | None:
        row = self._run(f"SELECT sealed_key FROM {self._table} WHERE learner_id = %s", (learner_id,)).fetchone()
        return row[0] if row else None

    def put(self, learner_id: UUID, sealed_key: str) -> None:
        self._run(f"INSERT INTO {self._table} (learner_id, sealed_key) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                  (learner_id, sealed_key))

    def delete(self, learner_id: UUID) -> None:
        self._run(f"DELETE FROM {self._table} WHERE learner_id = %s", (learner_id,))

    def replace(self, learner_id: UUID, old: str, new: str) -> bool:
        cursor = self._run(f"UPDATE {self._table} SET sealed_key = %s WHERE learner_id = %s AND sealed_key = %s",
                           (new, learner_id, old), retry=False)
        return cursor.rowcount == 1

    def all(self) -> Iterator[tuple[UUID, str]]:
        return iter(self._run(f"SELECT learner_id, sealed_key FROM {self._table}").fetchall())

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class SealedPersonalDataVault:
    def __init__(self, master_key: bytes, keys: KeyStore, keyring: Keyring):
        self._master_key = master_key
        self._keys = keys
        self.keyring = keyring
        self._opened: OrderedDict[UUID, bytes] = OrderedDict()  # learner keys unwrapped lately, so reads skip a query
        self._lock = threading.Lock()

    def _unwrap(self, learner_id: UUID, wrapped: str) -> bytes:
        if Keyring.kek_of(wrapped):
            return self.keyring.unwrap(wrapped, learner_id.bytes)
        return unseal(self._master_key, wrapped, learner_id.bytes)  # written before KEKs: rewrapped by a rotation

    def _learner_key(self, learner_id: UUID, create: bool) -> bytes | None:
        with self._lock:
            if learner_id in self._opened:
                self._opened.move_to_end(learner_id)
                return self._opened[learner_id]
        wrapped = self._keys.get(learner_id)
        if wrapped is None and create:
            self._keys.put(learner_id, self.keyring.wrap(secrets.token_bytes(32), learner_id.bytes))
            wrapped = self._keys.get(learner_id)
        if wrapped is None:
            return None
        key = self._unwrap(learner_id, wrapped)
        with self._lock:
            self._opened[learner_id] = key
            while len(self._opened) > OPENED_KEYS:
                self._opened.popitem(last=False)
        return key

    def _key(self, learner_id: UUID) -> bytes:
        """Only registration makes a learner's key: sealing for a learner without one (erased) is refused."""
        key = self._learner_key(learner_id, create=False)
        if key is None:
            raise RuleBroken("this learner's record was erased", code="learner-erased")
        return key

    def seal(self, learner_id: UUID, profile: Mapping[str, str]) -> str:
        key = self._learner_key(learner_id, create=True)
        assert key is not None
        return seal(key, orjson.dumps(dict(profile)), PROFILE_CONTEXT)

    def open(self, learner_id: UUID, sealed: str) -> dict[str, str] | None:
        key = self._learner_key(learner_id, create=False)
        if key is None or not sealed:
            return None
        profile: dict[str, str] = orjson.loads(unseal(key, sealed, PROFILE_CONTEXT))
        return profile

    def seal_text(self, learner_id: UUID, text: str) -> str:
        return SEALED_TEXT + seal(self._key(learner_id), text.encode(), TEXT_CONTEXT) if text else ""

    def seal_json(self, learner_id: UUID, document: Mapping[str, Any]) -> str:
        return SEALED_JSON + seal(self._key(learner_id), orjson.dumps(document), TEXT_CONTEXT)

    def open_text(self, learner_id: UUID, sealed: str) -> str | None:
        """The text, or None once the learner's key is gone; a value that was never sealed comes back as it is."""
        if not sealed.startswith(SEALED_TEXT):
            return sealed
        key = self._learner_key(learner_id, create=False)
        return unseal(key, sealed.removeprefix(SEALED_TEXT), TEXT_CONTEXT).decode() if key else None

    def open_json(self, learner_id: UUID, sealed: str) -> dict[str, Any] | None:
        key = self._learner_key(learner_id, create=False)
        if key is None:
            return None
        document: dict[str, Any] = orjson.loads(unseal(key, sealed.removeprefix(SEALED_JSON), TEXT_CONTEXT))
        return document

    def close(self) -> None:
        self._keys.close()

    def forget(self, learner_id: UUID) -> None:
        self._keys.delete(learner_id)
        with self._lock:
            self._opened.pop(learner_id, None)

    def reveal(self, learner_id: UUID, value: T, erased: bool = False) -> T:
        """`value` with every sealed text or document inside opened: `ERASED` (or None, for a document) once the
        learner is erased or their key is gone."""
        if not _may_hold_sealed(value):
            return value
        key = None if erased else self._learner_key(learner_id, create=False)
        return _opened(value, key)  # type: ignore[no-any-return]

    def profile(self, learner_id: UUID, sealed_profile: str) -> dict[str, str] | None:
        return self.open(learner_id, sealed_profile)

    def rewrap_all(self) -> int:
        """Rewraps every learner key not under the current KEK; a key erased meanwhile is simply gone."""
        current = self.keyring.keys().current
        rewrapped = 0
        for learner_id, wrapped in self._keys.all():
            if Keyring.kek_of(wrapped) == current:
                continue
            fresh = self.keyring.wrap(self._unwrap(learner_id, wrapped), learner_id.bytes)
            rewrapped += self._keys.replace(learner_id, wrapped, fresh)
        return rewrapped


def _may_hold_sealed(value: Any) -> bool:
    """Whether sealed words may be inside, by a scan of the value as JSON (which covers every part `_opened` walks):
    most views hold none, and walking a large one costs milliseconds where the scan costs microseconds."""
    try:
        text = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # orjson.JSONEncodeError: nested too deeply to scan
        return True
    return SEALED_MARK in text


def _opened(value: Any, key: bytes | None) -> Any:
    if isinstance(value, str):
        if SEALED_TEXT in value:  # whole, or inside a sentence made from it (a timeline entry's summary)
            return SEALED_WORDS.sub(lambda found: _opened_text(found.group(1), key), value)
        if value.startswith(SEALED_JSON):
            return orjson.loads(unseal(key, value.removeprefix(SEALED_JSON), TEXT_CONTEXT)) if key else None
        return value
    if isinstance(value, dict):
        return {name: _opened(item, key) for name, item in value.items()}
    if isinstance(value, list):
        return [_opened(item, key) for item in value]
    if isinstance(value, tuple):
        return tuple(_opened(item, key) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: _opened(getattr(value, f.name), key) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changed)
    return value


def _opened_text(sealed: str, key: bytes | None) -> str:
    return unseal(key, sealed, TEXT_CONTEXT).decode() if key else ERASED
