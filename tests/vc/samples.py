"""Sample ledger documents with tricky strings and decimal credits, shared by the vc and interop tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from credentials.data_integrity import sign
from credentials.documents import (
    Achievement,
    AchievementResult,
    Association,
    ClrInput,
    HashedIdentity,
    IssuerProfile,
    OpenBadgeInput,
    Recipient,
    ResultDescription,
    RubricLevel,
    Skill,
    StatusEntry,
    build_clr_credential,
    build_open_badge_credential,
)
from credentials.multikey import KeyPair, key_pair_from_seed

ISSUER = IssuerProfile(
    "https://issuer.example.org/issuers/1", 'Example "Training" Co \\ Ltd', "https://issuer.example.org"
)
TRICKY = 'He said "hi" \\ then\b\f\u0001\u007f\t\n\r — café (cafe\u0301) 😀 中文'
ISSUED = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)


def issuer_key() -> KeyPair:
    return key_pair_from_seed(bytes(range(32)))


def verification_method(key: KeyPair) -> str:
    return f"{ISSUER.id}#{key.public_key_multibase}"


def achievement(slug: str, credits: float = 7.5, name: str = "Python Data Pipelines") -> Achievement:
    levels = (
        RubricLevel(f"urn:uuid:{slug}-level-1", "Developing", points="1"),
        RubricLevel(f"urn:uuid:{slug}-level-2", f"Mastered {TRICKY}", points="2"),
    )
    return Achievement(
        id=f"https://issuer.example.org/achievements/{slug}",
        name=name,
        description=f"Designs batch pipelines. {TRICKY}",
        criteria_narrative=f"# Criteria\n\n* labs\n* capstone {TRICKY}",
        achievement_type="MicroCredential",
        credits_available=credits,
        skills=(
            Skill(
                "Build ETL pipelines",
                "https://osn.example.org/api/skills/6b0f3d8e",
                "6b0f3d8e",
                "Example RSD",
            ),
            Skill("Data modelling", "https://osn.example.org/api/skills/7c1e4f9a", "7c1e4f9a", "Example RSD"),
        ),
        result_descriptions=(ResultDescription(f"urn:uuid:{slug}-rubric", "Capstone rubric", levels),),
        human_code="DE-201",
    )


def open_badge(slug: str = "py-pipelines", credits: float = 7.5, **overrides: Any) -> dict[str, Any]:
    badge = OpenBadgeInput(
        id=f"urn:uuid:5f2d1c3e-8a9b-4c7d-9e0f-{hashlib.sha256(slug.encode()).hexdigest()[:12]}",
        issuer=ISSUER,
        recipient=Recipient(identity=HashedIdentity.of("learner-42@example.org", "s@lt", "emailAddress")),
        achievement=achievement(slug, credits),
        valid_from=ISSUED,
        name=f"Badge {TRICKY}",
        valid_until=datetime(2030, 1, 15, tzinfo=UTC),
        results=(AchievementResult(f"urn:uuid:{slug}-rubric", achieved_level=f"urn:uuid:{slug}-level-2"),),
        credits_earned=credits,
        status=StatusEntry("https://issuer.example.org/status/1", 94567),
    )
    for key, value in overrides.items():
        setattr(badge, key, value)
    return build_open_badge_credential(badge)


def signed_open_badge(slug: str = "py-pipelines", credits: float = 7.5, **overrides: Any) -> dict[str, Any]:
    key = issuer_key()
    return sign(open_badge(slug, credits, **overrides), key.private_key, verification_method(key), ISSUED)


def clr(credentials: list[dict[str, Any]]) -> dict[str, Any]:
    program = Achievement(
        id="https://issuer.example.org/achievements/data-engineering-program",
        name="Data Engineering Program",
        description=f"Program {TRICKY}",
        criteria_narrative="Complete both courses.",
        achievement_type="Certificate",
        credits_available=15.25,
    )
    return build_clr_credential(
        ClrInput(
            id="urn:uuid:0c1d2e3f-0000-4000-8000-00000000c1a0",
            issuer=ISSUER,
            recipient=Recipient(did="did:example:learner-42"),
            name=f"Learner record {TRICKY}",
            valid_from=ISSUED,
            credentials=credentials,
            achievements=(program,),
            associations=(
                Association("isChildOf", "https://issuer.example.org/achievements/py-pipelines", program.id),
                Association("isChildOf", "https://issuer.example.org/achievements/sql-modelling", program.id),
            ),
        )
    )


def signed_clr() -> dict[str, Any]:
    key = issuer_key()
    nested = [signed_open_badge("py-pipelines", 7.5), signed_open_badge("sql-modelling", 7.75)]
    return sign(clr(nested), key.private_key, verification_method(key), ISSUED)
