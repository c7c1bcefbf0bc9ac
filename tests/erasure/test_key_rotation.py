"""Given learner keys wrapped under a key-encryption key, when the KEK is rotated after an erasure, then a backup of the
key table taken before the erasure no longer unseals the erased learner, and living learners still open."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from adapters.key_encryption import Keyring, UnknownKek
from adapters.personal_data import KeyStore, SealedPersonalDataVault
from ops.cli import main
from wiring.services import key_store
from wiring.settings import Settings, load_settings

MASTER = bytes(range(32))


def _vault(settings: Settings) -> SealedPersonalDataVault:
    return SealedPersonalDataVault(MASTER, key_store(settings), Keyring(settings.keyring_path))


def _registered(vault: SealedPersonalDataVault) -> UUID:
    """A learner with a key, as registration makes one."""
    learner = uuid4()
    vault.seal(learner, {"name": "someone"})
    return learner


def _backup(keys: KeyStore) -> list[tuple[UUID, str]]:
    return list(keys.all())


class RestoredKeys(KeyStore):
    """The key table as a backup holds it."""

    def __init__(self, rows: list[tuple[UUID, str]]):
        self.rows = dict(rows)

    def get(self, learner_id: UUID) -> str | None:
        return self.rows.get(learner_id)

    def all(self) -> Iterator[tuple[UUID, str]]:
        return iter(self.rows.items())

    def put(self, learner_id: UUID, sealed_key: str) -> None:
        raise AssertionError("a backup is only read")

    def delete(self, learner_id: UUID) -> None:
        raise AssertionError("a backup is only read")

    def replace(self, learner_id: UUID, old: str, new: str) -> bool:
        raise AssertionError("a backup is only read")


def _restored(settings: Settings, rows: list[tuple[UUID, str]]) -> SealedPersonalDataVault:
    """The backed-up rows, read with the master key and the keyring as they are now."""
    return SealedPersonalDataVault(MASTER, RestoredKeys(rows), Keyring(settings.keyring_path))


def test_a_backup_from_before_the_erasure_unseals_until_the_kek_is_rotated(any_settings: Settings) -> None:
    vault = _vault(any_settings)
    erased, living = _registered(vault), _registered(vault)
    erased_text, living_text = vault.seal_text(erased, "Aroha's statement"), vault.seal_text(living, "Ben's")
    backup = _backup(key_store(any_settings))

    vault.forget(erased)
    assert vault.open_text(erased, erased_text) is None
    assert _restored(any_settings, backup).open_text(erased, erased_text) == "Aroha's statement"

    vault.keyring.begin_rotation()
    assert vault.rewrap_all() == 1
    assert len(vault.keyring.retire_all_but_current()) == 1

    with pytest.raises(UnknownKek):
        _restored(any_settings, backup).open_text(erased, erased_text)
    assert _vault(any_settings).open_text(living, living_text) == "Ben's"


def test_a_running_server_picks_up_a_rotation_made_by_another_process(sqlite_settings: Settings) -> None:
    running, rotating = _vault(sqlite_settings), _vault(sqlite_settings)
    learner = _registered(running)
    sealed = running.seal_text(learner, "free text")
    rotating.keyring.begin_rotation()
    rotating.rewrap_all()
    rotating.keyring.retire_all_but_current()
    assert running.open_text(learner, sealed) == "free text"
    assert Keyring.kek_of(_wrapped(running, _registered(running))) == rotating.keyring.keys().current


def _wrapped(vault: SealedPersonalDataVault, learner: UUID) -> str:
    found = vault._keys.get(learner)
    assert found is not None
    return found


def test_ler_keys_rotate_rewraps_and_destroys_the_old_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings()
    vault = SealedPersonalDataVault(settings.master_key, key_store(settings), Keyring(settings.keyring_path))
    learner = _registered(vault)
    sealed = vault.seal_text(learner, "kept")
    old_keyring = tmp_path / "old-keyring.json"
    shutil.copy(settings.keyring_path, old_keyring)

    assert main(["keys", "rotate", "--grace", "0"]) == 0

    assert "rewrapped 1 learner keys" in capsys.readouterr().out
    assert vault.open_text(learner, sealed) == "kept"
    old_ids = set(Keyring(old_keyring).keys().keys)
    assert not old_ids & set(Keyring(settings.keyring_path).keys().keys)
    assert os.stat(settings.keyring_path).st_mode & 0o077 == 0
