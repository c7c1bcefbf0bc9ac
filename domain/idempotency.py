"""An idempotency key a principal used: the command it carried (as a fingerprint) and the outcome."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import CanInitAggregate, event
from eventsourcing.utils import get_topic

from domain.common import LedgerAggregate, event_fields, made_event, timestamp
from domain.ids import name_based_id
from domain.values import Actor

IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "https://ler-ledger.example/idempotency-keys")
_CLAIMED = "Claimed"
_LAST_ACTOR: list[tuple[Actor | None, str]] = [(None, "")]
"""The last actor whose key was claimed and its text: a batch's items all have the same (a frozen one)."""


class IdempotencyKey(LedgerAggregate):
    @staticmethod
    def create_id(actor: Actor, key: str) -> UUID:
        seen, text = _LAST_ACTOR[0]
        if seen is not actor:
            text = str(actor)
            _LAST_ACTOR[0] = (actor, text)  # one reference swapped: another thread sees the old pair or the new
        return name_based_id(IDEMPOTENCY_NAMESPACE, f"{text}|{key}")

    @classmethod
    def claimed(
        cls, *, key: str, fingerprint: str, outcome: str, actor: Actor, effective: date,
    ) -> CanInitAggregate[UUID]:
        """The claim's one event, as creating the aggregate would record it, without the aggregate: a claim is only
        ever read back as its first event (a batch claims a key per item)."""
        claimed: type[CanInitAggregate[UUID]] = getattr(cls, _CLAIMED)
        made: CanInitAggregate[UUID] = made_event(claimed, event_fields(claimed), {
            "originator_id": cls.create_id(actor, key), "originator_version": cls.INITIAL_VERSION,
            "timestamp": timestamp(claimed), "originator_topic": get_topic(cls), "actor": actor,
            "effective": effective, "key": key, "fingerprint": fingerprint, "outcome": outcome,
        })
        return made

    @event(_CLAIMED)
    def __init__(self, key: str, fingerprint: str, outcome: str, actor: Actor, effective: date):
        self.key = key
        self.fingerprint = fingerprint
        self.outcome = outcome
