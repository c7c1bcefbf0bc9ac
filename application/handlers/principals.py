"""Registering providers, employers and learners; their tokens."""

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from application.handlers.base import Change, LedgerBase, Written
from domain.access import AccessToken, hash_secret, new_secret
from domain.employer import Employer
from domain.errors import NotPermitted
from domain.learner import Learner
from domain.provider import Provider
from domain.status_list import StatusList
from domain.values import Actor, ActorKind, Identifier


class PrincipalCommands(LedgerBase):

    def register_provider(
        self, actor: Actor, *, name: str, identifiers: tuple[Identifier, ...], website: str = "",
        effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            provider = Provider.register(
                name=name, identifiers=identifiers, website=website, signing_key=self.keys.new_signing_key(),
                actor=actor, effective=effective or self.today(),
            )
            status_list = StatusList.open(provider_id=provider.id, actor=actor, effective=effective or self.today())
            grant, token = self._issue_token(Actor.provider(provider.id), actor)
            return Change(provider.id, [provider, status_list, grant], token)

        args = (name, identifiers, website, effective)
        return self._execute("register_provider", actor, idempotency_key, args, operation)

    def rotate_provider_key(
        self, actor: Actor, provider_id: UUID, *, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            if not (actor.kind is ActorKind.ADMIN or actor.is_provider(provider_id)):
                raise NotPermitted("only the provider itself or an admin rotates its key")
            provider = self.load(Provider, provider_id)
            provider.rotate_key(self.keys.new_signing_key(), actor, self.today())
            return Change(provider.id, [provider])

        return self._execute("rotate_provider_key", actor, idempotency_key, (provider_id,), operation)

    def deregister_provider(
        self, actor: Actor, provider_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        """An admin deregisters a provider: it writes nothing more, and what it wrote stays."""

        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            provider = self.load(Provider, provider_id)
            provider.deregister(reason, actor, effective or self.today())
            return Change(provider.id, [provider])

        args = (provider_id, reason, effective)
        return self._execute("deregister_provider", actor, idempotency_key, args, operation)

    def register_employer(
        self, actor: Actor, *, name: str, identifiers: tuple[Identifier, ...] = (),
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            employer = Employer.register(name=name, identifiers=identifiers, actor=actor, effective=self.today())
            grant, token = self._issue_token(Actor.employer(employer.id), actor)
            return Change(employer.id, [employer, grant], token)

        return self._execute("register_employer", actor, idempotency_key, (name, identifiers), operation)

    def register_learner(
        self, actor: Actor, *, primary_identifier: Identifier, profile: dict[str, str] | None = None, did: str = "",
        effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        """Registering a learner who exists already finds them: no twin, no new event, no new token."""

        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN, ActorKind.PROVIDER)
            if actor.kind is ActorKind.PROVIDER:
                self._registered_provider(actor)
            learner_id = Learner.create_id(primary_identifier)
            if self.exists(learner_id):
                return Change(learner_id)
            salt = new_secret()[:16]
            learner = Learner.register(
                primary_identifier=primary_identifier, did=did,
                sealed_profile=self.vault.seal(learner_id, {**(profile or {}), **{
                    "identifier_scheme": primary_identifier.scheme, "identifier": primary_identifier.value}}),
                identity_hash="sha256$" + hash_secret(primary_identifier.value + salt), identity_salt=salt,
                actor=actor, effective=effective or self.today(),
            )
            grant, token = self._issue_token(Actor.learner(learner.id), actor)
            return Change(learner.id, [learner, grant], token)

        args = (primary_identifier, sorted((profile or {}).items()), did, effective)
        return self._execute("register_learner", actor, idempotency_key, args, operation)

    def issue_token(self, actor: Actor, principal: Actor, *, idempotency_key: str | None = None) -> Written:
        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            kinds: dict[ActorKind, type[Aggregate]] = {
                ActorKind.PROVIDER: Provider, ActorKind.LEARNER: Learner, ActorKind.EMPLOYER: Employer,
            }
            if principal.kind not in kinds:
                raise NotPermitted("tokens are issued to providers, learners and employers")
            self.load(kinds[principal.kind], UUID(principal.id))
            grant, token = self._issue_token(principal, actor)
            return Change(grant.id, [grant], token)

        return self._execute("issue_token", actor, idempotency_key, (principal,), operation)

    def revoke_token(self, actor: Actor, token: str) -> Written:
        def operation() -> Change:
            grant = self.load(AccessToken, AccessToken.id_for(token))
            if actor.kind is not ActorKind.ADMIN and actor != grant.principal:
                raise NotPermitted("a token is revoked by its holder or an admin")
            grant.revoke(actor, self.today())
            return Change(grant.id, [grant])

        return self._execute("revoke_token", actor, None, (), operation)

    def principal_for(self, token: str) -> Actor | None:
        """The principal a bearer token belongs to: one keyed read of a one- or two-event aggregate."""
        try:
            grant: Aggregate = self.repository.get(AccessToken.id_for(token))
        except AggregateNotFoundError:
            return None
        if not isinstance(grant, AccessToken) or grant.revoked:
            return None
        return grant.principal
