"""Counting the statements a thread sends to PostgreSQL."""

import threading
from typing import Any

import psycopg
import pytest


class RoundTrips:
    """Counts statements sent to PostgreSQL by this thread (one round trip each: results are fetched with them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.thread = threading.get_ident()
        execute = psycopg.Cursor.execute

        def counted(cursor: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == self.thread:
                self.count += 1
            return execute(cursor, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", counted)
