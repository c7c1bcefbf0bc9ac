"""The catalogue a learner view reads: providers, achievements and employers as they stood at the view's position.
Entries are the projection's catalogue documents (projections/facts.py `apply_catalogue`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from domain.achievement import AchievementSpec
from domain.values import AchievementType, CreditRule, LevelFramework, Skill

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


def achievement_spec(entry: Json) -> AchievementSpec:
    """An achievement's definition as the provider stated it (the catalogue keeps it as plain JSON)."""
    spec = entry["spec"]
    return AchievementSpec(
        achievement_type=AchievementType(spec["achievement_type"]), name=spec["name"],
        description=spec["description"], criteria=spec["criteria"],
        learning_outcomes=tuple(spec.get("learning_outcomes") or ()),
        skills=tuple(Skill(s["url"], s["name"], s["framework"], s.get("code") or "") for s in spec["skills"]),
        credits=_decimal(spec.get("credits")), hours=_decimal(spec.get("hours")), level=spec.get("level"),
        level_framework=LevelFramework(spec["level_framework"]) if spec.get("level_framework") else None,
        review_date=date.fromisoformat(spec["review_date"]) if spec.get("review_date") else None,
        credit_rules=tuple(CreditRule(
            label=r["label"], accepts=tuple(AchievementType(a) for a in r["accepts"]),
            max_credits=Decimal(r["max_credits"]), from_provider_id=r["from_provider_id"] or "",
            accepts_rpl=bool(r["accepts_rpl"])) for r in spec.get("credit_rules") or ()),
        stacks_into=tuple(UUID(q) for q in spec.get("stacks_into") or ()),
    )


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


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


class CatalogueRows(Protocol):
    def catalogue_entry(self, cursor: Any, kind: str, entry_id: str, position: int | None) -> Json | None: ...

    def catalogue_entries_of(self, cursor: Any, keys: list[tuple[str, str]],
                             position: int | None) -> dict[tuple[str, str], Json | None]: ...


class CursorCatalogue:
    """The catalogue as it stood at a position (or now), read through one cursor, memoised per read."""

    def __init__(self, views: CatalogueRows, cursor: Any, position: int | None = None):
        self.views = views
        self.cursor = cursor
        self.position = position
        self.memo: dict[tuple[str, str], Json | None] = {}

    def entry(self, kind: str, entry_id: str) -> Json | None:
        key = (kind, entry_id)
        if key not in self.memo:
            self.memo[key] = self.views.catalogue_entry(self.cursor, kind, entry_id, self.position)
        return self.memo[key]

    def provider(self, provider_id: str) -> Json | None:
        return self.entry("provider", provider_id)

    def achievement(self, achievement_id: str) -> Json | None:
        return self.entry("achievement", achievement_id)

    def employer(self, employer_id: str) -> Json | None:
        return self.entry("employer", employer_id)


class CatalogueSnapshot(DictCatalogue):
    """The catalogue entries a learner's views need, read in the same transaction as the learner's state."""

    @classmethod
    def read(cls, views: CatalogueRows, cursor: Any, state: Json | None, position: int | None) -> CatalogueSnapshot:
        """The entries the state names, and the qualifications its achievements stack into: one query per round."""
        if state is None:
            return cls({})
        ids: list[tuple[str, str]] = []
        for collection in ("credentials", "enrolments", "rpl"):
            for item in state[collection].values():
                ids += [("achievement", item["achievement_id"]), ("provider", item["provider_id"])]
        for work in state["work"].values():
            if work["attested_by"]:
                kind, _, actor_id = work["attested_by"].partition(":")
                ids.append((kind, actor_id))
        ids += [("employer", share["employer_id"]) for share in state["shares"].values()]
        entries = views.catalogue_entries_of(cursor, list(dict.fromkeys(ids)), position)
        stacked = [("achievement", qualification_id) for (kind, _), entry in entries.items()
                   if kind == "achievement" and entry is not None
                   for qualification_id in entry["spec"].get("stacks_into", [])]
        wanted = [key for key in dict.fromkeys(stacked) if key not in entries]
        entries.update(views.catalogue_entries_of(cursor, wanted, position))
        return cls(entries)
