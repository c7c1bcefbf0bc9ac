"""Issuers and providers as the read side shows them: an issuer's controller document (its profile and every key
it ever had, as Multikey verification methods), the providers, and the skills the catalogue names."""

from typing import Any
from uuid import UUID

from credentials.publisher import Publisher
from credentials.urls import LedgerUrls
from projections.skills import SkillDefinition
from projections.store import LedgerViews

Json = dict[str, Any]


def controller_document(issuer: str, name: str, url: str | None, keys: list[str], registered: bool) -> Json:
    methods = [{"id": f"{issuer}#{key}", "type": "Multikey", "controller": issuer, "publicKeyMultibase": key}
               for key in keys]
    document: Json = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer, "type": ["Profile"], "name": name,
        "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods],
        "registered": registered,
    }
    if url:
        document["url"] = url
    return document


class IssuerReads:
    """The read side's answers about issuers, providers and the skill catalogue (a part of `ReadSide`)."""

    publisher: Publisher
    urls: LedgerUrls
    views: LedgerViews

    def views_entry(self, kind: str, entry_id: str, position: int | None = None) -> Json | None:
        with self.views.transaction(commit=False) as cursor:
            return self.views.catalogue_entry(cursor, kind, entry_id, position)

    def issuer(self, issuer_id: str) -> Json | None:
        """Issuer profile and controller document: every key the issuer ever had, as Multikey."""
        if issuer_id == "ledger":
            return controller_document(self.publisher.issuer_id, self.publisher.profile.name,
                                             self.urls.public_url, [self.publisher.key.public_key_multibase], True)
        try:
            provider_id = UUID(issuer_id)
        except ValueError:
            return None
        provider = self.views_entry("provider", str(provider_id))
        if provider is None:
            return None
        return controller_document(self.urls.issuer(provider_id), provider["name"], provider["website"] or None,
                                         list(provider["keys"].values()), provider["registered"])

    def provider(self, provider_id: UUID) -> Json | None:
        provider = self.views_entry("provider", str(provider_id))
        if provider is None:
            return None
        issuer = self.urls.issuer(provider_id)
        return {"id": provider["id"], "name": provider["name"], "website": provider["website"],
                "registered": provider["registered"], "issuer_id": issuer,
                "keys": {f"{issuer}#{key}": key for key in provider["keys"].values()}}

    def providers(self) -> list[Json]:
        """Every provider the ledger knows, by name: id, name, whether registered now."""
        listed = [{"id": p["id"], "name": p["name"], "registered": p["registered"]}
                  for p in self.views.catalogue_entries("provider")]
        return sorted(listed, key=lambda p: str(p["name"]).casefold())

    def skill_catalogue(self) -> list[SkillDefinition]:
        """Every skill some achievement aligns to, once, by name: what an employer can ask about."""
        found: dict[str, SkillDefinition] = {}
        for achievement in self.views.catalogue_entries("achievement"):
            for skill in achievement.get("spec", {}).get("skills", []):
                found.setdefault(skill["url"], SkillDefinition(skill["url"], skill.get("name") or skill["url"],
                                                               skill.get("framework") or "", skill.get("code") or ""))
        return sorted(found.values(), key=lambda skill: skill.name.casefold())

