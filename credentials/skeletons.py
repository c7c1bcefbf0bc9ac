"""A CLR's skeleton (its document with the embedded items as placeholders) differs from one signing to the next in
its `id` (the learner's position) and `validFrom` only: its quads are made once per template, where those two are
marks, and the values are written into the marked terms. Only values whose expansion cannot depend on them: an
`http(s)://` IRI (kept as it is by IRI expansion, as the mark is) and an xsd:dateTime literal; only when the
skeleton holds neither mark itself (so every mark in the quads stands for the value); and only when each mark comes
out as whole terms of the expected kind. Otherwise the skeleton's quads are made from it directly."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import orjson

from credentials.expansion_parts import Json
from credentials.lru import Lru
from credentials.nquads import Quad

ID_MARK = "https://x-ler-mark.invalid/id"
MOMENT_MARK = "1970-01-01T00:00:00Z"
_IRI = re.compile(r'^https?://[^\x00-\x20<>"{}|^`\\]+$')
_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
TEMPLATES_KEPT = 64

KEPT = Lru(TEMPLATES_KEPT)
Make = Callable[[Json], list[Quad] | None]


def skeleton_quads(skeleton: Json, make: Make) -> list[Quad] | None:
    """`make(skeleton)`, from the kept quads of its template when it has one."""
    marks: dict[str, str] = {}
    if isinstance(skeleton.get("id"), str) and _IRI.match(skeleton["id"]):
        marks[f"<{ID_MARK}>"] = f"<{skeleton['id']}>"
    if isinstance(skeleton.get("validFrom"), str) and _MOMENT.match(skeleton["validFrom"]):
        marks[f'"{MOMENT_MARK}"^^'] = f'"{skeleton["validFrom"]}"^^'
    dumped = orjson.dumps(skeleton)
    if not marks or ID_MARK.encode() in dumped or MOMENT_MARK.encode() in dumped:
        return make(skeleton)
    template = {**skeleton, **({"id": ID_MARK} if f"<{ID_MARK}>" in marks else {}),
                **({"validFrom": MOMENT_MARK} if f'"{MOMENT_MARK}"^^' in marks else {})}
    key = hashlib.sha256(orjson.dumps(template, option=orjson.OPT_SORT_KEYS)).digest()
    quads: list[Quad] | None = KEPT.get(key)
    if quads is None:
        quads = make(template)
        if quads is None:
            return None
        KEPT.put(key, quads)
    written = _written(quads, marks)
    return make(skeleton) if written is None else written


def _written(quads: list[Quad], marks: dict[str, str]) -> list[Quad] | None:
    """The quads with each mark's value written in; None unless every mark is found, and only as whole terms."""
    found = dict.fromkeys(marks, 0)
    written = []
    for quad in quads:
        terms = []
        for term in quad:
            for mark, value in marks.items():
                if mark in term:
                    if not (term == mark or (mark.endswith("^^") and term.startswith(mark))):
                        return None
                    found[mark] += 1
                    term = value + term[len(mark):]
            terms.append(term)
        written.append((terms[0], terms[1], terms[2], terms[3]))
    return written if all(found.values()) else None
