"""Personal data kept apart from the facts: each learner's profile is sealed in their event under a per-learner key;
the keys live in their own table, and erasure deletes the key, which leaves the sealed profile unreadable."""

import secrets
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from uuid import UUID

import orjson
import psycopg

from adapters.sealing import seal, unseal

PROFILE_CONTEXT = b"ler-ledger/learner-profile"


class KeyStore:
    """Where per-learner keys live: a table that, unlike the event log, allows deletion."""

    def get(self, learner_id: UUID) -> str | None: ...

    def put(self, learner_id: UUID, sealed_key: str) -> None: ...

    def delete(self, learner_id: UUID) -> None: ...


class SqliteKeyStore(KeyStore):
    def __init__(self, path: Path):
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
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


class PostgresKeyStore(KeyStore):
    def __init__(self, conninfo: str, schema: str = "public"):
        self._conninfo = conninfo
        self._table = f'"{schema}".learner_keys'
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (learner_id uuid PRIMARY KEY, sealed_key text)")

    def get(self, learner_id: UUID) -> str | None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            row = conn.execute(f"SELECT sealed_key FROM {self._table} WHERE learner_id = %s", (learner_id,)).fetchone()
        return row[0] if row else None

    def put(self, learner_id: UUID, sealed_key: str) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(
                f"INSERT INTO {self._table} (learner_id, sealed_key) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (learner_id, sealed_key),
            )

    def delete(self, learner_id: UUID) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f"DELETE FROM {self._table} WHERE learner_id = %s", (learner_id,))


class SealedPersonalDataVault:
    def __init__(self, master_key: bytes, keys: KeyStore):
        self._master_key = master_key
        self._keys = keys

    def _learner_key(self, learner_id: UUID, create: bool) -> bytes | None:
        sealed = self._keys.get(learner_id)
        if sealed is None and create:
            self._keys.put(learner_id, seal(self._master_key, secrets.token_bytes(32), learner_id.bytes))
            sealed = self._keys.get(learner_id)
        return unseal(self._master_key, sealed, learner_id.bytes) if sealed else None

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

    def forget(self, learner_id: UUID) -> None:
        self._keys.delete(learner_id)
