"""The PostgreSQL key store keeps one connection (a read's miss path paid a new connection per learner key) and
opens a new one when the server closed it, as after a restart."""

from uuid import uuid4

import psycopg

from adapters.personal_data import PostgresKeyStore


def _backends(url: str, schema: str) -> set[int]:
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND query LIKE %s", (f'%"{schema}".learner_keys%',)).fetchall()
    return {pid for (pid,) in rows}


def test_given_a_stored_key_when_read_many_times_then_one_connection_serves_them(postgres_url: str,
                                                                                 postgres_schema: str) -> None:
    store = PostgresKeyStore(postgres_url, postgres_schema)
    learner = uuid4()
    store.put(learner, "sealed-key")
    for _ in range(5):
        assert store.get(learner) == "sealed-key"
    assert len(_backends(postgres_url, postgres_schema)) == 1
    store.close()
    assert _backends(postgres_url, postgres_schema) == set()


def test_given_the_server_closed_its_connection_when_read_then_a_new_connection_answers(
        postgres_url: str, postgres_schema: str) -> None:
    store = PostgresKeyStore(postgres_url, postgres_schema)
    learner = uuid4()
    store.put(learner, "sealed-key")
    (pid,) = _backends(postgres_url, postgres_schema)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert store.get(learner) == "sealed-key"
    store.delete(learner)
    assert store.get(learner) is None
    assert _backends(postgres_url, postgres_schema) - {pid}
    store.close()
