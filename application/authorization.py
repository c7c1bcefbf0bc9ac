"""Every "who may" rule of the ledger, writes and reads, in one table: an action is allowed to a set of roles, and
a role is a kind of principal (any provider) or a relation to what is acted on (the provider holding the case).
Handlers and routes ask here; aggregates keep only the rules about state and dates."""

from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from domain.errors import NotPermitted
from domain.frozen import lean_init
from domain.values import Actor, ActorKind


class Role(Enum):
    ADMIN = "an admin"
    ANY_PROVIDER = "a provider"
    ANY_EMPLOYER = "an employer"
    THE_PROVIDER = "the provider concerned"
    THE_LEARNER = "the learner concerned"
    THE_EMPLOYER = "the employer concerned"
    THE_HOLDER = "the token's holder"


@lean_init
@dataclass(frozen=True)
class Parties:
    """Who the thing acted on belongs to; a role naming a party absent here matches no one."""

    learner_id: UUID | None = None
    provider_id: UUID | None = None
    employer_id: UUID | None = None
    holder: Actor | None = None


class Action(Enum):
    REGISTER_PROVIDER = "register a provider"
    DEREGISTER_PROVIDER = "deregister a provider"
    ROTATE_PROVIDER_KEY = "rotate a provider's signing key"
    REGISTER_EMPLOYER = "register an employer"
    REGISTER_LEARNER = "register a learner"
    ISSUE_TOKEN = "issue a token"
    REVOKE_TOKEN = "revoke a token"
    DEFINE_ACHIEVEMENT = "define an achievement"
    CHANGE_ACHIEVEMENT = "review or retire an achievement"
    ENROL = "enrol a learner"
    RECORD_IN_ENROLMENT = "record an assessment or completion"
    WITHDRAW_ENROLMENT = "withdraw an enrolment"
    ISSUE_CREDENTIAL = "issue a credential"
    CHANGE_CREDENTIAL_STATUS = "change a credential's status"
    APPLY_FOR_RPL = "open an RPL case"
    SUBMIT_RPL_EVIDENCE = "submit RPL evidence"
    DECIDE_RPL = "decide or revise an RPL case"
    APPEAL_RPL = "appeal an RPL decision"
    STATE_WORK_EXPERIENCE = "state work experience"
    ATTEST_WORK_EXPERIENCE = "attest or dispute work experience"
    END_WORK_EXPERIENCE = "record the end of work experience"
    GRANT_SHARE = "share a record"
    REVOKE_SHARE = "revoke a share"
    ERASE_LEARNER = "erase a learner"
    SUBMIT_BATCH = "submit a batch of commands"
    READ_LEARNER_VIEWS = "read a learner's CLR, skills, pathways and shares"
    READ_RECORD = "read a learner's record"
    READ_CREDENTIAL = "read a credential"
    QUERY_SKILLS = "query skills through shares"
    READ_EVENT_LOG = "read the event log"
    MAKE_SIGN_IN_LINK = "make a sign-in link for the pages"

    __hash__ = object.__hash__  # by identity, as members compare: Enum's hashes the name in Python (a rule per item)


