"""Who may do what: every action against every kind of principal, and the relation each one has to what is acted
on (the provider concerned or another one, the learner concerned or another one, ...)."""

from uuid import uuid4

import pytest

from application.authorization import RULES, Action, Parties, check, permits, sees_record_entry
from domain.errors import NotPermitted
from domain.values import Actor

PROVIDER, LEARNER, EMPLOYER = uuid4(), uuid4(), uuid4()
PRINCIPALS = {
    "admin": Actor.admin(),
    "the provider": Actor.provider(PROVIDER), "another provider": Actor.provider(uuid4()),
    "the learner": Actor.learner(LEARNER), "another learner": Actor.learner(uuid4()),
    "the employer": Actor.employer(EMPLOYER), "another employer": Actor.employer(uuid4()),
}
PARTIES = Parties(learner_id=LEARNER, provider_id=PROVIDER, employer_id=EMPLOYER, holder=PRINCIPALS["the learner"])
ANY_PROVIDER = {"the provider", "another provider"}

ALLOWED: dict[Action, set[str]] = {
    Action.REGISTER_PROVIDER: {"admin"},
    Action.DEREGISTER_PROVIDER: {"admin"},
    Action.ROTATE_PROVIDER_KEY: {"admin", "the provider"},
    Action.REGISTER_EMPLOYER: {"admin"},
    Action.REGISTER_LEARNER: {"admin", *ANY_PROVIDER},
    Action.ISSUE_TOKEN: {"admin"},
    Action.REVOKE_TOKEN: {"admin", "the learner"},  # the learner holds the token here
    Action.DEFINE_ACHIEVEMENT: ANY_PROVIDER,
    Action.CHANGE_ACHIEVEMENT: {"the provider"},
    Action.ENROL: {"the provider"},
    Action.RECORD_IN_ENROLMENT: {"the provider"},
    Action.WITHDRAW_ENROLMENT: {"the provider", "the learner"},
    Action.ISSUE_CREDENTIAL: {"the provider"},
    Action.CHANGE_CREDENTIAL_STATUS: {"the provider"},
    Action.APPLY_FOR_RPL: {"the learner", "the provider"},
    Action.SUBMIT_RPL_EVIDENCE: {"the learner", "the provider"},
    Action.DECIDE_RPL: {"the provider"},
    Action.APPEAL_RPL: {"the learner"},
    Action.STATE_WORK_EXPERIENCE: {"the learner"},
    Action.ATTEST_WORK_EXPERIENCE: {"the employer", "the provider"},
    Action.END_WORK_EXPERIENCE: {"the learner"},
    Action.GRANT_SHARE: {"the learner"},
    Action.REVOKE_SHARE: {"the learner"},
    Action.ERASE_LEARNER: {"admin", "the learner"},
    Action.SUBMIT_BATCH: {"admin", *ANY_PROVIDER},
    Action.READ_LEARNER_VIEWS: {"admin", "the learner"},
    Action.READ_RECORD: {"admin", "the learner", *ANY_PROVIDER},
    Action.READ_CREDENTIAL: {"admin", "the learner", "the provider"},
    Action.QUERY_SKILLS: {"the employer", "another employer"},
    Action.READ_EVENT_LOG: {"admin"},
    Action.MAKE_SIGN_IN_LINK: {"admin", "the provider", "the learner"},  # the registrar; the person (holder)
}


def test_the_table_covers_every_action() -> None:
    assert set(ALLOWED) == set(Action) == set(RULES)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name.lower())
@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_who_may_do_what(action: Action, who: str) -> None:
    actor = PRINCIPALS[who]
    allowed = who in ALLOWED[action]
    assert permits(actor, action, PARTIES) is allowed
    if allowed:
        check(actor, action, PARTIES)
    else:
        with pytest.raises(NotPermitted, match=action.value):
            check(actor, action, PARTIES)


@pytest.mark.parametrize("who", ["the employer", "the provider", "admin"])
def test_a_party_that_is_absent_matches_no_one(who: str) -> None:
    """Work experience with no named employer and no placing provider: nobody may attest it."""
    assert not permits(PRINCIPALS[who], Action.ATTEST_WORK_EXPERIENCE, Parties(learner_id=LEARNER))


def test_a_provider_sees_only_the_record_entries_it_recorded() -> None:
    provider = PRINCIPALS["the provider"]
    assert sees_record_entry(provider, str(provider))
    assert sees_record_entry(provider, provider.id)
    assert not sees_record_entry(provider, str(PRINCIPALS["another provider"]))
    assert sees_record_entry(PRINCIPALS["the learner"], str(PRINCIPALS["another provider"]))
