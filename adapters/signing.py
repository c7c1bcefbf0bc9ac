"""Signs each credential once, at issuance, with the issuing provider's active key."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from adapters.keys import SealedKeyVault
from application.ports import CredentialDraft
from credentials.data_integrity import sign
from credentials.documents import build_open_badge_credential
from credentials.open_badges import open_badge_input
from credentials.urls import LedgerUrls


class ProviderCredentialSigner:
    def __init__(self, urls: LedgerUrls, keys: SealedKeyVault, clock: Callable[[], datetime]):
        self.urls = urls
        self.keys = keys
        self.clock = clock

    def sign(self, draft: CredentialDraft) -> dict[str, Any]:
        document = build_open_badge_credential(open_badge_input(
            draft.credential_id, draft.provider, draft.achievement, draft.learner, draft.learner_profile, draft.terms,
            draft.status_index, self.urls,
        ))
        key = draft.provider.active_key
        method = self.urls.verification_method(draft.provider.id, key.public_key_multibase)
        return sign(document, self.keys.private_key(key), method, self.clock())
