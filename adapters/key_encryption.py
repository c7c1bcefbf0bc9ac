"""Key-encryption keys (KEKs): the per-learner keys are stored wrapped under a KEK that lives outside the database,
so that once a KEK is rotated away, no backup or WAL segment of the database can unwrap what it wrapped."""

import base64
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson

from adapters.sealing import seal, unseal

WRAP_CONTEXT = b"ler-ledger/learner-key"
WRAPPED_PREFIX = "kek:"


class UnknownKek(LookupError):
    pass


@dataclass(frozen=True)
class Keys:
    current: str
    keys: dict[str, bytes]


def _read(path: Path) -> Keys:
    raw = orjson.loads(path.read_bytes())
    return Keys(raw["current"], {kid: base64.urlsafe_b64decode(key) for kid, key in raw["keys"].items()})


def _write(path: Path, keys: Keys) -> None:
    encoded = {kid: base64.urlsafe_b64encode(key).decode() for kid, key in keys.keys.items()}
    body = {"current": keys.current, "keys": encoded}
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(orjson.dumps(body))
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def new_kek_id() -> str:
    return secrets.token_hex(4)


class Keyring:
    """The KEK file, re-read whenever it changes on disk, so that a rotation run by `ler keys rotate` in another
    process is picked up by running servers at their next wrap or unwrap."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: Keys | None = None
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            kid = new_kek_id()
            _write(path, Keys(kid, {kid: secrets.token_bytes(32)}))

    def keys(self) -> Keys:
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._keys is None or stamp != self._stamp:
                self._keys, self._stamp = _read(self.path), stamp
            return self._keys

    def wrap(self, learner_key: bytes, learner_bytes: bytes) -> str:
        keys = self.keys()
        sealed = seal(keys.keys[keys.current], learner_key, WRAP_CONTEXT + learner_bytes)
        return f"{WRAPPED_PREFIX}{keys.current}:{sealed}"

    def unwrap(self, wrapped: str, learner_bytes: bytes) -> bytes:
        kid, _, sealed = wrapped.removeprefix(WRAPPED_PREFIX).partition(":")
        key = self.keys().keys.get(kid)
        if key is None:
            raise UnknownKek(f"the key-encryption key {kid} is not in {self.path}")
        return unseal(key, sealed, WRAP_CONTEXT + learner_bytes)

    @staticmethod
    def kek_of(wrapped: str) -> str:
        return wrapped.removeprefix(WRAPPED_PREFIX).partition(":")[0] if wrapped.startswith(WRAPPED_PREFIX) else ""

    def begin_rotation(self) -> Keys:
        """Makes a new KEK current while keeping the old ones, so that wraps in flight elsewhere still unwrap."""
        keys = self.keys()
        kid = new_kek_id()
        rotated = Keys(kid, {**keys.keys, kid: secrets.token_bytes(32)})
        _write(self.path, rotated)
        return rotated

    def retire_all_but_current(self) -> list[str]:
        keys = self.keys()
        retired = [kid for kid in keys.keys if kid != keys.current]
        _write(self.path, Keys(keys.current, {keys.current: keys.keys[keys.current]}))
        return retired
