"""From the ledger's facts to the inputs of the Open Badges 3.0 document builders."""

from collections.abc import Mapping
from datetime import UTC, datetime, time
from uuid import UUID

from credentials import documents as ob
from credentials.urls import LedgerUrls
from domain.achievement import Achievement, AchievementSpec
from domain.credential import CredentialTerms
from domain.learner import Learner
from domain.provider import Provider
from domain.values import MAX_SKILL_LEVEL


def at_midnight(day: object) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)  # type: ignore[arg-type]


def issuer_profile(provider: Provider, urls: LedgerUrls) -> ob.IssuerProfile:
    return ob.IssuerProfile(id=urls.issuer(provider.id), name=provider.name, url=provider.website or None)


def recipient_of(
    learner_id: UUID, profile: Mapping[str, str], did: str = "", identity_hash: str = "", salt: str = "",
) -> ob.Recipient:
    """The learner's DID, else their identifier hashed (salted per learner), both from the sealed profile; `did` and
    `identity_hash` are what learners registered before the profile held them keep in the clear."""
    did = profile.get("did") or did
    if did:
        return ob.Recipient(did=did)
    if identity_hash:
        return ob.Recipient(identity=ob.HashedIdentity(identity_hash, salt))
    return ob.Recipient(identity=ob.HashedIdentity.of(profile.get("identifier", ""), learner_id.hex[:16]))


def recipient(learner: Learner, profile: Mapping[str, str]) -> ob.Recipient:
    return recipient_of(learner.id, profile, learner.did, learner.identity_hash, learner.identity_salt)


def skill_result_id(achievement_url: str, skill_index: int) -> str:
    return f"{achievement_url}#skill-{skill_index}"


def level_id(achievement_url: str, level: int) -> str:
    return f"{achievement_url}#level-{level}"


def skill_levels_descriptions(spec: AchievementSpec, achievement_url: str) -> tuple[ob.ResultDescription, ...]:
    """One rubric per aligned skill, levels 1 to 5: a credential's results say which level was demonstrated."""
    levels = tuple(
        ob.RubricLevel(id=level_id(achievement_url, n), name=f"Level {n}", level=str(n))
        for n in range(1, MAX_SKILL_LEVEL + 1)
    )
    return tuple(
        ob.ResultDescription(id=skill_result_id(achievement_url, i), name=f"{skill.name}: demonstrated level",
                             levels=levels, result_type="RubricCriterionLevel")
        for i, skill in enumerate(spec.skills)
    )


def achievement_input(achievement_id: UUID, spec: AchievementSpec, urls: LedgerUrls) -> ob.Achievement:
    """The OB 3.0 Achievement of a definition: the one builder, for a credential at issuance and for the CLR."""
    url = urls.achievement(achievement_id)
    return ob.Achievement(
        id=url,
        name=spec.name,
        description=spec.description,
        criteria_narrative=spec.criteria,
        achievement_type=spec.achievement_type.value,
        credits_available=float(spec.credits) if spec.credits is not None else None,
        skills=tuple(
            ob.Skill(name=s.name, url=s.url, code=s.code or None, framework=s.framework) for s in spec.skills
        ),
        result_descriptions=skill_levels_descriptions(spec, url),
    )


def skill_results(
    achievement: Achievement, terms: CredentialTerms, urls: LedgerUrls,
) -> tuple[ob.AchievementResult, ...]:
    url = urls.achievement(achievement.id)
    index = {skill.url: i for i, skill in enumerate(achievement.spec.skills)}
    return tuple(
        ob.AchievementResult(result_description=skill_result_id(url, index[level.skill_url]),
                             achieved_level=level_id(url, level.level))
        for level in terms.skill_levels if level.skill_url in index
    )


def open_badge_input(
    credential_id: UUID, provider: Provider, achievement: Achievement, learner: Learner,
    profile: Mapping[str, str], terms: CredentialTerms, status_index: int, urls: LedgerUrls,
) -> ob.OpenBadgeInput:
    return ob.OpenBadgeInput(
        id=urls.credential(credential_id),
        issuer=issuer_profile(provider, urls),
        recipient=recipient(learner, profile),
        achievement=achievement_input(achievement.id, achievement.spec, urls),
        valid_from=at_midnight(terms.issued_on),
        valid_until=at_midnight(terms.expires_on) if terms.expires_on else None,
        results=skill_results(achievement, terms, urls),
        credits_earned=float(terms.credits) if terms.credits is not None else None,
        status=ob.StatusEntry(urls.status_list(provider.id, "revocation"), status_index, "revocation"),
    )
