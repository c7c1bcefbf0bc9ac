"""The log's signing keys over time: generation 1 derived from the master key, each rotation a random key sealed
under it (stored with the tree, `ler_t_keys`). A rotation is pending until the tree runner signs the next checkpoint
with the current key AND the new one (the transition checkpoint, kept with the key); from that size on the new key
signs alone. Old checkpoints stay verifiable with the old verifier key; `GET /v1/log/keys` publishes the history."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.keys import log_signing_key, new_log_key, unseal_log_key
from projections.transparency_log import KeptKey, LogTree
from transparency.merkle import CompactRange
from transparency.notes import Checkpoint, Signer, Verifier, sign_note
from wiring.settings import Settings


class RotationPending(ValueError):
    pass


def active(keys: Sequence[KeptKey]) -> list[KeptKey]:
    return [key for key in keys if key.from_size is not None]


class LogKeys:
    """Signs checkpoints with the keys the tree stores (CheckpointSigner), and says which key verifies what."""

    def __init__(self, settings: Settings):
        self.master_key = settings.master_key
        self.origin = settings.transparency_origin
        self.derived = Signer(self.origin, log_signing_key(settings.master_key))
        self.unsealed: dict[int, Signer] = {}

    def signer(self, key: KeptKey | None) -> Signer:
        if key is None or key.sealed_key is None:
            return self.derived
        if key.generation not in self.unsealed:
            self.unsealed[key.generation] = Signer(self.origin, unseal_log_key(self.master_key, key.sealed_key))
        return self.unsealed[key.generation]

    def sign(self, tree: CompactRange, keys: Sequence[KeptKey]) -> tuple[str, int | None]:
        text = Checkpoint(self.origin, tree.size, tree.root()).text()
        started = active(keys)
        current = self.signer(started[-1] if started else None)
        pending = [key for key in keys if key.from_size is None]
        if not pending:
            return current.sign(text), None
        return sign_note(text, [current, self.signer(pending[0])]), pending[0].generation

    def current(self, keys: Sequence[KeptKey]) -> Verifier:
        started = active(keys)
        return Verifier.parse(started[-1].verifier_key) if started else self.derived.verifier

    def for_size(self, keys: Sequence[KeptKey], size: int) -> Verifier:
        """The key that signs checkpoints of a size (at a transition size, the new one; the old one signed too)."""
        started = [key for key in active(keys) if (key.from_size or 0) <= size]
        return Verifier.parse(started[-1].verifier_key) if started else self.derived.verifier

    def history(self, keys: Sequence[KeptKey]) -> list[dict[str, Any]]:
        started = active(keys) or [KeptKey(1, self.derived.verifier.text(), None, 0, None, "")]
        return [{"generation": key.generation, "verifier_key": key.verifier_key, "from_size": key.from_size,
                 "until_size": started[at + 1].from_size if at + 1 < len(started) else None,
                 "transition": key.transition} for at, key in enumerate(started)]


def rotate_log_key(settings: Settings, tree: LogTree) -> KeptKey:
    """A new random log key, pending until the tree runner's transition checkpoint."""
    keys = tree.log_keys()
    if any(key.from_size is None for key in keys):
        raise RotationPending("a log key rotation is already pending: the tree runner has not signed its transition "
                              "checkpoint yet")
    now = datetime.now(UTC).isoformat()
    first = [] if keys else [KeptKey(1, LogKeys(settings).derived.verifier.text(), None, 0, None, now)]
    private, sealed = new_log_key(settings.master_key)
    pending = KeptKey((keys or first)[-1].generation + 1, Signer(settings.transparency_origin, private).verifier.text(),
                      sealed, None, None, now)
    tree.add_keys([*first, pending])
    return pending


def wait_for_transition(tree: LogTree, generation: int, timeout: float) -> KeptKey | None:
    deadline = time.monotonic() + timeout
    while True:
        started = [key for key in active(tree.log_keys()) if key.generation == generation]
        if started or time.monotonic() >= deadline:
            return started[0] if started else None
        time.sleep(0.1)
