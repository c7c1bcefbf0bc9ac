"""Rotating the log's signing key: a transition checkpoint signed by the old and the new key, the old key's
checkpoints still verifiable with it, the history published, and `ler audit` holding the old key following the
rotation only when it is announced that way."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.audit import audit_command
from tests.api.conftest import ADMIN_TOKEN, Api, start
from tests.api.story import Story, tell
from tests.transparency.ledger_log import checkpointed, client_fetch, tlog
from transparency.notes import NoteError, Verifier, open_checkpoint
from wiring.log_keys import RotationPending, rotate_log_key, wait_for_transition
from wiring.log_runner import open_tree
from wiring.settings import Settings, load_settings


@pytest.fixture
def log_api(any_settings: Settings) -> Iterator[tuple[Api, Settings, Story]]:
    env = {"LER_DATA_DIR": str(any_settings.data_dir), "LER_CHECKPOINT_SECONDS": "0"}
    if any_settings.uses_postgres:
        env["DATABASE_URL"] = any_settings.database_url
    settings = load_settings(env)
    api = start(settings)
    story = tell(api.client, ADMIN_TOKEN)
    checkpointed(api)
    yield api, settings, story
    api.close()


def served_key(api: Api) -> Verifier:
    return Verifier.parse(api.client.get("/v1/log/key").text)


def rotated(api: Api, settings: Settings) -> int:
    """Rotate and wait for the transition checkpoint; its size."""
    pending = rotate_log_key(settings, tlog(api).tree)
    started = wait_for_transition(tlog(api).tree, pending.generation, 30)
    assert started is not None and started.from_size is not None
    return started.from_size


def audit(api: Api, state: Path) -> tuple[int, list[str]]:
    return audit_command("http://test", state, None, False, ADMIN_TOKEN, client_fetch(api))


def test_given_a_rotation_then_the_transition_is_signed_by_both_keys_and_the_new_key_signs_after_it(
        log_api: tuple[Api, Settings, Story]) -> None:
    api, settings, story = log_api
    old_key, old_note = served_key(api), api.client.get("/v1/log/checkpoint").text

    size = rotated(api, settings)
    story.write("admin", "/v1/tokens", {"principal_kind": "learner", "principal_id": story.ids["aroha"]})
    checkpointed(api)

    new_key = served_key(api)
    history = api.client.get("/v1/log/keys").json()["keys"]
    assert [k["verifier_key"] for k in history] == [old_key.text(), new_key.text()] and new_key != old_key
    assert (history[0]["from_size"], history[0]["until_size"], history[1]["from_size"]) == (0, size, size)
    assert open_checkpoint(history[1]["transition"], old_key) == open_checkpoint(history[1]["transition"], new_key)
    assert open_checkpoint(old_note, old_key).size <= size  # the old key's checkpoints still open with it
    latest = api.client.get("/v1/log/checkpoint").text
    assert open_checkpoint(latest, new_key).size > size
    with pytest.raises(NoteError):
        open_checkpoint(latest, old_key)


def test_an_auditor_holding_the_old_key_follows_an_announced_rotation(log_api: tuple[Api, Settings, Story],
                                                                      tmp_path: Path) -> None:
    api, settings, story = log_api
    state = tmp_path / "audit.json"
    assert audit(api, state)[0] == 0

    rotated(api, settings)
    story.write("admin", "/v1/tokens", {"principal_kind": "learner", "principal_id": story.ids["aroha"]})
    checkpointed(api)
    status, lines = audit(api, state)

    assert status == 0, lines
    assert any("rotated at size" in line for line in lines)
    assert json.loads(state.read_text())["verifier_key"] == served_key(api).text()
    assert audit(api, state)[0] == 0


def test_an_auditor_handed_the_new_key_checks_its_old_saved_checkpoint_with_the_old_one(
        log_api: tuple[Api, Settings, Story], tmp_path: Path) -> None:
    api, settings, _ = log_api
    state = tmp_path / "audit.json"
    assert audit(api, state)[0] == 0
    rotated(api, settings)

    status, lines = audit_command("http://test", state, served_key(api).text(), False, ADMIN_TOKEN,
                                  client_fetch(api))

    assert status == 0, lines


def test_an_auditor_refuses_a_new_key_without_a_transition_signed_by_the_old_one(
        log_api: tuple[Api, Settings, Story], tmp_path: Path) -> None:
    api, settings, _ = log_api
    state = tmp_path / "audit.json"
    audit(api, state)
    rotated(api, settings)
    fetch = client_fetch(api)

    def unannounced(path: str) -> bytes:
        if path != "/v1/log/keys":
            return fetch(path)
        history = json.loads(fetch(path))
        history["keys"] = history["keys"][1:]  # the new key alone, as if the old one had never been
        return json.dumps(history).encode()

    status, lines = audit_command("http://test", state, None, False, ADMIN_TOKEN, unannounced)
    assert status == 1 and "announces no rotation" in lines[0]

    def forged(path: str) -> bytes:
        if path != "/v1/log/keys":
            return fetch(path)
        history = json.loads(fetch(path))
        text, _, signatures = history["keys"][1]["transition"].rpartition("\n\n")
        history["keys"][1]["transition"] = f"{text}\n\n{signatures.splitlines()[1]}\n"  # the new key's line only
        return json.dumps(history).encode()

    status, lines = audit_command("http://test", state, None, False, ADMIN_TOKEN, forged)
    assert status == 1 and "signed by the old and the new key" in lines[0]


def test_a_second_rotation_waits_for_the_first_transition(any_settings: Settings) -> None:
    tree = open_tree(any_settings)  # no runner: the first rotation stays pending
    try:
        first = rotate_log_key(any_settings, tree)
        with pytest.raises(RotationPending):
            rotate_log_key(any_settings, tree)
        assert [(k.generation, k.from_size) for k in tree.log_keys()] == [(1, 0), (first.generation, None)]
    finally:
        tree.close()
