"""The fast tier's stand-ins: the Ledger on the library's in-memory (POPO) recorders with the stored format's
transcoder, and ports that keep keys and personal data in dicts and "sign" without cryptography. They behave like the
real ports where the ledger's rules can tell (a sealed profile opens until erasure; each key is new), nothing more."""

from collections.abc import Callable, Mapping
from datetime import datetime
from itertools import count
from typing import Any
from uuid import UUID, uuid4, uuid5

from application.ledger import Ledger
from application.ports import CredentialDraft
from domain.provider import SigningKey
from domain.values import Identifier
from wiring.services import MAPPER, TRANSCODER, StoredLedger

FAKE_SECRET = uuid4()
MEMORY_ENV = {"PERSISTENCE_MODULE": "eventsourcing.popo", "TRANSCODER_TOPIC": TRANSCODER, "MAPPER_TOPIC": MAPPER}


class FakeKeyVault:
    def __init__(self) -> None:
        self._numbers = count(1)

    def new_signing_key(self) -> SigningKey:
        number = next(self._numbers)
        return SigningKey(key_id=f"key-{number}", public_key_multibase=f"z6MkFake{number}",
                          sealed_private_key=f"sealed-{number}")


class FakePersonalDataVault:
    """Seals by reference: the profile and texts stay in dicts keyed by learner until `forget` drops them."""

    def __init__(self) -> None:
        self._profiles: dict[UUID, dict[str, str]] = {}
        self._texts: dict[str, tuple[UUID, Any]] = {}

    def seal(self, learner_id: UUID, profile: Mapping[str, str]) -> str:
        self._profiles[learner_id] = dict(profile)
        return f"sealed:{learner_id}"

    def open(self, learner_id: UUID, sealed: str) -> dict[str, str] | None:
        found = self._profiles.get(learner_id)
        return dict(found) if found is not None and sealed == f"sealed:{learner_id}" else None

    def forget(self, learner_id: UUID) -> None:
        self._profiles.pop(learner_id, None)

    def _sealed(self, learner_id: UUID, value: Any) -> str:
        reference = f"sealed-ref:{len(self._texts)}"
        self._texts[reference] = (learner_id, value)
        return reference

    def seal_text(self, learner_id: UUID, text: str) -> str:
        return self._sealed(learner_id, text) if text else ""

    def seal_json(self, learner_id: UUID, document: Mapping[str, Any]) -> str:
        return self._sealed(learner_id, dict(document))

    def open_json(self, learner_id: UUID, sealed: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.reveal(learner_id, sealed)
        return found

    def reveal(self, learner_id: UUID, sealed: str) -> Any:
        owner, value = self._texts[sealed]
        return value if owner == learner_id and learner_id in self._profiles else None


class FakeLearnerIds:
    """Keyed like the real thing: the id is not the identifier's public uuid5."""

    def learner_id(self, identifier: Identifier) -> UUID:
        return uuid5(FAKE_SECRET, f"{identifier.scheme}|{identifier.value}")


class FakeSigner:
    """A document naming what was issued, with a proof that says it is fake: enough for the write side's rules."""

    def __init__(self) -> None:
        self.signed: list[CredentialDraft] = []

    def sign(self, draft: CredentialDraft) -> dict[str, Any]:
        self.signed.append(draft)
        return {
            "id": f"urn:uuid:{draft.credential_id}", "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": str(draft.provider.id), "credentialSubject": {"id": str(draft.learner.id)},
            "credentialStatus": {"statusListIndex": str(draft.status_index)},
            "proof": {"type": "FakeProof", "verificationMethod": draft.provider.active_key.key_id},
        }


def memory_ledger(clock: Callable[[], datetime], *, keys: FakeKeyVault | None = None,
                  vault: FakePersonalDataVault | None = None, signer: FakeSigner | None = None) -> Ledger:
    return StoredLedger(MEMORY_ENV, keys=keys or FakeKeyVault(), vault=vault or FakePersonalDataVault(),
                        signer=signer or FakeSigner(), clock=clock, learner_ids=FakeLearnerIds())
