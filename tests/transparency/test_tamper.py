"""With the append-only triggers off (a superuser), change a byte of a stored event, delete one, swap two, or
truncate the tail: `ler audit` detects each against a checkpoint taken before, and names the position."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.audit import audit_command
from tests.api.conftest import ADMIN_TOKEN, Api, start
from tests.api.story import tell
from tests.transparency.ledger_log import checkpointed, client_fetch, tamper, tlog
from wiring.log_runner import rebuild_tree
from wiring.settings import Settings, load_settings

TAMPERINGS = [("change-a-byte", 19, None), ("delete", 19, None), ("swap", 19, 30), ("truncate-tail", 19, None)]


def positions(api: Api, *indexes: int | None) -> tuple[int, int]:
    """The log positions of leaves (0 for none): gaps in notification ids make them differ from index + 1."""
    found = [tlog(api).tree.position_of(index) if index is not None else 0 for index in indexes]
    assert all(position is not None for position in found)
    return found[0] or 0, found[1] or 0


def told(settings: Settings) -> Api:
    api = start(settings)
    tell(api.client, ADMIN_TOKEN)
    checkpointed(api)
    return api


@pytest.fixture(params=["sqlite", "postgres"])
def log_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    base: Settings = request.getfixturevalue(f"{request.param}_settings")
    env = {"LER_DATA_DIR": str(base.data_dir), "LER_CHECKPOINT_SECONDS": "0"}
    if base.uses_postgres:
        env["DATABASE_URL"] = base.database_url
    return load_settings(env)


@pytest.fixture
def api(log_settings: Settings) -> Iterator[Api]:
    running = told(log_settings)
    yield running
    running.close()


def audit(api: Api, state: Path, full: bool = True) -> tuple[int, list[str]]:
    return audit_command("http://test", state, None, full, ADMIN_TOKEN, client_fetch(api))


def test_an_untouched_log_passes_the_audit_twice(api: Api, tmp_path: Path) -> None:
    state = tmp_path / "audit.json"
    first = audit(api, state)
    assert first[0] == 0, first
    assert any("trusting the served key" in line for line in first[1])
    second = audit(api, state)
    assert second[0] == 0 and not any("trusting" in line for line in second[1]), second


@pytest.mark.parametrize(("kind", "index", "other_index"), TAMPERINGS)
def test_tampering_is_detected_and_named_against_saved_leaves(api: Api, log_settings: Settings, tmp_path: Path,
                                                             kind: str, index: int, other_index: int | None) -> None:
    state = tmp_path / "audit.json"
    assert audit(api, state)[0] == 0
    position, other = positions(api, index, other_index)
    tamper(log_settings, api, kind, position, other)
    status, lines = audit(api, state)
    assert status == 1, lines
    named = (f"first missing leaf is {index}, position {position}" if kind == "truncate-tail"
             else f"first difference at leaf {index}: position {position} was audited before")
    assert named in lines[0], lines


@pytest.mark.parametrize(("kind", "index", "other_index"), TAMPERINGS)
def test_tampering_is_named_from_the_tree_with_only_a_saved_checkpoint(api: Api, log_settings: Settings,
                                                                      tmp_path: Path, kind: str, index: int,
                                                                      other_index: int | None) -> None:
    state = tmp_path / "audit.json"
    assert audit(api, state, full=False)[0] == 0
    position, other = positions(api, index, other_index)
    tamper(log_settings, api, kind, position, other)
    status, lines = audit(api, state)
    assert status == 1, lines
    assert f"first difference at leaf {index}, which the tree holds for position {position}" in lines[0], lines


def test_a_rebuilt_tree_reproduces_every_checkpoint_until_the_events_change(api: Api, log_settings: Settings) -> None:
    size = checkpointed(api)
    api.close()
    assert rebuild_tree(log_settings)["checkpoints_not_reproduced"] == []
    restarted = start(log_settings)
    try:
        assert checkpointed(restarted) == size
        position, _ = positions(restarted, 4, None)
        tamper(log_settings, restarted, "change-a-byte", position)
    finally:
        restarted.close()
    report = rebuild_tree(log_settings)
    assert report["size"] == size and report["checkpoints_not_reproduced"] != []
    assert min(report["checkpoints_not_reproduced"]) >= 5  # checkpoints of the first 4 leaves still hold
