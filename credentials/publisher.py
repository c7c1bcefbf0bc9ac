"""The ledger's own signing key, as publisher of the CLRs and status lists it derives: HKDF from the master key,
so every process of one deployment signs with the same key and nothing new is stored."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from credentials.data_integrity import sign
from credentials.documents import IssuerProfile
from credentials.multikey import KeyPair, key_pair_from_seed
from credentials.urls import LedgerUrls

PUBLISHER_KEY_INFO = b"ler-ledger/publisher-key/v1"
LEDGER_NAME = "Learner Employment Record Ledger"


@dataclass(frozen=True)
class Publisher:
    urls: LedgerUrls
    key: KeyPair

    @classmethod
    def from_master_key(cls, master_key: bytes, urls: LedgerUrls) -> "Publisher":
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PUBLISHER_KEY_INFO).derive(master_key)
        return cls(urls, key_pair_from_seed(seed))

    @property
    def issuer_id(self) -> str:
        return self.urls.ledger_issuer()

    @property
    def verification_method(self) -> str:
        return f"{self.issuer_id}#{self.key.public_key_multibase}"

    @property
    def profile(self) -> IssuerProfile:
        return IssuerProfile(id=self.issuer_id, name=LEDGER_NAME, url=self.urls.public_url)

    def sign(self, document: dict[str, Any], now: datetime) -> dict[str, Any]:
        return sign(document, self.key.private_key, self.verification_method, now)
