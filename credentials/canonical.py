"""RDFC-1.0 canonical N-Quads with pyld, corrected to match the JavaScript verifiers.

pyld 3.3 escapes only \\\\, \\t, \\n, \\r and '"' in literals, silently drops undefined terms and accepts
numbers and IRIs that jsonld.js canonicalises differently or refuses. This module escapes like
rdf-canonize 5 and refuses (DocumentRefused) whatever the JavaScript stack would not sign the same way.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

from credentials.expansion_parts import expand_in_parts
from credentials.loader import ContextNotPinned, document_loader

MAX_SAFE_INTEGER = 2**53
SMALLEST_SAFE_FRACTION = 1e-6
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_LITERAL_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_TO_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# pyld keeps a process-wide cache of resolved contexts (a cachetools LRU) that is not thread-safe: concurrent
# expansions corrupt it (KeyError in popitem). JSON-LD processing is pure Python under the GIL anyway.
_PYLD_LOCK = threading.Lock()


class DocumentRefused(ValueError):
    """Unsafe to sign or verify: JSON-LD safe mode would fail, or Python and JS would disagree."""


def canonicalize(document: dict[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, after the safety checks. The expansion is made
    in parts (credentials/expansion_parts.py: a CLR's embedded credentials and definitions are expanded once)."""
    check_numbers(document)
    expanded = expand_in_parts(document, expand_checked)
    with _PYLD_LOCK:
        dataset = rdf_dataset(expanded)
    return _Rdfc10().canonical_nquads(dataset)


def expand_checked(document: dict[str, Any]) -> list[Any]:
    expanded = expand_safely(document)
    check_iris(expanded)
    return expanded


def rdf_dataset(expanded: list[Any]) -> dict[str, Any]:
    """pyld's `to_rdf` of a document expanded already (`to_rdf` would expand it a second time)."""
    processor = jsonld.JsonLdProcessor()
    issuer = jsonld.IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    processor._create_node_map(expanded, node_map, "@default", issuer)
    options = {"produceGeneralizedRdf": False, "rdfDirection": None, "processingMode": "json-ld-1.1"}
    return {name: processor._graph_to_rdf(graph, issuer, options) for name, graph in sorted(node_map.items())
            if name == "@default" or jsonld._is_absolute_iri(name)}


def canonical_hash(document: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonicalize(document).encode("utf-8")).digest()


def expand_safely(document: dict[str, Any]) -> list[Any]:
    dropped: list[str] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=lambda term: dropped.append(str(term)))
    try:
        with _PYLD_LOCK:
            expanded: list[Any] = processor.expand(document, {"documentLoader": document_loader, "base": None})
    except jsonld.JsonLdError as error:
        raise DocumentRefused(f"JSON-LD expansion failed: {_root_cause(error)}") from error
    if dropped:
        raise DocumentRefused(f"terms not defined by any context (would be dropped, unsigned): {dropped}")
    return expanded


def check_numbers(value: Any, path: tuple[str | int, ...] = ()) -> None:
    """Refuse numbers that jsonld.js canonicalises differently from pyld."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@context":
                check_numbers(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_numbers(item, (*path, index))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
        raise DocumentRefused(f"integer {value} at {list(path)} is beyond 2^53: carry it as a string")
    elif isinstance(value, float):
        _check_float(value, path)


def _check_float(value: float, path: tuple[str | int, ...]) -> None:
    if not math.isfinite(value):
        raise DocumentRefused(f"number {value} at {list(path)} is not finite")
    if value != 0 and not value.is_integer() and abs(value) < SMALLEST_SAFE_FRACTION:
        raise DocumentRefused(f"float {value!r} at {list(path)} canonicalises differently in JavaScript")


def check_iris(expanded: Any) -> None:
    """Every property, @id and @type in the expanded form must be an absolute IRI JavaScript accepts."""
    if isinstance(expanded, list):
        for item in expanded:
            check_iris(item)
        return
    if not isinstance(expanded, dict):
        return
    for key, value in expanded.items():
        if key == "@id":
            _check_iri(value, "@id")
        elif key == "@type" and "@value" in expanded:
            _check_iri(value, "@type")
        elif key == "@type":
            for type_iri in value:
                _check_iri(type_iri, "@type")
        elif key == "@value":
            continue
        elif not key.startswith("@"):
            _check_iri(key, "property")
        check_iris(value)


def _check_iri(iri: Any, role: str) -> None:
    if not isinstance(iri, str) or iri.startswith("_:") or iri == "@json":
        return
    if _IRI_FORBIDDEN.search(iri):
        raise DocumentRefused(f"{role} IRI {iri!r} holds a space or a character IRIs may not contain")
    if not _ABSOLUTE_IRI.match(iri):
        raise DocumentRefused(f"relative {role} reference {iri!r}: no context maps it to an absolute IRI")


def escape_literal(value: str) -> str:
    """RDFC-1.0 literal escaping, as rdf-canonize writes it."""
    return _LITERAL_TO_ESCAPE.sub(_escape_char, value)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _LITERAL_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def serialize_quad(quad: dict[str, Any]) -> str:
    parts = [_term(quad["subject"]), _term(quad["predicate"]), _term(quad["object"])]
    graph = quad.get("name")
    if graph is not None and graph.get("value") not in (None, "@default"):
        parts.append(_term(graph))
    return " ".join(parts) + " .\n"


def _term(term: dict[str, Any]) -> str:
    if term["type"] == "IRI":
        return f"<{term['value']}>"
    if term["type"] == "blank node":
        return str(term["value"])
    literal = f'"{escape_literal(term["value"])}"'
    datatype = term.get("datatype")
    if datatype == RDF_LANGSTRING and term.get("language"):
        return f"{literal}@{term['language']}"
    if datatype and datatype not in (XSD_STRING, RDF_LANGSTRING):
        return f"{literal}^^<{datatype}>"
    return literal


class _Rdfc10(URDNA2015):  # type: ignore[misc]
    """pyld's URDNA2015 with RDFC-1.0 literal escaping in first-degree hashes and in the output."""

    def canonical_nquads(self, dataset: dict[str, Any]) -> str:
        self.main(dataset, {"format": "application/n-quads"})
        return "".join(sorted(serialize_quad(quad) for quad in self.quads))

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            nquads = [serialize_quad(self._first_degree_copy(id_, quad)) for quad in info["quads"]]
            info["hash"] = self.hash_nquads(sorted(nquads))
        return str(info["hash"])

    def _first_degree_copy(self, id_: str, quad: dict[str, Any]) -> dict[str, Any]:
        return {
            key: component if key == "predicate" else self.modify_first_degree_component(id_, component, key)
            for key, component in quad.items()
        }


def _root_cause(error: BaseException) -> str:
    while error.__cause__ is not None or error.__context__ is not None:
        if isinstance(error, ContextNotPinned):
            break
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    details = getattr(error, "details", None)
    return f"{error}" + (f" ({details})" if details else "")
