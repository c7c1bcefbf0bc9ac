"""What the HTTP API serves of the transparency log: checkpoints, the verifier key, proofs from the tree, the leaf
bytes of stored events (read from the event store itself, so that an auditor compares the two), and bundles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from application.ledger import Ledger
from domain.errors import InvalidValue, NotFound
from projections.transparency_log import KeptCheckpoint, LogTree
from transparency.bundle import b64
from transparency.merkle import consistency_proof, inclusion_proof
from transparency.notes import Verifier
from wiring.log_keys import LogKeys
from wiring.log_runner import open_tree, stored_fact
from wiring.settings import Settings

MAX_LEAVES_PAGE = 1000
MAX_BUNDLE_FACTS = 2000


class OutOfRange(InvalidValue):
    code = "proof-out-of-range"


@dataclass
class TransparencyLog:
    tree: LogTree
    ledger: Ledger
    keys: LogKeys

    @classmethod
    def open(cls, settings: Settings, ledger: Ledger) -> TransparencyLog:
        return cls(open_tree(settings), ledger, LogKeys(settings))

    @property
    def verifier(self) -> Verifier:
        """The key that signs the checkpoints now (the last one a transition checkpoint started)."""
        return self.keys.current(self.tree.log_keys())

    def key_history(self) -> dict[str, Any]:
        return {"origin": self.keys.origin, "keys": self.keys.history(self.tree.log_keys())}

    def close(self) -> None:
        self.tree.close()

    def checkpoint(self, size: int | None = None) -> KeptCheckpoint:
        kept = self.tree.checkpoint(size)
        if kept is None:
            raise NotFound("no checkpoint yet" if size is None else f"no checkpoint of size {size} was kept")
        return kept

    def _size(self, size: int | None) -> int:
        return self.checkpoint().size if size is None else size

    def inclusion(self, position: int | None, size: int | None, index: int | None = None,
                  with_leaf: bool = False) -> dict[str, Any]:
        """The proof for the leaf of a position (or of a leaf index); the leaf bytes only `with_leaf`."""
        if (position is None) == (index is None):
            raise InvalidValue("ask for a position or for a leaf index, not both")
        if position is None:
            position = self.tree.position_of(index or 0)
            if position is None:
                raise NotFound(f"leaf {index} is not (yet) in the log's tree")
        index = self.tree.leaf_index(position)
        if index is None:
            raise NotFound(f"position {position} is not (yet) in the log's tree")
        size = self._size(size)
        if not index < size <= self.tree.size():
            raise OutOfRange(f"position {position} is leaf {index}: ask for a size above it, at most "
                             f"{self.tree.size()}")
        leaf = self.leaf_bytes([position]).get(position) if with_leaf else None
        return {"position": position, "leaf_index": index, "tree_size": size,
                "leaf_hash": b64(self.tree.nodes([(0, index)])[(0, index)]),
                "leaf": None if leaf is None else b64(leaf),
                "proof": [b64(h) for h in inclusion_proof(self.tree, index, size)]}

    def consistency(self, old: int, new: int) -> dict[str, Any]:
        if not 0 <= old <= new <= self.tree.size():
            raise OutOfRange(f"a consistency proof goes from a size to a larger one, at most {self.tree.size()}")
        return {"from": old, "to": new, "proof": [b64(h) for h in consistency_proof(self.tree, old, new)]}

    def leaves(self, after: int, limit: int) -> dict[str, Any]:
        notifications = self.ledger.recorder.select_notifications(start=after + 1, limit=min(limit, MAX_LEAVES_PAGE))
        leaves = [{"position": n.id, "leaf": b64(stored_fact(n).leaf_bytes())} for n in notifications]
        return {"leaves": leaves, "next_after": leaves[-1]["position"] if leaves else None}

    def leaf_bytes(self, positions: Sequence[int]) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        for position in positions:
            for n in self.ledger.recorder.select_notifications(start=position, limit=1):
                if n.id == position:
                    found[position] = stored_fact(n).leaf_bytes()
        return found

    def bundle(self, positions: Sequence[int]) -> dict[str, Any]:
        """The latest checkpoint and, for each position it covers, the leaf and its inclusion proof."""
        checkpoint = self.checkpoint()
        indexes = self.tree.leaf_indexes(sorted(set(positions))[:MAX_BUNDLE_FACTS])
        covered = {p: i for p, i in indexes.items() if i < checkpoint.size}
        leaves = self.leaf_bytes(sorted(covered))
        facts = [{"position": p, "leaf_index": i, "leaf": b64(leaves[p]) if p in leaves else None,
                  "proof": [b64(h) for h in inclusion_proof(self.tree, i, checkpoint.size)]}
                 for p, i in sorted(covered.items())]
        verifier = self.keys.for_size(self.tree.log_keys(), checkpoint.size)
        return {"origin": verifier.name, "verifier_key": verifier.text(), "tree_size": checkpoint.size,
                "checkpoint": checkpoint.note, "facts": facts,
                "not_yet_covered": sorted(set(positions) - set(covered))}
