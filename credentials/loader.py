"""Offline JSON-LD document loader: serves only the pinned contexts listed in contexts/index.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CONTEXTS_DIR = Path(__file__).parent / "contexts"


class ContextNotPinned(Exception):
    """A document referenced a context URL that is not vendored in contexts/index.json."""


@cache
def pinned_context_files() -> dict[str, str]:
    index = json.loads((CONTEXTS_DIR / "index.json").read_text(encoding="utf-8"))
    return dict(index["contexts"])


@cache
def load_context(url: str) -> dict[str, Any]:
    file_name = pinned_context_files().get(url)
    if file_name is None:
        raise ContextNotPinned(f"JSON-LD context not pinned (no network access, no injection): {url!r}")
    document: dict[str, Any] = json.loads((CONTEXTS_DIR / file_name).read_text(encoding="utf-8"))
    return document


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: pinned contexts only; any other URL raises ContextNotPinned. A pinned context never
    changes, so it is tagged static: pyld then keeps it resolved (and its processed forms) for the whole process,
    where it would otherwise fetch and re-key it (a canonical JSON of the whole context) in every expansion."""
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url), "tag": "static"}
