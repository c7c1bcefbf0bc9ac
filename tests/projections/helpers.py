"""Helpers for the read-side tests: truncated copies of a log, rebuilds, view dumps."""

import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from projections.read_side import ReadSide
from wiring.projection_runner import catch_up, open_views
from wiring.services import Services, build_services
from wiring.settings import Settings, load_settings


def caught_up(read_side: ReadSide, services: Services, timeout: float = 30.0) -> None:
    assert read_side.wait_for(services.ledger.position(), timeout), read_side.lags()


def truncated_copy(settings: Settings, position: int, into: Path) -> Settings:
    """A new embedded store holding the events of `settings`' store up to `position` (same positions), and the same
    learner keys."""
    copy = load_settings({"LER_DATA_DIR": str(into), "LER_MASTER_KEY": _master_key(settings),
                          "LER_KEYRING_FILE": str(settings.keyring_path)})
    build_services(copy).close()  # creates the tables
    shutil.copy(settings.data_dir / "personal-keys.sqlite3", copy.data_dir / "personal-keys.sqlite3")
    source = settings.eventsourcing_env()["SQLITE_DBNAME"]
    target = copy.eventsourcing_env()["SQLITE_DBNAME"]
    with sqlite3.connect(target) as conn:
        conn.execute("ATTACH DATABASE ? AS source", (source,))
        conn.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
                     " SELECT rowid, originator_id, originator_version, topic, state FROM source.stored_events"
                     " WHERE rowid <= ?", (position,))
        conn.commit()
        conn.execute("DETACH DATABASE source")
    return copy


def _master_key(settings: Settings) -> str:
    import base64

    return base64.urlsafe_b64encode(settings.master_key).decode()


def rebuilt_rows(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Empty the views, replay the log from position 0, and dump every view table."""
    views = open_views(settings)
    views.reset()
    catch_up(settings)
    return views.table_rows()


def wait_position(settings: Settings, position: int, timeout: float = 30.0) -> bool:
    views = open_views(settings)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if views.position() >= position:
            return True
        time.sleep(0.02)
    return False
