"""Stories several integration tests tell."""

from tests.domain.gwt import World


def learner_with_a_share_and_an_assessment(world: World) -> None:
    """A provider, an employer and a learner: a credential shared with the employer, an assessed enrolment; every
    aggregate the Ledger snapshots is in it."""
    provider, employer = world.provider(), world.employer()
    learner = world.learner()
    achievement = world.achievement(provider)
    credential = world.credential(provider, learner, achievement)
    world.assess(provider, world.enrolment(provider, learner, world.achievement(provider), term="2024-T2"))
    world.share(learner, employer, (credential,), hours=24 * 365 * 20)
