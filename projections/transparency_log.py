"""The log's Merkle tree, kept as a tracked projection of the notification log in the events' database.

Tables (prefix `ler_t_`): `nodes` keeps the hash of every perfect subtree (level 0 = the leaf hashes), so any proof
is one read of O(log n) rows; `runs` maps leaf indexes to log positions with one row per run of consecutive
positions (a new run after each gap in the notification ids: a row per gap, not per leaf); `checkpoints` keeps every
signed checkpoint. A page of events is applied in ONE transaction together with the tracking record of its last
position (PostgreSQL: the nodes in one COPY): each event becomes exactly one leaf, and a restart resumes from the
stored tree's right edge. Checkpoints are signed in that same transaction when due (every N leaves, or T seconds
after the last one).
"""

from __future__ import annotations

import bisect
import contextlib
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder
from psycopg.sql import SQL

from projections.postgres_views import OwnPostgresTracking
from projections.schema import APPLICATION_NAME
from projections.sqlite_views import OwnSQLiteTracking
from transparency.leaves import StoredFact
from transparency.merkle import CompactRange, Node, leaf_hash

TREE_NAME = "tlog"
TABLE_PREFIX = "ler_t_"
TABLES = ("runs", "nodes", "checkpoints", "keys")
LEGACY_LEAVES = TABLE_PREFIX + "leaves"  # one row per leaf, before `runs`: migrated on start
NODES_PER_QUERY = 400
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS {runs} (first_position BIGINT PRIMARY KEY, first_leaf BIGINT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS {nodes} (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash {blob} NOT NULL,"
    " PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS {checkpoints} (size BIGINT PRIMARY KEY, root {blob} NOT NULL, note TEXT NOT NULL,"
    " signed_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {keys} (generation INTEGER PRIMARY KEY, verifier_key TEXT NOT NULL, sealed_key TEXT,"
    " from_size BIGINT, transition TEXT, created_at TEXT NOT NULL)",
]


@dataclass(frozen=True)
class CheckpointPolicy:
    """Sign a checkpoint when `every` leaves were added since the last one, or when any were and `seconds`
    passed."""

    every: int
    seconds: float

    def due(self, size: int, last_size: int, since_last: float) -> bool:
        return size > last_size and (size - last_size >= self.every or since_last >= self.seconds)


@dataclass(frozen=True)
class KeptCheckpoint:
    size: int
    root: bytes
    note: str
    signed_at: str


@dataclass(frozen=True)
class KeptKey:
    """A log key. Generation 1 is derived from the master key (no sealed key); a rotation adds a random one, sealed
    under it, pending (`from_size` None) until the runner signs the transition checkpoint with the key before it
    and with this one; it signs the checkpoints from that size on."""

    generation: int
    verifier_key: str
    sealed_key: str | None
    from_size: int | None
    transition: str | None
    created_at: str


class CheckpointSigner(Protocol):
    def sign(self, tree: CompactRange, keys: Sequence[KeptKey]) -> tuple[str, int | None]:
        """The signed checkpoint of the tree, and the generation of the pending key it starts (or None)."""
        ...


class LogTree(TrackingRecorder):
    """The tree's tables: written a page per transaction, read for proofs and checkpoints."""

    tables: dict[str, str]
    datastore: Any

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

    def many(self, cursor: Any, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            cursor.executemany(self.sql(text), [tuple(row) for row in rows])

    def close(self) -> None:
        self.datastore.close()

    # ---- writing ------------------------------------------------------------------------------------------

    def append(self, tree: CompactRange, last_position: int, facts: Sequence[StoredFact],
               signer: CheckpointSigner | None, signed_at: str) -> None:
        """Add a page of facts as leaves (and a checkpoint of the new size, if `sign` is given) in one
        transaction; `tree` moves on only when it commits. `last_position` is the position of the tree's last
        leaf (0 when empty): a fact that does not follow the one before it starts a run."""
        grown = CompactRange(tree.size, tree.edge)
        runs: list[tuple[int, int]] = []
        nodes: list[tuple[int, int, bytes]] = []
        for fact in facts:
            if fact.position != last_position + 1 or not grown.size:
                runs.append((fact.position, grown.size))
            last_position = fact.position
            nodes += [(level, index, value) for (level, index), value in grown.append(leaf_hash(fact.leaf_bytes()))]
        with self.transaction(commit=True) as cursor:
            self.many(cursor, "INSERT INTO {runs} (first_position, first_leaf) VALUES (?, ?)", runs)
            self.write_nodes(cursor, nodes)
            if signer is not None:
                self._sign_checkpoint(cursor, grown, signer, signed_at)
            if facts:
                self.insert_tracking_in(cursor, Tracking(APPLICATION_NAME, facts[-1].position))
        tree.size, tree.edge = grown.size, grown.edge

    def write_nodes(self, cursor: Any, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        self.many(cursor, "INSERT INTO {nodes} (level, idx, hash) VALUES (?, ?, ?)", nodes)

    def keep_checkpoint(self, tree: CompactRange, signer: CheckpointSigner, signed_at: str) -> None:
        with self.transaction(commit=True) as cursor:
            self._sign_checkpoint(cursor, tree, signer, signed_at)

    def _sign_checkpoint(self, cursor: Any, tree: CompactRange, signer: CheckpointSigner, signed_at: str) -> None:
        """Sign with the keys as stored now; a transition checkpoint (a pending key starts) replaces the note kept
        for its size, if any, with the same text signed by both keys."""
        note, started = signer.sign(tree, self._keys_in(cursor))
        self.run(cursor, "INSERT INTO {checkpoints} (size, root, note, signed_at) VALUES (?, ?, ?, ?) ON CONFLICT"
                         f" (size) DO {'UPDATE SET note = excluded.note' if started else 'NOTHING'}",
                 (tree.size, tree.root(), note, signed_at))
        if started is not None:
            self.run(cursor, "UPDATE {keys} SET from_size = ?, transition = ? WHERE generation = ?",
                     (tree.size, note, started))

    def log_keys(self) -> list[KeptKey]:
        with self.transaction(commit=False) as cursor:
            return self._keys_in(cursor)

    def _keys_in(self, cursor: Any) -> list[KeptKey]:
        rows = self.run(cursor, "SELECT * FROM {keys} ORDER BY generation").fetchall()
        return [KeptKey(int(row["generation"]), row["verifier_key"], row["sealed_key"],
                        None if row["from_size"] is None else int(row["from_size"]), row["transition"],
                        row["created_at"]) for row in rows]

    def add_keys(self, keys: Sequence[KeptKey]) -> None:
        """Record keys (a rotation's pending key, after the derived key it follows at the first rotation)."""
        with self.transaction(commit=True) as cursor:
            self.many(cursor, "INSERT INTO {keys} (generation, verifier_key, sealed_key, from_size, transition,"
                              " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                      [(k.generation, k.verifier_key, k.sealed_key, k.from_size, k.transition, k.created_at)
                       for k in keys])

    def key_pending(self) -> bool:
        with self.transaction(commit=False) as cursor:
            return self.run(cursor, "SELECT generation FROM {keys} WHERE from_size IS NULL").fetchone() is not None

    def reset_tree(self) -> None:
        """Forget the leaves and nodes (not the checkpoints: they are what a rebuild is checked against)."""
        with self.transaction(commit=True) as cursor:
            for table in ("runs", "nodes"):
                self.run(cursor, f"DELETE FROM {{{table}}}")
            self.delete_tracking_in(cursor)

    # ---- reading ------------------------------------------------------------------------------------------

    def position(self) -> int:
        return self.max_tracking_id(APPLICATION_NAME) or 0

    def size(self) -> int:
        with self.transaction(commit=False) as cursor:
            row = self.run(cursor, "SELECT idx FROM {nodes} WHERE level = 0 ORDER BY idx DESC LIMIT 1").fetchone()
        return 0 if row is None else int(row["idx"]) + 1

    def compact_range(self) -> CompactRange:
        size = self.size()
        wanted = CompactRange.edge_nodes(size)
        found = self.nodes(wanted)
        return CompactRange(size, [found[node] for node in wanted])

    def nodes(self, wanted: Sequence[Node]) -> dict[Node, bytes]:
        found = {(int(row["level"]), int(row["idx"])): bytes(row["hash"]) for row in self.node_rows(wanted)}
        missing = [node for node in wanted if node not in found]
        if missing:
            raise LookupError(f"the tree has no node {missing[0]}")
        return found

    def node_rows(self, wanted: Sequence[Node]) -> list[Any]:
        rows: list[Any] = []
        with self.transaction(commit=False) as cursor:
            for start in range(0, len(wanted), NODES_PER_QUERY):
                chunk = wanted[start:start + NODES_PER_QUERY]
                pairs = " OR ".join("(level = ? AND idx = ?)" for _ in chunk)
                params = [value for node in chunk for value in node]
                rows += self.run(cursor, f"SELECT level, idx, hash FROM {{nodes}} WHERE {pairs}", params).fetchall()
        return rows

    def runs_between(self, low: int, high: int) -> list[tuple[int, int]]:
        """(first position, first leaf) of the runs holding positions [low, high], and of the run after them."""
        with self.transaction(commit=False) as cursor:
            rows = self.run(cursor, "SELECT first_position, first_leaf FROM {runs} WHERE first_position >= COALESCE("
                                    "(SELECT MAX(first_position) FROM {runs} WHERE first_position <= ?), 0)"
                                    " AND first_position <= COALESCE((SELECT MIN(first_position) FROM {runs}"
                                    " WHERE first_position > ?), ?) ORDER BY first_position",
                            (low, high, high)).fetchall()
        return [(int(row["first_position"]), int(row["first_leaf"])) for row in rows]

    def leaf_indexes(self, positions: Sequence[int]) -> dict[int, int]:
        """The leaf index of each position the tree holds (a position in a gap, or beyond the tree, has none)."""
        if not positions:
            return {}
        runs, size = self.runs_between(min(positions), max(positions)), self.size()
        starts = [first for first, _ in runs]
        found: dict[int, int] = {}
        for position in positions:
            at = bisect.bisect_right(starts, position) - 1
            if at < 0:
                continue
            index = runs[at][1] + position - runs[at][0]
            if index < (runs[at + 1][1] if at + 1 < len(runs) else size):
                found[position] = index
        return found

    def leaf_index(self, position: int) -> int | None:
        return self.leaf_indexes([position]).get(position)

    def position_of(self, index: int) -> int | None:
        if not 0 <= index < self.size():
            return None
        with self.transaction(commit=False) as cursor:
            row = self.run(cursor, "SELECT first_position, first_leaf FROM {runs} WHERE first_leaf <= ?"
                                   " ORDER BY first_leaf DESC LIMIT 1", (index,)).fetchone()
        return None if row is None else int(row["first_position"]) + index - int(row["first_leaf"])

    def migrate_legacy_leaves(self) -> None:
        """A tree written with one `leaves` row per leaf: its runs, then the old table dropped."""
        with self.transaction(commit=True) as cursor:
            if not self.table_exists(cursor, LEGACY_LEAVES):
                return
            self.run(cursor, f"INSERT INTO {{runs}} (first_position, first_leaf) SELECT position, leaf_index FROM "
                             f"(SELECT position, leaf_index, LAG(position) OVER (ORDER BY leaf_index) AS previous"
                             f" FROM {self.legacy_leaves}) AS l WHERE previous IS NULL OR position <> previous + 1"
                             f" ON CONFLICT DO NOTHING")
            self.run(cursor, f"DROP TABLE {self.legacy_leaves}")

    @property
    def legacy_leaves(self) -> str:
        return LEGACY_LEAVES

    @abstractmethod
    def table_exists(self, cursor: Any, name: str) -> bool: ...

    def checkpoint(self, size: int | None = None) -> KeptCheckpoint | None:
        """The latest kept checkpoint, or the one of a size."""
        with self.transaction(commit=False) as cursor:
            if size is None:
                row = self.run(cursor, "SELECT * FROM {checkpoints} ORDER BY size DESC LIMIT 1").fetchone()
            else:
                row = self.run(cursor, "SELECT * FROM {checkpoints} WHERE size = ?", (size,)).fetchone()
        return None if row is None else KeptCheckpoint(int(row["size"]), bytes(row["root"]), row["note"],
                                                       row["signed_at"])

    def checkpoint_sizes(self, after: int, limit: int) -> list[int]:
        with self.transaction(commit=False) as cursor:
            rows = self.run(cursor, "SELECT size FROM {checkpoints} WHERE size > ? ORDER BY size LIMIT ?",
                            (after, limit)).fetchall()
        return [int(row["size"]) for row in rows]


# ---- SQLite ------------------------------------------------------------------------------------------------

SQLITE_TRACKING_TABLE = TABLE_PREFIX + "tracking"


class SQLiteLogTree(OwnSQLiteTracking, LogTree):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self.tables = {name: TABLE_PREFIX + name for name in TABLES}
        self.use_own_tracking_table(SQLITE_TRACKING_TABLE)
        self.create_table_statements += [
            s.format(blob="BLOB", **self.tables).replace("BIGINT", "INTEGER") for s in SCHEMA]

    def table_exists(self, cursor: Any, name: str) -> bool:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return cursor.fetchone() is not None


# ---- PostgreSQL ----------------------------------------------------------------------------------------------

class PostgresLogTree(OwnPostgresTracking, LogTree):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.tables = {name: f'"{schema}".{TABLE_PREFIX}{name}' for name in TABLES}
        for statement in SCHEMA:
            self.sql_create_statements.append(SQL(statement.format(blob="BYTEA", **self.tables)))  # type: ignore[arg-type]

    def node_rows(self, wanted: Sequence[Node]) -> list[Any]:
        """One prepared statement joining the wanted (level, idx) pairs, outside a transaction (one round trip)."""
        with self.datastore.get_connection() as conn:
            rows: list[Any] = conn.execute(self.sql(
                "SELECT n.level, n.idx, n.hash FROM unnest(%s::int[], %s::bigint[]) AS w(level, idx)"
                " JOIN {nodes} n ON n.level = w.level AND n.idx = w.idx"),
                ([level for level, _ in wanted], [index for _, index in wanted]), prepare=True).fetchall()
        return rows

    def write_nodes(self, cursor: Any, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        with cursor.copy(self.sql("COPY {nodes} (level, idx, hash) FROM STDIN")) as copy:
            for row in nodes:
                copy.write_row(row)

    def table_exists(self, cursor: Any, name: str) -> bool:
        return cursor.execute("SELECT to_regclass(%s) AS found", (f'"{self.datastore.schema}".{name}',)
                              ).fetchone()["found"] is not None

    @property
    def legacy_leaves(self) -> str:
        return f'"{self.datastore.schema}".{LEGACY_LEAVES}'
