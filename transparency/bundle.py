"""A verification bundle: a signed checkpoint and, for each fact a view rests on, its leaf bytes and inclusion
proof, so that whoever was shown the view can check offline that those facts are in the log's history.

    {"origin": ..., "verifier_key": ..., "checkpoint": <signed note>,
     "facts": [{"position": p, "leaf_index": i, "leaf": base64, "proof": [base64, ...]}, ...]}
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from transparency.leaves import StoredFact
from transparency.merkle import ProofError, check_inclusion, leaf_hash
from transparency.notes import Verifier, open_checkpoint


@dataclass(frozen=True)
class ProvenFact:
    leaf_index: int
    fact: StoredFact


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(f"not base64: {text[:20]!r}") from None


def check_bundle(bundle: dict[str, Any], verifier: Verifier) -> list[ProvenFact]:
    """Each fact of the bundle, once its checkpoint's signature and its inclusion proof check; else ProofError
    (or NoteError for the checkpoint)."""
    checkpoint = open_checkpoint(bundle["checkpoint"], verifier)
    proven: list[ProvenFact] = []
    for item in bundle["facts"]:
        leaf = unb64(item["leaf"])
        fact = StoredFact.from_leaf(leaf)
        if fact.position != item["position"]:
            raise ProofError(f"the leaf of position {item['position']} names position {fact.position}")
        index = int(item["leaf_index"])
        check_inclusion(leaf_hash(leaf), index, checkpoint.size, [unb64(h) for h in item["proof"]], checkpoint.root)
        proven.append(ProvenFact(index, fact))
    return proven