R = Role
RULES: dict[Action, frozenset[Role]] = {
    Action.REGISTER_PROVIDER: frozenset({R.ADMIN}),
    Action.DEREGISTER_PROVIDER: frozenset({R.ADMIN}),
    Action.ROTATE_PROVIDER_KEY: frozenset({R.ADMIN, R.THE_PROVIDER}),
    Action.REGISTER_EMPLOYER: frozenset({R.ADMIN}),
    Action.REGISTER_LEARNER: frozenset({R.ADMIN, R.ANY_PROVIDER}),
    Action.ISSUE_TOKEN: frozenset({R.ADMIN}),
    Action.REVOKE_TOKEN: frozenset({R.ADMIN, R.THE_HOLDER}),
    Action.DEFINE_ACHIEVEMENT: frozenset({R.ANY_PROVIDER}),
    Action.CHANGE_ACHIEVEMENT: frozenset({R.THE_PROVIDER}),
    Action.ENROL: frozenset({R.THE_PROVIDER}),
    Action.RECORD_IN_ENROLMENT: frozenset({R.THE_PROVIDER}),
    Action.WITHDRAW_ENROLMENT: frozenset({R.THE_PROVIDER, R.THE_LEARNER}),
    Action.ISSUE_CREDENTIAL: frozenset({R.THE_PROVIDER}),
    Action.CHANGE_CREDENTIAL_STATUS: frozenset({R.THE_PROVIDER}),
    Action.APPLY_FOR_RPL: frozenset({R.THE_LEARNER, R.THE_PROVIDER}),
    Action.SUBMIT_RPL_EVIDENCE: frozenset({R.THE_LEARNER, R.THE_PROVIDER}),
    Action.DECIDE_RPL: frozenset({R.THE_PROVIDER}),
    Action.APPEAL_RPL: frozenset({R.THE_LEARNER}),
    Action.STATE_WORK_EXPERIENCE: frozenset({R.THE_LEARNER}),
    Action.ATTEST_WORK_EXPERIENCE: frozenset({R.THE_EMPLOYER, R.THE_PROVIDER}),
    Action.END_WORK_EXPERIENCE: frozenset({R.THE_LEARNER}),
    Action.GRANT_SHARE: frozenset({R.THE_LEARNER}),
    Action.REVOKE_SHARE: frozenset({R.THE_LEARNER}),
    Action.ERASE_LEARNER: frozenset({R.ADMIN, R.THE_LEARNER}),
    Action.SUBMIT_BATCH: frozenset({R.ADMIN, R.ANY_PROVIDER}),
    Action.READ_LEARNER_VIEWS: frozenset({R.ADMIN, R.THE_LEARNER}),
    Action.READ_RECORD: frozenset({R.ADMIN, R.THE_LEARNER, R.ANY_PROVIDER}),
    Action.READ_CREDENTIAL: frozenset({R.ADMIN, R.THE_LEARNER, R.THE_PROVIDER}),
    Action.QUERY_SKILLS: frozenset({R.ANY_EMPLOYER}),
    Action.READ_EVENT_LOG: frozenset({R.ADMIN}),
    Action.MAKE_SIGN_IN_LINK: frozenset({R.ADMIN, R.THE_PROVIDER, R.THE_HOLDER}),
}


def plays(actor: Actor, role: Role, parties: Parties) -> bool:
    match role:
        case Role.ADMIN:
            return actor.kind is ActorKind.ADMIN
        case Role.ANY_PROVIDER:
            return actor.kind is ActorKind.PROVIDER
        case Role.ANY_EMPLOYER:
            return actor.kind is ActorKind.EMPLOYER
        case Role.THE_PROVIDER:
            return parties.provider_id is not None and actor.is_provider(parties.provider_id)
        case Role.THE_LEARNER:
            return parties.learner_id is not None and actor.is_learner(parties.learner_id)
        case Role.THE_EMPLOYER:
            return parties.employer_id is not None and actor.is_employer(parties.employer_id)
        case Role.THE_HOLDER:
            return parties.holder == actor


def permits(actor: Actor, action: Action, parties: Parties = Parties()) -> bool:
    for role in RULES[action]:  # noqa: SIM110 (any() would make a generator per call: asked per batch item)
        if plays(actor, role, parties):
            return True
    return False


def check(actor: Actor, action: Action, parties: Parties = Parties()) -> None:
    if not permits(actor, action, parties):
        allowed = " or ".join(sorted(role.value for role in RULES[action]))
        raise NotPermitted(f"a {actor.kind.value} may not {action.value} (only {allowed})")


def sees_record_entry(actor: Actor, recorded_by: str) -> bool:
    """A provider reads a learner's record only as far as it recorded it; the learner and an admin read it all."""
    if actor.kind is not ActorKind.PROVIDER:
        return True
    return recorded_by in (str(actor), actor.id)
