"""Shares with employers, their openings, and erasure."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID, uuid4

from application.handlers.base import Change, LedgerBase, Written
from domain.access import hash_secret, new_secret
from domain.credential import Credential
from domain.employer import Employer
from domain.errors import NotPermitted
from domain.learner import Learner, Share
from domain.values import Actor, ActorKind


class ShareCommands(LedgerBase):

    def grant_share(
        self, actor: Actor, learner_id: UUID, *, employer_id: UUID, credential_ids: tuple[UUID, ...] = (),
        skill_urls: tuple[str, ...] = (), purpose: str, expires_at: datetime, idempotency_key: str | None = None,
    ) -> Written:
        """Returns the share's id and its link token (shown once; only its hash is kept)."""

        def operation() -> Change:
            if not actor.is_learner(learner_id):
                raise NotPermitted("only the learner shares their record")
            learner = self._active_learner(learner_id)
            self.load(Employer, employer_id)
            self._check_credentials_held(learner.id, credential_ids)
            token = new_secret()
            share = Share(uuid4(), employer_id, credential_ids, skill_urls, purpose, expires_at, hash_secret(token))
            learner.grant_share(share, actor, self.today(), self.clock())
            return Change(share.share_id, [learner], token)

        args = (learner_id, employer_id, credential_ids, skill_urls, purpose, expires_at)
        return self._execute("grant_share", actor, idempotency_key, args, operation)

    def _check_credentials_held(self, learner_id: UUID, credential_ids: Iterable[UUID]) -> None:
        for credential_id in credential_ids:
            if self.load(Credential, credential_id).learner_id != learner_id:
                raise NotPermitted(f"credential {credential_id} is not the learner's to share")

    def revoke_share(
        self, actor: Actor, learner_id: UUID, share_id: UUID, *, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            if not actor.is_learner(learner_id):
                raise NotPermitted("only the learner revokes their share")
            learner = self.load(Learner, learner_id)
            learner.revoke_share(share_id, actor, self.today())
            return Change(share_id, [learner])

        return self._execute("revoke_share", actor, idempotency_key, (learner_id, share_id), operation)

    def record_share_opening(self, learner_id: UUID, share_id: UUID, *, viewer: str, actor: Actor) -> Written:
        def operation() -> Change:
            learner = self.load(Learner, learner_id)
            learner.record_opening(share_id, viewer, actor, self.today(), self.clock())
            return Change(share_id, [learner])

        return self._execute("record_share_opening", actor, None, (learner_id, share_id, viewer), operation)

    def erase_learner(
        self, actor: Actor, learner_id: UUID, *, reason: str, idempotency_key: str | None = None,
    ) -> Written:
        """Erasure records the fact, ends every share, and destroys the key that sealed the personal data."""

        def operation() -> Change:
            if not (actor.is_learner(learner_id) or actor.kind is ActorKind.ADMIN):
                raise NotPermitted("erasure is asked for by the learner (or carried out by an admin)")
            learner = self.load(Learner, learner_id)
            learner.erase(reason, actor, self.today())
            return Change(learner.id, [learner])

        written = self._execute("erase_learner", actor, idempotency_key, (learner_id, reason), operation)
        self.vault.forget(learner_id)
        return written
