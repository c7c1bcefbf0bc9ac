"""RFC 6962 hashing and proofs against the published vectors, and every proof of small trees checked both ways."""

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from transparency.merkle import (
    EMPTY_ROOT,
    CompactRange,
    Node,
    ProofError,
    check_consistency,
    check_inclusion,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_of,
    tree_root,
)

VECTORS = json.loads((Path(__file__).parent / "rfc6962_vectors.json").read_text())
LEAVES = [leaf_hash(bytes.fromhex(data)) for data in VECTORS["leaves"]]
ROOTS = [bytes.fromhex(root) for root in VECTORS["roots"]]


class MemoryNodes:
    """Every perfect subtree of a list of leaves, as a store would keep them."""

    def __init__(self, leaves: Sequence[bytes]):
        self.kept = dict(CompactRange().extend(leaves))
        self.reads = 0

    def nodes(self, wanted: Sequence[Node]) -> dict[Node, bytes]:
        self.reads += 1
        return {node: self.kept[node] for node in wanted}


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert EMPTY_ROOT == ROOTS[0] == hashlib.sha256(b"").digest()
    assert root_of([]) == ROOTS[0]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_published_ones(size: int) -> None:
    assert root_of(LEAVES[:size]) == ROOTS[size]
    assert tree_root(MemoryNodes(LEAVES[:size]), size) == ROOTS[size]


@pytest.mark.parametrize("vector", VECTORS["inclusion"])
def test_inclusion_proofs_match_the_published_ones(vector: dict) -> None:
    index, size = vector["index"], vector["size"]
    proof = inclusion_proof(MemoryNodes(LEAVES[:size]), index, size)
    assert [h.hex() for h in proof] == vector["proof"]
    check_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize("vector", VECTORS["consistency"])
def test_consistency_proofs_match_the_published_ones(vector: dict) -> None:
    old, new = vector["old"], vector["new"]
    proof = consistency_proof(MemoryNodes(LEAVES[:new]), old, new)
    assert [h.hex() for h in proof] == vector["proof"]
    check_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def test_every_proof_of_trees_up_to_33_leaves_checks_and_a_changed_one_fails() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(33)]
    store = MemoryNodes(leaves)
    roots = [root_of(leaves[:size]) for size in range(34)]
    for size in range(1, 34):
        for index in range(size):
            proof = inclusion_proof(store, index, size)
            check_inclusion(leaves[index], index, size, proof, roots[size])
            with pytest.raises(ProofError):
                check_inclusion(leaves[(index + 1) % 33], index, size, proof, roots[size])
        for old in range(size + 1):
            proof = consistency_proof(store, old, size)
            check_consistency(old, size, roots[old], roots[size], proof)
            if proof:
                bent = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
                with pytest.raises(ProofError):
                    check_consistency(old, size, roots[old], roots[size], bent)
                with pytest.raises(ProofError):
                    check_consistency(old, size, roots[old], roots[size], proof[:-1])


def test_a_proof_reads_the_store_once() -> None:
    store = MemoryNodes([leaf_hash(bytes([i])) for i in range(100)])
    inclusion_proof(store, 37, 100)
    consistency_proof(store, 37, 100)
    assert store.reads == 2


def test_a_rewritten_history_is_not_consistent_with_the_old_root() -> None:
    rewritten = [*LEAVES[:3], leaf_hash(b"forged"), *LEAVES[4:]]
    proof = consistency_proof(MemoryNodes(rewritten), 5, 8)
    with pytest.raises(ProofError):
        check_consistency(5, 8, ROOTS[5], root_of(rewritten), proof)


@pytest.mark.parametrize(("index", "size"), [(8, 8), (-1, 8), (0, 0)])
def test_proofs_of_leaves_outside_the_tree_are_refused(index: int, size: int) -> None:
    with pytest.raises(ProofError):
        inclusion_proof(MemoryNodes(LEAVES), index, size)


def test_a_compact_range_rebuilt_from_its_edge_continues_the_same_tree() -> None:
    whole = CompactRange()
    kept = dict(whole.extend(LEAVES[:5]))
    resumed = CompactRange(5, [kept[node] for node in CompactRange.edge_nodes(5)])
    resumed.extend(LEAVES[5:])
    assert resumed.root() == ROOTS[8]
