"""RDFC-1.0 (URDNA2015) canonical N-Quads of quads held as tuples of N-Quads terms: pyld's algorithm (its N-degree
hashing and permutations are used as they are), without its per-quad dicts and deep copies. Literals are escaped as
rdf-canonize 5 escapes them. tests/vc/test_nquads.py compares the output with pyld's, byte for byte."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
BLANK = "_:"

Quad = tuple[str, str, str, str]  # subject, predicate, object, graph ("" for the default graph), as N-Quads writes them

_LITERAL_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_TO_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def escape_literal(value: str) -> str:
    """RDFC-1.0 literal escaping, as rdf-canonize writes it."""
    return _LITERAL_TO_ESCAPE.sub(_escape_char, value)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _LITERAL_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def term(component: dict[str, Any]) -> str:
    """One of pyld's RDF terms as N-Quads writes it."""
    if component["type"] == "IRI":
        return f"<{component['value']}>"
    if component["type"] == "blank node":
        return str(component["value"])
    literal = f'"{escape_literal(component["value"])}"'
    datatype = component.get("datatype")
    if datatype == RDF_LANGSTRING and component.get("language"):
        return f"{literal}@{component['language']}"
    if datatype and datatype not in (XSD_STRING, RDF_LANGSTRING):
        return f"{literal}^^<{datatype}>"
    return literal


def serialize_quad(quad: dict[str, Any]) -> str:
    graph = quad.get("name")
    name = "" if graph is None or graph.get("value") in (None, "@default") else term(graph)
    return line((term(quad["subject"]), term(quad["predicate"]), term(quad["object"]), name))


def line(quad: Quad) -> str:
    subject, predicate, obj, graph = quad
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


def dataset_quads(dataset: dict[str, list[dict[str, Any]]]) -> list[Quad]:
    """pyld's RDF dataset (graph name: triples) as quads."""
    quads = []
    for name, triples in dataset.items():
        graph = "" if name == "@default" else (name if name.startswith(BLANK) else f"<{name}>")
        for triple in triples:
            quads.append((term(triple["subject"]), term(triple["predicate"]), term(triple["object"]), graph))
    return quads


def canonical_nquads(quads: Iterable[Quad]) -> str:
    """The canonical N-Quads of `quads` (a set: no quad twice)."""
    return _Canonicaliser().canonical(list(quads))


class _Canonicaliser(URDNA2015):  # type: ignore[misc]
    def canonical(self, quads: list[Quad]) -> str:
        for quad in quads:
            for position in (0, 2, 3):
                if quad[position].startswith(BLANK):
                    self.blank_node_info.setdefault(quad[position], {"quads": []})["quads"].append(quad)
        self._issue_unique(set(self.blank_node_info))
        for _, nodes in sorted(self.hash_to_blank_nodes.items()):
            self._issue_by_paths(nodes)
        labels: dict[str, str] = self.canonical_issuer.existing
        return "".join(sorted(line(_relabelled(quad, labels)) for quad in quads))

    def _issue_unique(self, unlabelled: set[str]) -> None:
        """Labels for the blank nodes whose first-degree hash no other has, in the order of their hashes."""
        simple = True
        while simple:
            simple = False
            self.hash_to_blank_nodes: dict[str, list[str]] = {}
            for node in unlabelled:
                self.hash_to_blank_nodes.setdefault(self.hash_first_degree_quads(node), []).append(node)
            for digest, nodes in sorted(self.hash_to_blank_nodes.items()):
                if len(nodes) > 1:
                    continue
                self.canonical_issuer.get_id(nodes[0])
                unlabelled.remove(nodes[0])
                del self.hash_to_blank_nodes[digest]
                simple = True

    def _issue_by_paths(self, nodes: list[str]) -> None:
        """Labels for blank nodes that share a first-degree hash, by their N-degree hashes."""
        paths = []
        for node in nodes:
            if self.canonical_issuer.has_id(node):
                continue
            issuer = IdentifierIssuer("_:b")
            issuer.get_id(node)
            paths.append(self.hash_n_degree_quads(node, issuer))
        for result in sorted(paths, key=lambda found: found["hash"]):
            for existing in result["issuer"].order:
                self.canonical_issuer.get_id(existing)

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            info["hash"] = first_degree_hash(id_, info["quads"])
        return str(info["hash"])

    def create_hash_to_related(self, id_: str, issuer: IdentifierIssuer) -> dict[str, list[str]]:
        related: dict[str, list[str]] = {}
        for quad in self.blank_node_info[id_]["quads"]:
            for position, name in ((0, "s"), (2, "o"), (3, "g")):
                node = quad[position]
                if node.startswith(BLANK) and node != id_:
                    related.setdefault(self.hash_related_blank_node(node, quad, issuer, name), []).append(node)
        return related

    def get_related_predicate(self, quad: Quad) -> str:
        return quad[1]


def first_degree_hash(node: str, quads: Iterable[Quad]) -> str:
    lines = sorted(line(_first_degree(quad, node)) for quad in quads)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _first_degree(quad: Quad, node: str) -> Quad:
    subject, predicate, obj, graph = quad
    return (_a_or_z(subject, node), predicate, _a_or_z(obj, node), _a_or_z(graph, node))


def _a_or_z(value: str, node: str) -> str:
    if not value.startswith(BLANK):
        return value
    return "_:a" if value == node else "_:z"


def _relabelled(quad: Quad, labels: dict[str, str]) -> Quad:
    subject, predicate, obj, graph = quad
    return (labels.get(subject, subject), predicate, labels.get(obj, obj), labels.get(graph, graph))
