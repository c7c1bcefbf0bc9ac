"""The RDF quads of a document expanded in parts (credentials/expansion_parts.py): each part's quads are made once
and kept, the skeleton's each time.

The skeleton refers to each part by a placeholder node; its quads hold that placeholder's IRI where the part's own
term belongs (the part's @id, or the blank node of its node or graph). A dataset is a set of quads: nodes of the same
@id in the default graph merge into the union of their quads, and blank nodes are never shared between the skeleton
and a part, so the document's dataset is the skeleton's quads with each placeholder replaced by its part's term,
joined by the parts' quads (each part's blank nodes labelled apart). tests/vc/test_rdf_parts.py compares the
canonical form with pyld's over the whole document."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from credentials.expansion_parts import PLACEHOLDER, Expand, Json, expand_skeleton, split_parts
from credentials.lru import Lru
from credentials.nquads import BLANK, Quad, dataset_quads
from credentials.skeletons import skeleton_quads

Dataset = Callable[[list[Any]], dict[str, Any]]
LINK = "urn:x-ler-link"
PART_QUADS_KEPT = 1024


@dataclass(frozen=True)
class PartQuads:
    term: str  # how the document refers to the part
    quads: tuple[Quad, ...]  # its blank nodes labelled `_:k<serial>b…`, apart from every other part's


KEPT = Lru(PART_QUADS_KEPT)
_SERIALS = itertools.count()


def quads_in_parts(document: Json, expand: Expand, dataset: Dataset) -> list[Quad] | None:
    """The document's quads (each once), or None when it does not split into parts (expansion_parts)."""
    split = split_parts(document, expand)
    if split is None:
        return None
    skeleton, parts = split
    terms: dict[str, str] = {}
    quads: dict[Quad, None] = {}
    seen: set[bytes] = set()
    for number, (key, part) in enumerate(parts):
        made = _part_quads(key, part, dataset)
        if made is None:
            return None
        if key in seen:  # the same part twice: its second copy's blank nodes are other nodes
            made = _labelled_apart(made, f"_:p{number}")
        seen.add(key)
        terms[f"<{PLACEHOLDER}{number}>"] = made.term
        quads.update(dict.fromkeys(made.quads))
    replaced = 0
    own = skeleton_quads(skeleton, lambda template: _quads(expand_skeleton(template, len(parts), expand), dataset))
    if own is None:
        return None
    for subject, predicate, obj, graph in own:
        if obj in terms:
            obj = terms[obj]
            replaced += 1
        if subject in terms or graph in terms:
            return None
        quads[(subject, predicate, obj, graph)] = None
    return list(quads) if replaced == len(parts) else None


def _quads(expanded: list[Any] | None, dataset: Dataset) -> list[Quad] | None:
    return None if expanded is None else dataset_quads(dataset(expanded))


def _part_quads(key: bytes, part: Any, dataset: Dataset) -> PartQuads | None:
    """The part's quads and its term, found as the object of a link to it from a node of its own."""
    kept: PartQuads | None = KEPT.get(key)
    if kept is not None:
        return kept
    quads = dataset_quads(dataset([{"@id": LINK, LINK: [part]}]))
    link = f"<{LINK}>"
    links = [quad for quad in quads if link in (quad[0], quad[1], quad[3])]
    if len(links) != 1 or links[0][:2] != (link, link) or links[0][3]:
        return None
    made = _labelled_apart(PartQuads(links[0][2], tuple(quad for quad in quads if quad is not links[0])),
                           f"_:k{next(_SERIALS)}")
    KEPT.put(key, made)
    return made


def _labelled_apart(part: PartQuads, prefix: str) -> PartQuads:
    """The part with its blank nodes (`_:b…`, as pyld labels them) relabelled `<prefix>b…`."""
    def label(term: str) -> str:
        return prefix + term[2:] if term.startswith(BLANK) else term

    return PartQuads(label(part.term), tuple((label(s), p, label(o), label(g)) for s, p, o, g in part.quads))
