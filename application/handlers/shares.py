"""Shares with employers, their openings, and erasure."""

from collections.abc import Iterable
from uuid import UUID

from application.authorization import Action, Parties, check
from application.commands.base import Command
from application.commands.shares import EraseLearner, GrantShare, RecordShareOpening, RevokeShare
from application.handlers.base import Change, Handler, Records
from domain.access import AccessToken, hash_secret, new_secret
from domain.credential import Credential
from domain.employer import Employer
from domain.errors import NotPermitted
from domain.ids import random_id
from domain.learner import Learner, Share
from domain.values import Actor


def grant_share(records: Records, actor: Actor, command: GrantShare) -> Change:
    """The Change carries the share's link token (shown once; only its hash is kept)."""
    check(actor, Action.GRANT_SHARE, Parties(learner_id=command.learner_id))
    learner = records.active_learner(command.learner_id)
    records.load(Employer, command.employer_id)
    _check_credentials_held(records, learner.id, command.credential_ids)
    token = new_secret()
    share = Share(random_id(), command.employer_id, command.credential_ids, command.skill_urls, command.purpose,
                  command.expires_at, hash_secret(token))
    learner.grant_share(share, actor, records.today(), records.clock())
    return Change(share.share_id, [learner], token)


def _check_credentials_held(records: Records, learner_id: UUID, credential_ids: Iterable[UUID]) -> None:
    for credential_id in credential_ids:
        if records.load(Credential, credential_id).learner_id != learner_id:
            raise NotPermitted(f"credential {credential_id} is not the learner's to share")


def revoke_share(records: Records, actor: Actor, command: RevokeShare) -> Change:
    check(actor, Action.REVOKE_SHARE, Parties(learner_id=command.learner_id))
    learner = records.load(Learner, command.learner_id)
    learner.revoke_share(command.share_id, actor, records.today())
    return Change(command.share_id, [learner])


def record_share_opening(records: Records, actor: Actor, command: RecordShareOpening) -> Change:
    """Anyone holding a live share's link opens it: the link is the permission."""
    learner = records.load(Learner, command.learner_id)
    learner.record_opening(command.share_id, command.viewer, actor, records.today(), records.clock())
    return Change(command.share_id, [learner])


def erase_learner(records: Records, actor: Actor, command: EraseLearner) -> Change:
    """Erasure records the fact, ends every share, and (once that is stored) destroys the key that sealed the
    personal data."""
    check(actor, Action.ERASE_LEARNER, Parties(learner_id=command.learner_id))
    learner = records.load(Learner, command.learner_id)
    learner.erase(command.reason, actor, records.today())
    grants = [records.load(AccessToken, token_id) for token_id in learner.granted_tokens]
    for grant in grants:
        if not grant.revoked:
            grant.revoke(actor, records.today())
    vault = records.vault
    return Change(learner.id, [learner, *grants], after_saved=lambda: vault.forget(command.learner_id))


RULES_ON_THE_CHANGED_AGGREGATE_ONLY: frozenset[type[Command]] = frozenset({RecordShareOpening})
"""Commands whose rules read nothing but the aggregate they change: the atomic append refuses it at a stale version,
so they need not follow the log first (a collision follows it and checks again)."""

HANDLERS: dict[type[Command], Handler] = {
    GrantShare: grant_share, RevokeShare: revoke_share, RecordShareOpening: record_share_opening,
    EraseLearner: erase_learner,
}
