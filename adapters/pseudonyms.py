"""Learner ids keyed with a secret: registering the same identifier twice finds the same learner, yet an id reveals
nothing about the identifier to anyone without the master key (a seven-digit student id is not guessable from it)."""

import hmac
from hashlib import sha256
from uuid import UUID

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.values import Identifier

LEARNER_ID_INFO = b"ler-ledger/learner-id"


class KeyedLearnerIds:
    def __init__(self, master_key: bytes):
        self._key = HKDF(algorithm=SHA256(), length=32, salt=None, info=LEARNER_ID_INFO).derive(master_key)

    def learner_id(self, identifier: Identifier) -> UUID:
        digest = hmac.new(self._key, f"{identifier.scheme}|{identifier.value}".encode(), sha256).digest()
        return UUID(bytes=digest[:16], version=4)
