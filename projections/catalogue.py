"""The catalogue a learner view reads: providers, achievements and employers as they stood at the view's position.
Entries are the projection's catalogue documents (projections/facts.py `apply_catalogue`)."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

Json = dict[str, Any]


class Catalogue(Protocol):
    def provider(self, provider_id: str) -> Json | None: ...

    def achievement(self, achievement_id: str) -> Json | None: ...

    def employer(self, employer_id: str) -> Json | None: ...


class DictCatalogue:
    """A catalogue held in memory: (kind, id) -> entry."""

    def __init__(self, entries: dict[tuple[str, str], Json | None] | None = None):
        self.entries = entries or {}

    def provider(self, provider_id: str) -> Json | None:
        return self.entries.get(("provider", provider_id))

    def achievement(self, achievement_id: str) -> Json | None:
        return self.entries.get(("achievement", achievement_id))

    def employer(self, employer_id: str) -> Json | None:
        return self.entries.get(("employer", employer_id))


def entry_name(entry: Json | None, default: str = "unknown") -> str:
    if entry is None:
        return default
    return str(entry.get("name") or entry.get("spec", {}).get("name") or default)


def achievement_name(catalogue: Catalogue, achievement_id: UUID, default: str = "unknown") -> str:
    return entry_name(catalogue.achievement(str(achievement_id)), default)


def provider_registered(provider: Json | None) -> bool:
    """Only a registered provider's evidence is verified."""
    return provider is not None and bool(provider.get("registered"))


def actor_name(actor: str, catalogue: Catalogue) -> str:
    kind, _, actor_id = actor.partition(":")
    if kind == "provider":
        return entry_name(catalogue.provider(actor_id))
    if kind == "employer":
        return entry_name(catalogue.employer(actor_id))
    return kind
