"""Sealing secrets at rest with AES-GCM: signing keys under the master key, personal data under per-learner keys."""

import base64
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def seal(key: bytes, plaintext: bytes, context: bytes = b"") -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, context)).decode()


def unseal(key: bytes, sealed: str, context: bytes = b"") -> bytes:
    raw = base64.urlsafe_b64decode(sealed)
    return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
