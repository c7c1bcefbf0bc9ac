"""RDFC-1.0 canonical N-Quads with pyld, corrected to match the JavaScript verifiers.

pyld 3.3 escapes only \\\\, \\t, \\n, \\r and '"' in literals, silently drops undefined terms and accepts
numbers and IRIs that jsonld.js canonicalises differently or refuses. This module escapes like
rdf-canonize 5 and refuses (DocumentRefused) whatever the JavaScript stack would not sign the same way.
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any

from pyld import jsonld

from credentials.loader import ContextNotPinned, document_loader
from credentials.nquads import Quad, canonical_nquads, dataset_quads
from credentials.rdf_parts import quads_in_parts

MAX_SAFE_INTEGER = 2**53
SMALLEST_SAFE_FRACTION = 1e-6
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


# pyld keeps a process-wide cache of resolved contexts (a cachetools LRU) that is not thread-safe: concurrent
# expansions corrupt it (KeyError in popitem). JSON-LD processing is pure Python under the GIL anyway.
_PYLD_LOCK = threading.Lock()


class DocumentRefused(ValueError):
    """Unsafe to sign or verify: JSON-LD safe mode would fail, or Python and JS would disagree."""


def canonicalize(document: dict[str, Any]) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, after the safety checks. The expansion and the
    RDF are made in parts (credentials/rdf_parts.py: a CLR's embedded credentials and definitions once), and
    canonicalised as tuples of terms (credentials/nquads.py)."""
    check_numbers(document)
    quads: list[Quad] | None = quads_in_parts(document, expand_checked, _dataset)
    if quads is None:
        quads = dataset_quads(_dataset(expand_checked(document)))
    return canonical_nquads(quads)


def _dataset(expanded: list[Any]) -> dict[str, Any]:
    with _PYLD_LOCK:
        return rdf_dataset(expanded)


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


def _root_cause(error: BaseException) -> str:
    while error.__cause__ is not None or error.__context__ is not None:
        if isinstance(error, ContextNotPinned):
            break
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    details = getattr(error, "details", None)
    return f"{error}" + (f" ({details})" if details else "")
