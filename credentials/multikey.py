"""Ed25519 keys as Multikey: publicKeyMultibase = 'z' + base58btc(0xed01 + 32-byte key), starting 'z6Mk'."""

from __future__ import annotations

from dataclasses import dataclass

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
KEY_LENGTH = 32


@dataclass(frozen=True)
class KeyPair:
    private_key: Ed25519PrivateKey
    public_key: bytes
    public_key_multibase: str

    @property
    def seed(self) -> bytes:
        return private_key_seed(self.private_key)


def generate_key_pair() -> KeyPair:
    return key_pair_from_private_key(Ed25519PrivateKey.generate())


def key_pair_from_seed(seed: bytes) -> KeyPair:
    return key_pair_from_private_key(private_key_from_seed(seed))


def key_pair_from_private_key(private_key: Ed25519PrivateKey) -> KeyPair:
    public_key = public_key_bytes(private_key.public_key())
    return KeyPair(private_key, public_key, public_key_to_multibase(public_key))


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) == 2 * KEY_LENGTH:
        seed = seed[:KEY_LENGTH]
    if len(seed) != KEY_LENGTH:
        raise ValueError(f"Ed25519 private key seed must be {KEY_LENGTH} bytes, got {len(seed)}")
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key_seed(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_to_multibase(public_key: bytes | Ed25519PublicKey) -> str:
    raw = public_key if isinstance(public_key, bytes) else public_key_bytes(public_key)
    _check_length(raw, "public")
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode("ascii")


def multibase_to_public_key(multibase: str) -> bytes:
    return _decode_multibase(multibase, ED25519_PUB_PREFIX, "public")


def private_key_to_multibase(private_key: Ed25519PrivateKey) -> str:
    """secretKeyMultibase as @digitalbazaar/ed25519-multikey writes it: 0x8026 + seed + public key."""
    secret = private_key_seed(private_key) + public_key_bytes(private_key.public_key())
    return "z" + base58.b58encode(ED25519_PRIV_PREFIX + secret).decode("ascii")


def multibase_to_private_key(multibase: str) -> Ed25519PrivateKey:
    secret = _decode_multibase(multibase, ED25519_PRIV_PREFIX, "private")
    private_key = private_key_from_seed(secret)
    if len(secret) == 2 * KEY_LENGTH and public_key_bytes(private_key.public_key()) != secret[KEY_LENGTH:]:
        raise ValueError("secretKeyMultibase: public half does not match the seed")
    return private_key


def _decode_multibase(multibase: str, prefix: bytes, kind: str) -> bytes:
    if not multibase.startswith("z"):
        raise ValueError(f"Multikey {kind} key must be base58btc multibase (leading 'z'): {multibase!r}")
    raw = base58.b58decode(multibase[1:])
    if not raw.startswith(prefix):
        raise ValueError(f"not an Ed25519 {kind} Multikey (multicodec prefix {raw[:2].hex()})")
    key = raw[len(prefix) :]
    if kind == "public":
        _check_length(key, kind)
    return key


def _check_length(key: bytes, kind: str) -> None:
    if len(key) != KEY_LENGTH:
        raise ValueError(f"Ed25519 {kind} key must be {KEY_LENGTH} bytes, got {len(key)}")
