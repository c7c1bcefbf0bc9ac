"""RFC 6962 / RFC 9162 Merkle tree hashing (SHA-256, leaf prefix 0x00, node prefix 0x01), proofs and their checks.

A tree is read through its perfect subtrees: node (level, index) is the hash of leaves [index * 2**level,
(index + 1) * 2**level). Every hash a proof needs is the hash of a range that splits into a few perfect subtrees
(`perfect_cover`), so a store keeping each perfect subtree's hash answers any proof with O(log n) lookups, in one
read (`NodeSource.nodes`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [lo, hi)
EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32


class ProofError(ValueError):
    """A proof does not check out, or was asked for sizes or indexes the tree does not have."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than `size` (size >= 2): where RFC 6962 splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


def perfect_cover(lo: int, hi: int) -> list[Node]:
    """The perfect subtrees, largest first, whose right fold is the hash of leaves [lo, hi). `lo` is aligned to the
    largest of them, as it is for every range RFC 6962's recursion produces."""
    cover: list[Node] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo % (1 << level):
            raise ValueError(f"range [{lo}, {hi}) is not aligned for RFC 6962 splitting")
        cover.append((level, lo >> level))
        lo += 1 << level
    return cover


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its perfect cover's hashes (largest first)."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes make the inclusion proof of leaf `index` in a tree of `size`, leaf side first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The ranges whose hashes make the consistency proof from tree size `old` to `new` (RFC 9162 2.1.4)."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    ranges: list[Range] = []
    lo, hi, whole = 0, new, True
    while old != hi:
        k = split_point(hi - lo)
        if old <= lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, whole = lo + k, False
    if not whole:
        ranges.append((lo, hi))
    return ranges[::-1]


class NodeSource(Protocol):
    def nodes(self, wanted: Sequence[Node]) -> dict[Node, bytes]:
        """The hashes of perfect subtrees, by (level, index); each one asked for must exist."""
        ...


def range_hashes(source: NodeSource, ranges: Sequence[Range]) -> list[bytes]:
    covers = [perfect_cover(lo, hi) for lo, hi in ranges]
    found = source.nodes(list(dict.fromkeys(node for cover in covers for node in cover)))
    return [fold([found[node] for node in cover]) for cover in covers]


def tree_root(source: NodeSource, size: int) -> bytes:
    return range_hashes(source, [(0, size)])[0] if size else EMPTY_ROOT


def inclusion_proof(source: NodeSource, index: int, size: int) -> list[bytes]:
    return range_hashes(source, inclusion_ranges(index, size))


def consistency_proof(source: NodeSource, old: int, new: int) -> list[bytes]:
    return range_hashes(source, consistency_ranges(old, new))


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of a whole list of leaf hashes (for tests and for an auditor recomputing a tree)."""
    tree = CompactRange()
    tree.extend(leaf_hashes)
    return tree.root()


class CompactRange:
    """The right edge of a growing tree: one perfect subtree hash per set bit of its size. Appending a leaf
    completes zero or more perfect subtrees, returned so a store can keep them."""

    def __init__(self, size: int = 0, edge: Sequence[bytes] = ()):
        if len(edge) != bin(size).count("1"):
            raise ValueError(f"a tree of size {size} has {bin(size).count('1')} edge hashes, not {len(edge)}")
        self.size = size
        self.edge = list(edge)

    @classmethod
    def edge_nodes(cls, size: int) -> list[Node]:
        return perfect_cover(0, size)

    def append(self, leaf: bytes) -> list[tuple[Node, bytes]]:
        """Add a leaf hash; the perfect subtrees it completes, the leaf itself first."""
        index = self.size
        made: list[tuple[Node, bytes]] = [((0, index), leaf)]
        current, level = leaf, 0
        while (index >> level) & 1:
            current = node_hash(self.edge.pop(), current)
            level += 1
            made.append(((level, index >> level), current))
        self.edge.append(current)
        self.size += 1
        return made

    def extend(self, leaves: Iterable[bytes]) -> list[tuple[Node, bytes]]:
        return [made for leaf in leaves for made in self.append(leaf)]

    def root(self) -> bytes:
        return fold(self.edge) if self.edge else EMPTY_ROOT


def _chained(seed: bytes, path: Iterable[tuple[bool, bytes]]) -> bytes:
    for sibling_is_left, sibling in path:
        seed = node_hash(sibling, seed) if sibling_is_left else node_hash(seed, sibling)
    return seed


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to from a leaf hash: each proof hash is a sibling range, on the left when
    it ends at or before the leaf."""
    ranges = inclusion_ranges(index, size)
    if len(proof) != len(ranges):
        raise ProofError(f"an inclusion proof for leaf {index} of {size} has {len(ranges)} hashes, not {len(proof)}")
    return _chained(leaf, [(hi <= index, sibling) for (_lo, hi), sibling in zip(ranges, proof, strict=True)])


def check_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    if root_from_inclusion(leaf, index, size, proof) != root:
        raise ProofError(f"leaf {index} is not included in the tree of size {size} with that root")


def check_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 2.1.4.2: the tree of size `new` extends the tree of size `old`, or ProofError."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency from size {old} to size {new}")
    if old == new or old == 0:
        if proof:
            raise ProofError("a consistency proof between these sizes is empty")
        if old == new and old_root != new_root:
            raise ProofError(f"two different roots for the same size {old}")
        return
    if len(proof) != len(consistency_ranges(old, new)):
        raise ProofError(f"a consistency proof from {old} to {new} has {len(consistency_ranges(old, new))} hashes")
    hashes = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is itself the first node of the path
        hashes.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = hashes[0]
    for sibling in hashes[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the trees call for")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(sibling, fr), node_hash(sibling, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise ProofError(f"the tree of size {new} is not an extension of the tree of size {old}")
