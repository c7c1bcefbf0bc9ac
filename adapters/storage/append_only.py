"""The stored events table refuses change: triggers that raise on UPDATE, DELETE and TRUNCATE.

After creating a stored events table (application and process recorders), the recorders install a row trigger
``BEFORE UPDATE OR DELETE`` and a statement trigger ``BEFORE TRUNCATE`` that raise
``stored events are append-only: <op> on <schema>.<table> is not allowed``. Installation is idempotent
(``CREATE OR REPLACE FUNCTION``/``TRIGGER``, PostgreSQL 14+) and serialised across processes with a transaction-scoped
advisory lock. The trigger guards against mistakes, not against a privileged attacker: a superuser or the table owner
can disable triggers (``ALTER TABLE ... DISABLE TRIGGER``, ``session_replication_role = replica``) and ``DROP TABLE``
is not a trigger event. Run the application as a role with only INSERT and SELECT on the table for that.
"""

from __future__ import annotations

import hashlib

import eventsourcing.postgres as es_postgres
from psycopg.sql import SQL, Composed, Identifier, Literal

APPEND_ONLY_MESSAGE = "stored events are append-only"
GUARD_FUNCTION_NAME = "ler_stored_events_append_only"

def identifier(name: str, suffix: str) -> str:
    """``name + suffix``, shortened with a hash if longer than PostgreSQL's 63 bytes."""
    full = name + suffix
    if len(full.encode()) <= es_postgres.PostgresRecorder.MAX_IDENTIFIER_LEN:
        return full
    digest = hashlib.sha1(full.encode()).hexdigest()[:10]
    return name.encode()[: 63 - len(suffix) - 11].decode(errors="ignore") + "_" + digest + suffix


def advisory_lock_key(schema: str, table: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` from the qualified table name."""
    digest = hashlib.blake2b(f"ler:insert:{schema}.{table}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def append_only_statements(schema: str, table: str) -> list[Composed]:
    """SQL that makes ``schema.table`` reject UPDATE, DELETE and TRUNCATE (idempotent)."""
    schema_id, table_id = Identifier(schema), Identifier(table)
    function = SQL("{0}.{1}").format(schema_id, Identifier(GUARD_FUNCTION_NAME))
    return [
        SQL("SELECT pg_advisory_xact_lock({0})").format(Literal(advisory_lock_key(schema, "ddl"))),
        SQL(
            "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $BODY$ "
            "BEGIN "
            "RAISE EXCEPTION '{message}: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
            "USING HINT = 'Record a new event that corrects or supersedes the old one.'; "
            "END; $BODY$"
        ).format(function=function, message=SQL(APPEND_ONLY_MESSAGE)),
        SQL(
            "CREATE OR REPLACE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {schema}.{table} "
            "FOR EACH ROW EXECUTE FUNCTION {function}()"
        ).format(
            trigger=Identifier(identifier(table, "_append_only_rows")),
            schema=schema_id,
            table=table_id,
            function=function,
        ),
        SQL(
            "CREATE OR REPLACE TRIGGER {trigger} BEFORE TRUNCATE ON {schema}.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        ).format(
            trigger=Identifier(identifier(table, "_append_only_truncate")),
            schema=schema_id,
            table=table_id,
            function=function,
        ),
    ]
