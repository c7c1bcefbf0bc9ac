"""Which errors mean "the database cannot be reached just now" (wait and try again), as against a programming error.

The library wraps the driver's errors in its own `OperationalError` / `InterfaceError`; code that talks to psycopg
directly (the key store, the runner's lock) raises the driver's, and a pool that found no connection in time raises
`psycopg_pool.PoolTimeout`, a `psycopg.OperationalError`. A restart's `AdminShutdown` is one as well.
"""

import eventsourcing.persistence as persistence
import psycopg

STORE_UNAVAILABLE: tuple[type[Exception], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
