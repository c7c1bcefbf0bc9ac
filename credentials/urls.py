"""The ledger's public URLs: issuer ids, credential and achievement ids, status lists. They are signed into
credentials, so they derive only from the configured public URL and stable ids."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class LedgerUrls:
    public_url: str

    def issuer(self, provider_id: UUID) -> str:
        return f"{self.public_url}/v1/issuers/{provider_id}"

    def verification_method(self, provider_id: UUID, public_key_multibase: str) -> str:
        return f"{self.issuer(provider_id)}#{public_key_multibase}"

    def ledger_issuer(self) -> str:
        return f"{self.public_url}/v1/issuers/ledger"

    def credential(self, credential_id: UUID) -> str:
        return f"{self.public_url}/v1/credentials/{credential_id}"

    def achievement(self, achievement_id: UUID) -> str:
        return f"{self.public_url}/v1/achievements/{achievement_id}"

    def status_list(self, provider_id: UUID, purpose: str) -> str:
        return f"{self.public_url}/v1/status-lists/{provider_id}-{purpose}"

    def clr(self, learner_id: UUID, position: int) -> str:
        return f"{self.public_url}/v1/learners/{learner_id}/clr/{position}"
