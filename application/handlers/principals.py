"""Registering providers, employers and learners; rotating keys; tokens."""

from uuid import UUID

from eventsourcing.domain import Aggregate

from application.authorization import Action, Parties, check, permits
from application.commands.base import Command
from application.commands.principals import (
    DeregisterProvider,
    IssueToken,
    RegisterEmployer,
    RegisterLearner,
    RegisterProvider,
    RevokeToken,
    RotateProviderKey,
)
from application.handlers.base import Change, Handler, Records
from domain.access import AccessToken
from domain.employer import Employer
from domain.errors import NotFound, NotPermitted
from domain.learner import Learner
from domain.provider import Provider
from domain.registration import RepeatedRegistration
from domain.status_list import StatusList
from domain.values import Actor, ActorKind

TOKEN_HOLDERS: dict[ActorKind, type[Aggregate]] = {
    ActorKind.PROVIDER: Provider, ActorKind.LEARNER: Learner, ActorKind.EMPLOYER: Employer,
}


def register_provider(records: Records, actor: Actor, command: RegisterProvider) -> Change:
    check(actor, Action.REGISTER_PROVIDER)
    effective = command.effective or records.today()
    provider = Provider.register(
        name=command.name, identifiers=command.identifiers, website=command.website,
        signing_key=records.keys.new_signing_key(), actor=actor, effective=effective,
    )
    status_list = StatusList.open(provider_id=provider.id, actor=actor, effective=effective)
    grant, token = AccessToken.issue(principal=Actor.provider(provider.id), actor=actor, effective=records.today())
    return Change(provider.id, [provider, status_list, grant], token)


def rotate_provider_key(records: Records, actor: Actor, command: RotateProviderKey) -> Change:
    check(actor, Action.ROTATE_PROVIDER_KEY, Parties(provider_id=command.provider_id))
    provider = records.load(Provider, command.provider_id)
    provider.rotate_key(records.keys.new_signing_key(), actor, records.today())
    return Change(provider.id, [provider])


def deregister_provider(records: Records, actor: Actor, command: DeregisterProvider) -> Change:
    """An admin deregisters a provider: it writes nothing more, and what it wrote stays."""
    check(actor, Action.DEREGISTER_PROVIDER)
    provider = records.load(Provider, command.provider_id)
    provider.deregister(command.reason, actor, command.effective or records.today())
    return Change(provider.id, [provider])


def register_employer(records: Records, actor: Actor, command: RegisterEmployer) -> Change:
    check(actor, Action.REGISTER_EMPLOYER)
    employer = Employer.register(name=command.name, identifiers=command.identifiers, actor=actor,
                                 effective=records.today())
    grant, token = AccessToken.issue(principal=Actor.employer(employer.id), actor=actor, effective=records.today())
    return Change(employer.id, [employer, grant], token)


def register_learner(records: Records, actor: Actor, command: RegisterLearner) -> Change:
    """Registering a learner who exists already finds them: no twin, no new token. A provider's registration answers
    alike whether the learner existed (or was erased) or not: never a token (an admin issues the learner's first one,
    or the learner signs in by link), and one event either way, so the answered position says nothing either."""
    check(actor, Action.REGISTER_LEARNER)
    records.check_standing(actor)
    identifier = command.primary_identifier
    learner_id = records.learner_ids.learner_id(identifier)
    effective = command.effective or records.today()
    if records.exists(learner_id):
        if actor.kind is ActorKind.ADMIN:
            return Change(learner_id)
        return Change(learner_id, [RepeatedRegistration.record(learner_id=learner_id, actor=actor,
                                                               effective=effective)])
    grant, token = (AccessToken.issue(principal=Actor.learner(learner_id), actor=actor, effective=records.today())
                    if actor.kind is ActorKind.ADMIN else (None, ""))
    learner = Learner.register(
        learner_id=learner_id, primary_identifier=identifier, did=command.did, profile=command.profile,
        seal=lambda personal: records.vault.seal(learner_id, personal), token_id=grant.id if grant else None,
        actor=actor, effective=effective,
    )
    return Change(learner.id, [learner, grant] if grant else [learner], token)


def issue_token(records: Records, actor: Actor, command: IssueToken) -> Change:
    check(actor, Action.ISSUE_TOKEN)
    principal = command.principal
    if principal.kind not in TOKEN_HOLDERS:
        raise NotPermitted("tokens are issued to providers, learners and employers")
    holder = records.load(TOKEN_HOLDERS[principal.kind], UUID(principal.id))
    grant, token = AccessToken.issue(principal=principal, actor=actor, effective=records.today())
    if isinstance(holder, Learner):  # so that erasure can revoke every token the learner holds
        holder.grant_access(grant.id, actor, records.today())
        return Change(grant.id, [grant, holder], token)
    return Change(grant.id, [grant], token)


def revoke_token(records: Records, actor: Actor, command: RevokeToken) -> Change:
    """Someone else's token answers like an unknown one: the answer never says that a token exists."""
    unknown = NotFound("no such token")
    try:
        grant = records.load(AccessToken, AccessToken.id_for(command.token))
    except NotFound:
        raise unknown from None
    if not permits(actor, Action.REVOKE_TOKEN, Parties(holder=grant.principal)):
        raise unknown
    grant.revoke(actor, records.today())
    return Change(grant.id, [grant])


HANDLERS: dict[type[Command], Handler] = {
    RegisterProvider: register_provider, RotateProviderKey: rotate_provider_key,
    DeregisterProvider: deregister_provider, RegisterEmployer: register_employer,
    RegisterLearner: register_learner, IssueToken: issue_token, RevokeToken: revoke_token,
}
