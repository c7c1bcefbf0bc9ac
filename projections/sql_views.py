"""What every view query and write needs: the table names, one SQL text for both dialects (`{table}` names, `?`
marks; the PostgreSQL class rewrites them), a transaction, and a few statement helpers."""

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from projections.schema import IN_CHUNK


class SqlViews(ABC):
    tables: dict[str, str]

    def sql(self, text: str) -> str:
        return text.format(**self.tables)

    @abstractmethod
    def transaction(self, *, commit: bool) -> contextlib.AbstractContextManager[Any]: ...

    def run(self, cursor: Any, text: str, params: Sequence[Any] = ()) -> Any:
        cursor.execute(self.sql(text), tuple(params))
        return cursor

    def all(self, cursor: Any, text: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.run(cursor, text, params).fetchall())

    def one(self, cursor: Any, text: str, params: Sequence[Any] = ()) -> Any:
        return self.run(cursor, text, params).fetchone()

    def derived_rows_only(self, cursor: Any) -> None:
        """The transaction writes only documents derived from the views (signed CLRs, proof checks): lost in a crash,
        they are made again, so its commit need not wait for the disk (PostgreSQL; nothing to say to SQLite)."""
        return None

    @contextlib.contextmanager
    def derived_rows_transaction(self) -> Iterator[Any]:
        """A transaction that writes only derived rows (`derived_rows_only`)."""
        with self.transaction(commit=True) as cursor:
            self.derived_rows_only(cursor)
            yield cursor

    def all_together(self, cursor: Any, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
        """`all` of each statement (sent together where the store can: one round trip)."""
        return [self.all(cursor, text, params) for text, params in statements]

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
