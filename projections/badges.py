"""From the ledger's facts to the inputs of the Open Badges 3.0 document builders."""

from datetime import UTC, datetime, time
from uuid import UUID

from domain.achievement import Achievement
from domain.credential import CredentialTerms
from domain.learner import Learner
from domain.provider import Provider
from domain.values import MAX_SKILL_LEVEL
from projections.urls import LedgerUrls
from projections.vc import documents as ob

SKILL_LEVELS_ID = "skill-levels"


def at_midnight(day: object) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)  # type: ignore[arg-type]


def issuer_profile(provider: Provider, urls: LedgerUrls) -> ob.IssuerProfile:
    return ob.IssuerProfile(id=urls.issuer(provider.id), name=provider.name, url=provider.website or None)


def recipient(learner: Learner) -> ob.Recipient:
    if learner.did:
        return ob.Recipient(did=learner.did)
    return ob.Recipient(identity=ob.HashedIdentity(learner.identity_hash, learner.identity_salt))


def skill_levels_description(achievement: Achievement) -> tuple[ob.ResultDescription, ...]:
    if not achievement.spec.skills:
        return ()
    levels = tuple(
        ob.RubricLevel(id=f"level-{n}", name=f"Level {n}", level=str(n)) for n in range(1, MAX_SKILL_LEVEL + 1)
    )
    return (ob.ResultDescription(id=SKILL_LEVELS_ID, name="Demonstrated skill level", levels=levels,
                                 result_type="RubricCriterionLevel"),)


def achievement_input(achievement: Achievement, urls: LedgerUrls) -> ob.Achievement:
    spec = achievement.spec
    return ob.Achievement(
        id=urls.achievement(achievement.id),
        name=spec.name,
        description=spec.description,
        criteria_narrative=spec.criteria,
        achievement_type=spec.achievement_type.value,
        credits_available=float(spec.credits) if spec.credits is not None else None,
        skills=tuple(
            ob.Skill(name=s.name, url=s.url, code=s.code or None, framework=s.framework) for s in spec.skills
        ),
        result_descriptions=skill_levels_description(achievement),
    )


def open_badge_input(
    credential_id: UUID, provider: Provider, achievement: Achievement, learner: Learner, terms: CredentialTerms,
    status_index: int, urls: LedgerUrls,
) -> ob.OpenBadgeInput:
    return ob.OpenBadgeInput(
        id=urls.credential(credential_id),
        issuer=issuer_profile(provider, urls),
        recipient=recipient(learner),
        achievement=achievement_input(achievement, urls),
        valid_from=at_midnight(terms.issued_on),
        valid_until=at_midnight(terms.expires_on) if terms.expires_on else None,
        results=tuple(
            ob.AchievementResult(result_description=SKILL_LEVELS_ID, achieved_level=f"level-{level.level}")
            for level in terms.skill_levels
        ),
        credits_earned=float(terms.credits) if terms.credits is not None else None,
        status=ob.StatusEntry(urls.status_list(provider.id, "revocation"), status_index, "revocation"),
    )
