"""Provider signing keys: Ed25519, the private half sealed under the master key; and the transparency log's key."""

from uuid import uuid4

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from adapters.sealing import seal, unseal
from credentials.multikey import generate_key_pair, private_key_from_seed
from domain.provider import SigningKey

KEY_CONTEXT = b"ler-ledger/signing-key"


class SealedKeyVault:
    def __init__(self, master_key: bytes):
        self._master_key = master_key

    def new_signing_key(self) -> SigningKey:
        pair = generate_key_pair()
        return SigningKey(
            key_id=str(uuid4()), public_key_multibase=pair.public_key_multibase,
            sealed_private_key=seal(self._master_key, pair.seed, KEY_CONTEXT),
        )

    def private_key(self, key: SigningKey) -> Ed25519PrivateKey:
        return private_key_from_seed(unseal(self._master_key, key.sealed_private_key, KEY_CONTEXT))


LOG_KEY_CONTEXT = b"ler-ledger/transparency-log-key/v1"


def log_signing_key(master_key: bytes) -> Ed25519PrivateKey:
    """The log's own checkpoint key (not a provider's), derived from the master key so every process of one
    ledger signs with the same key and none has to be stored."""
    seed = HKDF(algorithm=SHA256(), length=32, salt=None, info=LOG_KEY_CONTEXT).derive(master_key)
    return private_key_from_seed(seed)


def new_log_key(master_key: bytes) -> tuple[Ed25519PrivateKey, str]:
    """A new random log key (a rotation), and its seed sealed under the master key to be stored."""
    pair = generate_key_pair()
    return private_key_from_seed(pair.seed), seal(master_key, pair.seed, LOG_KEY_CONTEXT)


def unseal_log_key(master_key: bytes, sealed: str) -> Ed25519PrivateKey:
    return private_key_from_seed(unseal(master_key, sealed, LOG_KEY_CONTEXT))
