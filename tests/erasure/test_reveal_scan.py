"""Given a vault, when a view holding no sealed words is revealed, then it comes back as it is and the learner's key is
not looked up; when sealed words sit anywhere inside (a dataclass in a tuple in a dict), then they are opened for a
living learner and shown as erased once the learner's key is gone."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

from adapters.key_encryption import Keyring
from adapters.personal_data import ERASED, KeyStore, SealedPersonalDataVault


class CountedKeys(KeyStore):
    def __init__(self) -> None:
        self.rows: dict[UUID, str] = {}
        self.gets = 0

    def get(self, learner_id: UUID) -> str | None:
        self.gets += 1
        return self.rows.get(learner_id)

    def put(self, learner_id: UUID, sealed_key: str) -> None:
        self.rows.setdefault(learner_id, sealed_key)

    def delete(self, learner_id: UUID) -> None:
        self.rows.pop(learner_id, None)

    def replace(self, learner_id: UUID, old: str, new: str) -> bool:
        return False

    def all(self) -> Iterator[tuple[UUID, str]]:
        return iter(self.rows.items())


@dataclass(frozen=True)
class Entry:
    title: str
    day: date
    credits: Decimal
    tags: frozenset[str]


def _vault(tmp_path: Path) -> tuple[SealedPersonalDataVault, CountedKeys]:
    keys = CountedKeys()
    return SealedPersonalDataVault(bytes(range(32)), keys, Keyring(tmp_path / "kek.json")), keys


def test_a_view_without_sealed_words_is_returned_as_it_is_without_a_key_lookup(tmp_path):
    vault, keys = _vault(tmp_path)
    learner = uuid4()
    vault.seal(learner, {"name": "someone"})
    fresh = SealedPersonalDataVault(bytes(range(32)), keys, vault.keyring)  # nothing unwrapped yet
    keys.gets = 0
    view = {"entries": (Entry("Welding", date(2025, 1, 2), Decimal("7.5"), frozenset({"a"})),), learner: [1, None]}

    assert fresh.reveal(learner, view) is view
    assert keys.gets == 0


def test_sealed_words_deep_inside_are_opened_then_erased_with_the_key(tmp_path):
    vault, _ = _vault(tmp_path)
    learner = uuid4()
    vault.seal(learner, {"name": "someone"})
    sealed = vault.seal_text(learner, "Apprentice welder")
    view = {"entries": (Entry(f"Role: {sealed}", date(2025, 1, 2), Decimal("7.5"), frozenset()),), "n": 1}

    assert vault.reveal(learner, view)["entries"][0].title == "Role: Apprentice welder"
    assert vault.reveal(learner, view, erased=True)["entries"][0].title == f"Role: {ERASED}"
    vault.forget(learner)
    assert vault.reveal(learner, view)["entries"][0].title == f"Role: {ERASED}"
