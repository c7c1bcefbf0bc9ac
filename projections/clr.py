"""The CLR 2.0 transcript of a learner as a pure function of their folded state and the catalogue (unsigned; the
ledger signs it as publisher on read)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from credentials import documents as ob
from credentials.open_badges import achievement_input, recipient_of
from credentials.urls import LedgerUrls
from domain.credential import CredentialStatus
from domain.errors import NotFound
from projections.catalogue import Catalogue, achievement_spec
from projections.facts import parse_moment
from projections.learner_record import LearnerRecord

Json = dict[str, Any]
CLR_NAME = "Comprehensive Learner Record"


class ClrEmpty(NotFound):
    """A learner with no current credential has no CLR (a ClrCredential needs at least one)."""

    code = "clr-empty"


def achievement_definition(entry: Json, urls: LedgerUrls) -> ob.Achievement:
    """The OB 3.0 Achievement of a catalogue entry, built as a credential's is at issuance."""
    return achievement_input(UUID(entry["id"]), achievement_spec(entry), urls)


def clr_input(
    record: LearnerRecord, profile: Mapping[str, str], catalogue: Catalogue, documents: Mapping[str, Json],
    urls: LedgerUrls, publisher: ob.IssuerProfile,
) -> ob.ClrInput:
    """Every current (active) credential, unchanged as signed at issuance; the definitions of the achievements held
    and of the qualifications they stack into; isChildOf and replacedBy associations."""
    current = [c for c in record.credentials
               if c.status is CredentialStatus.ACTIVE and str(c.credential_id) in documents]
    if not current:
        raise ClrEmpty(f"learner {record.learner_id} holds no current credential")
    held = ordered_unique(str(c.achievement_id) for c in current)
    wanted = list(held)
    associations: list[ob.Association] = []
    for achievement_id in held:
        entry = catalogue.achievement(achievement_id)
        for qualification_id in (entry or {}).get("spec", {}).get("stacks_into", []):
            if catalogue.achievement(qualification_id) is not None:
                wanted.append(qualification_id)
                associations.append(ob.Association("isChildOf", _url(urls, achievement_id),
                                                   _url(urls, qualification_id)))
    for credential in record.credentials:
        replacement = record.credential(credential.replaced_by)
        if (credential.status is CredentialStatus.SUPERSEDED and replacement is not None
                and replacement.status is CredentialStatus.ACTIVE
                and replacement.achievement_id != credential.achievement_id):
            wanted.append(str(credential.achievement_id))
            associations.append(ob.Association("replacedBy", _url(urls, str(credential.achievement_id)),
                                               _url(urls, str(replacement.achievement_id))))
    definitions = [achievement_definition(entry, urls) for entry in
                   (catalogue.achievement(a) for a in ordered_unique(wanted)) if entry is not None]
    unique_associations = list({(a.association_type, a.source_id, a.target_id): a for a in associations}.values())
    return ob.ClrInput(
        id=urls.clr(record.learner_id, record.position), issuer=publisher,
        recipient=recipient_of(record.learner_id, profile, record.did, record.identity_hash, record.identity_salt),
        name=CLR_NAME, valid_from=parse_moment(record.recorded_at),
        credentials=[documents[str(c.credential_id)] for c in current], achievements=definitions,
        associations=unique_associations,
    )


def unsigned_clr(
    record: LearnerRecord, profile: Mapping[str, str], catalogue: Catalogue, documents: Mapping[str, Json],
    urls: LedgerUrls, publisher: ob.IssuerProfile,
) -> Json:
    return ob.build_clr_credential(clr_input(record, profile, catalogue, documents, urls, publisher))


def ordered_unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _url(urls: LedgerUrls, achievement_id: str) -> str:
    return urls.achievement(UUID(achievement_id))
