"""JSON-LD expansion of a credential in parts: the items of its subject's lists (a CLR's embedded credentials and
achievement definitions) are expanded once and kept, the rest of the document each time.

An item's expansion depends only on the item and on the active context where it stands: the document's @context,
the document's and the subject's types (type-scoped contexts) and the property holding it (property-scoped ones).
So each item is expanded in a probe document that keeps exactly those (the same @context, the same types, the item
alone under the same property) and taken out of the probe's expansion; the document itself is expanded with each
item replaced by a placeholder node, which is then swapped for the item's expansion. Whenever the shapes are not the
expected ones, the whole document is expanded instead. tests/vc/test_expansion_parts.py checks the result equals a
whole expansion."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson

from credentials.lru import Lru

Json = dict[str, Any]
Expand = Callable[[Json], list[Any]]
PARTS_KEPT = 2048
PLACEHOLDER = "urn:x-ler-part:"
TYPE_KEYS = ("type", "@type")


class _Kept:
    """Expanded parts by key, kept as orjson bytes so each use gets its own copy."""

    def __init__(self, size: int = PARTS_KEPT):
        self.lru = Lru(size)

    def get(self, key: bytes) -> Any:
        found = self.lru.get(key)
        return None if found is None else orjson.loads(found)

    def put(self, key: bytes, value: Any) -> None:
        self.lru.put(key, orjson.dumps(value))


KEPT = _Kept()


def expand_in_parts(document: Json, expand: Expand) -> list[Any]:
    """`expand(document)`, with the subject's list items expanded once each (see the module's docstring)."""
    split = expand_split(document, expand)
    if split is None:
        return expand(document)
    skeleton, parts = split
    _swap(skeleton, [part for _, part in parts])
    return skeleton


def expand_split(document: Json, expand: Expand) -> tuple[list[Any], list[tuple[bytes, Any]]] | None:
    """The document expanded with each of its subject's list items as a reference to a placeholder node
    (`{"@id": PLACEHOLDER + n}`), and the items' expansions with their keys; None when there are no such items or
    their shapes are not the expected ones."""
    split = split_parts(document, expand)
    if split is None:
        return None
    skeleton = expand_skeleton(split[0], len(split[1]), expand)
    return None if skeleton is None else (skeleton, split[1])


def expand_skeleton(skeleton: Json, count: int, expand: Expand) -> list[Any] | None:
    """The skeleton (the document with its items as placeholders) expanded, each placeholder a bare reference."""
    expanded = expand(skeleton)
    return expanded if _mark(expanded, count) == count else None


def split_parts(document: Json, expand: Expand) -> tuple[Json, list[tuple[bytes, Any]]] | None:
    """The skeleton, and the expansions of the items it holds placeholders for, with their keys."""
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        return None
    slots = [name for name, value in subject.items()
             if isinstance(value, list) and value and all(isinstance(item, dict) for item in value)]
    if not slots:
        return None
    parts: list[tuple[bytes, Any]] = []
    skeleton_subject = dict(subject)
    for name in slots:
        placeholders = []
        for item in subject[name]:
            part = _part(document, subject, name, item, expand)
            if part is None:
                return None
            placeholders.append({"id": f"{PLACEHOLDER}{len(parts)}"})
            parts.append(part)
        skeleton_subject[name] = placeholders
    return {**document, "credentialSubject": skeleton_subject}, parts


def _frame(document: Json, subject: Json) -> Json:
    """What an item's expansion depends on besides the item: the @context and the types above it."""
    frame: Json = {"@context": document.get("@context")}
    frame.update({key: document[key] for key in TYPE_KEYS if key in document})
    frame["credentialSubject"] = {key: subject[key] for key in TYPE_KEYS if key in subject}
    return frame


def _part(document: Json, subject: Json, name: str, item: Json, expand: Expand) -> tuple[bytes, Any] | None:
    frame = _frame(document, subject)
    key = hashlib.sha256(orjson.dumps([frame, name, item], option=orjson.OPT_SORT_KEYS)).digest()
    kept = KEPT.get(key)
    if kept is not None:
        return key, kept
    frame["credentialSubject"][name] = [item]
    part = _only_item(expand(frame))
    if part is None:
        return None
    KEPT.put(key, part)
    return key, part


def _only_item(expanded: list[Any]) -> Any:
    """The one item below the one subject below the one document of a probe's expansion (None if it is not so)."""
    node: Any = expanded
    for _ in range(2):
        if not (isinstance(node, list) and len(node) == 1 and isinstance(node[0], dict)):
            return None
        values = [value for key, value in node[0].items() if key != "@type"]
        if len(values) != 1:
            return None
        node = values[0]
    if not (isinstance(node, list) and len(node) == 1) or "@list" in node[0]:
        return None
    return node[0]


def _placeholder_index(element: Any) -> int | None:
    if not isinstance(element, dict) or len(element) != 1:
        return None
    if "@graph" in element and isinstance(element["@graph"], list) and len(element["@graph"]) == 1:
        element = element["@graph"][0]
        if not isinstance(element, dict) or len(element) != 1:
            return None
    found = element.get("@id")
    if isinstance(found, str) and found.startswith(PLACEHOLDER):
        return int(found.removeprefix(PLACEHOLDER))
    return None


def _mark(expanded: Any, count: int) -> int:
    """Replace every placeholder element (a node, or a graph holding one) by a bare reference to its node; how many."""
    marked = 0
    if isinstance(expanded, list):
        for index, element in enumerate(expanded):
            found = _placeholder_index(element)
            if found is not None and found < count:
                expanded[index] = {"@id": f"{PLACEHOLDER}{found}"}
                marked += 1
            else:
                marked += _mark(element, count)
    elif isinstance(expanded, dict):
        for value in expanded.values():
            marked += _mark(value, count)
    return marked


def _swap(expanded: Any, parts: list[Any]) -> None:
    """Replace every placeholder reference in the marked skeleton by its part."""
    if isinstance(expanded, list):
        for index, element in enumerate(expanded):
            found = _placeholder_index(element)
            if found is not None:
                expanded[index] = parts[found]
            else:
                _swap(element, parts)
    elif isinstance(expanded, dict):
        for value in expanded.values():
            _swap(value, parts)
