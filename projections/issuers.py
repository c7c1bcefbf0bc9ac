"""An issuer's controller document: its profile and every key it ever had, as Multikey verification methods."""

from typing import Any

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
