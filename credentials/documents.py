"""Builders for the credentials the ledger emits: OB 3.0 credentials and CLR 2.0 credentials (status lists are in
status_lists.py).

Inputs are plain values (the dataclasses below); outputs are unsigned JSON-LD dicts ready for
data_integrity.sign and valid against the lenient and strict official schemas.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from credentials.data_integrity import xsd_datetime

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_CONTEXTS = [VC_V2, OB_CONTEXT, OB_EXTENSIONS]
CLR_CONTEXTS = [VC_V2, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS]
RICH_SKILL_DESCRIPTOR = "ext:RichSkillDescriptor"
STATUS_PURPOSES = ("revocation", "suspension")
ASSOCIATION_TYPES = (
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
)

Moment = datetime | str


class InvalidDocumentInput(ValueError):
    """A builder was given values the standards (or the JS/Python agreement) do not allow."""


@dataclass(frozen=True)
class IssuerProfile:
    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class HashedIdentity:
    identity_hash: str
    salt: str
    identity_type: str = "identifier"

    @classmethod
    def of(cls, value: str, salt: str, identity_type: str = "identifier") -> HashedIdentity:
        digest = hashlib.sha256((value + salt).encode("utf-8")).hexdigest()
        return cls(f"sha256${digest}", salt, identity_type)

    def matches(self, value: str) -> bool:
        return HashedIdentity.of(value, self.salt, self.identity_type) == self


@dataclass(frozen=True)
class Recipient:
    did: str | None = None
    identity: HashedIdentity | None = None


@dataclass(frozen=True)
class Skill:
    name: str
    url: str
    code: str | None = None
    framework: str | None = None
    description: str | None = None
    target_type: str = RICH_SKILL_DESCRIPTOR


@dataclass(frozen=True)
class RubricLevel:
    id: str
    name: str
    description: str | None = None
    level: str | None = None
    points: str | None = None


@dataclass(frozen=True)
class ResultDescription:
    id: str
    name: str
    levels: tuple[RubricLevel, ...] = ()
    result_type: str | None = None
    required_level: str | None = None
    value_min: str | None = None
    value_max: str | None = None
    required_value: str | None = None


@dataclass(frozen=True)
class AchievementResult:
    result_description: str
    achieved_level: str | None = None
    value: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    description: str
    criteria_narrative: str
    achievement_type: str = "MicroCredential"
    credits_available: float | None = None
    skills: tuple[Skill, ...] = ()
    result_descriptions: tuple[ResultDescription, ...] = ()
    human_code: str | None = None
    field_of_study: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusEntry:
    status_list_credential: str
    index: int
    purpose: str = "revocation"


@dataclass(frozen=True)
class Association:
    association_type: str
    source_id: str
    target_id: str


@dataclass
class OpenBadgeInput:
    id: str
    issuer: IssuerProfile
    recipient: Recipient
    achievement: Achievement
    valid_from: Moment
    name: str | None = None
    description: str | None = None
    valid_until: Moment | None = None
    results: Sequence[AchievementResult] = field(default_factory=tuple)
    credits_earned: float | None = None
    status: StatusEntry | None = None
    awarded_date: Moment | None = None


def build_open_badge_credential(badge: OpenBadgeInput) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": ["AchievementSubject"], **recipient_fields(badge.recipient)}
    subject["achievement"] = achievement_document(badge.achievement)
    if badge.results:
        subject["result"] = [result_document(result) for result in badge.results]
    if badge.credits_earned is not None:
        subject["creditsEarned"] = checked_credits(badge.credits_earned, "creditsEarned")
    document: dict[str, Any] = {
        "@context": list(OB_CONTEXTS),
        "id": badge.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": badge.name or badge.achievement.name,
        **_optional(description=badge.description),
        "issuer": issuer_document(badge.issuer),
        "validFrom": xsd_moment(badge.valid_from),
        **_optional(
            validUntil=_moment_or_none(badge.valid_until), awardedDate=_moment_or_none(badge.awarded_date)
        ),
        "credentialSubject": subject,
    }
    return _with_status(document, badge.status)


@dataclass
class ClrInput:
    id: str
    issuer: IssuerProfile
    recipient: Recipient
    name: str
    valid_from: Moment
    credentials: Sequence[dict[str, Any]]
    achievements: Sequence[Achievement] = field(default_factory=tuple)
    associations: Sequence[Association] = field(default_factory=tuple)
    description: str | None = None
    valid_until: Moment | None = None
    status: StatusEntry | None = None


def build_clr_credential(clr: ClrInput) -> dict[str, Any]:
    """ClrCredential; nested credentials are included unchanged (each keeps its own proof)."""
    if not clr.credentials:
        raise InvalidDocumentInput("a CLR needs at least one verifiableCredential")
    _check_associations(clr.associations, _achievement_ids(clr))
    subject: dict[str, Any] = {"type": ["ClrSubject"], **recipient_fields(clr.recipient)}
    subject["verifiableCredential"] = list(clr.credentials)
    if clr.achievements:
        subject["achievement"] = [achievement_document(achievement) for achievement in clr.achievements]
    if clr.associations:
        subject["association"] = [association_document(association) for association in clr.associations]
    document: dict[str, Any] = {
        "@context": list(CLR_CONTEXTS),
        "id": clr.id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": clr.name,
        **_optional(description=clr.description),
        "issuer": issuer_document(clr.issuer),
        "validFrom": xsd_moment(clr.valid_from),
        **_optional(validUntil=_moment_or_none(clr.valid_until)),
        "credentialSubject": subject,
    }
    return _with_status(document, clr.status)


def issuer_document(issuer: IssuerProfile) -> dict[str, Any]:
    if not issuer.id.startswith("https://") and not issuer.id.startswith("did:"):
        raise InvalidDocumentInput(f"issuer id must be an https URL or a DID: {issuer.id!r}")
    return {"id": issuer.id, "type": ["Profile"], "name": issuer.name, **_optional(url=issuer.url)}


def recipient_fields(recipient: Recipient) -> dict[str, Any]:
    if recipient.did is None and recipient.identity is None:
        raise InvalidDocumentInput("credential subject needs a DID or a hashed identifier")
    if recipient.did is not None and not recipient.did.startswith("did:"):
        raise InvalidDocumentInput(f"subject id must be a DID: {recipient.did!r}")
    fields: dict[str, Any] = _optional(id=recipient.did)
    if recipient.identity is not None:
        fields["identifier"] = [identity_document(recipient.identity)]
    return fields


def identity_document(identity: HashedIdentity) -> dict[str, Any]:
    return {
        "type": "IdentityObject",
        "identityHash": identity.identity_hash,
        "identityType": identity.identity_type,
        "hashed": True,
        "salt": identity.salt,
    }


def achievement_document(achievement: Achievement) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria_narrative},
        **_optional(humanCode=achievement.human_code, fieldOfStudy=achievement.field_of_study),
    }
    if achievement.credits_available is not None:
        document["creditsAvailable"] = checked_credits(achievement.credits_available, "creditsAvailable")
    if achievement.tags:
        document["tag"] = list(achievement.tags)
    if achievement.skills:
        document["alignment"] = [alignment_document(skill) for skill in achievement.skills]
    if achievement.result_descriptions:
        document["resultDescription"] = [
            result_description_document(r) for r in achievement.result_descriptions
        ]
    return document


def alignment_document(skill: Skill) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetName": skill.name,
        "targetUrl": skill.url,
        **_optional(
            targetCode=skill.code,
            targetFramework=skill.framework,
            targetDescription=skill.description,
            targetType=skill.target_type,
        ),
    }


def result_description_document(description: ResultDescription) -> dict[str, Any]:
    result_type = description.result_type or ("RubricCriterionLevel" if description.levels else "Result")
    document: dict[str, Any] = {
        "id": description.id,
        "type": ["ResultDescription"],
        "name": description.name,
        "resultType": result_type,
        **_optional(
            requiredLevel=description.required_level,
            valueMin=description.value_min,
            valueMax=description.value_max,
            requiredValue=description.required_value,
        ),
    }
    if description.levels:
        document["rubricCriterionLevel"] = [rubric_level_document(level) for level in description.levels]
    return document


def rubric_level_document(level: RubricLevel) -> dict[str, Any]:
    return {
        "id": level.id,
        "type": ["RubricCriterionLevel"],
        "name": level.name,
        **_optional(description=level.description, level=level.level, points=level.points),
    }


def result_document(result: AchievementResult) -> dict[str, Any]:
    return {
        "type": ["Result"],
        "resultDescription": result.result_description,
        **_optional(achievedLevel=result.achieved_level, value=result.value, status=result.status),
    }


def association_document(association: Association) -> dict[str, Any]:
    return {
        "type": "Association",
        "associationType": association.association_type,
        "sourceId": association.source_id,
        "targetId": association.target_id,
    }


def status_entry_document(entry: StatusEntry) -> dict[str, Any]:
    if entry.purpose not in STATUS_PURPOSES:
        raise InvalidDocumentInput(f"statusPurpose must be one of {STATUS_PURPOSES}: {entry.purpose!r}")
    if entry.index < 0:
        raise InvalidDocumentInput(f"statusListIndex must be >= 0: {entry.index}")
    return {
        "id": f"{entry.status_list_credential}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": entry.status_list_credential,
    }


def checked_credits(value: float, name: str) -> float:
    """Credits are numbers with at most two decimals (larger precision risks Python/JS divergence)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidDocumentInput(f"{name} must be a finite number: {value!r}")
    exponent = Decimal(repr(value)).as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2 or value < 0 or value > 10**6:
        raise InvalidDocumentInput(f"{name} must be between 0 and 1e6 with at most two decimals: {value!r}")
    return value


def _achievement_ids(clr: ClrInput) -> set[str]:
    ids = {achievement.id for achievement in clr.achievements}
    for credential in clr.credentials:
        subject = credential.get("credentialSubject", {})
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        if isinstance(achievement, dict) and isinstance(achievement.get("id"), str):
            ids.add(achievement["id"])
    return ids


def _check_associations(associations: Sequence[Association], achievement_ids: set[str]) -> None:
    for association in associations:
        if association.association_type not in ASSOCIATION_TYPES:
            raise InvalidDocumentInput(f"associationType must be one of {ASSOCIATION_TYPES}")
        for end in (association.source_id, association.target_id):
            if end not in achievement_ids:
                raise InvalidDocumentInput(f"association refers to an achievement not in the CLR: {end!r}")


def _with_status(document: dict[str, Any], status: StatusEntry | None) -> dict[str, Any]:
    if status is not None:
        document["credentialStatus"] = status_entry_document(status)
    return document


def _optional(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def xsd_moment(moment: Moment) -> str:
    return moment if isinstance(moment, str) else xsd_datetime(moment)


def _moment_or_none(moment: Moment | None) -> str | None:
    return None if moment is None else xsd_moment(moment)
