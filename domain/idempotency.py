"""An idempotency key a principal used: the command it carried (as a fingerprint) and the outcome."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import CanInitAggregate, event
from eventsourcing.utils import get_topic

from domain.common import LedgerAggregate, event_fields, made_event, timestamp
from domain.ids import name_based_id
from domain.values import Actor, last_text_kept

IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "https://ler-ledger.example/idempotency-keys")
_CLAIMED = "Claimed"
_actor_text = last_text_kept()


class IdempotencyKey(LedgerAggregate):
    @staticmethod
    def create_id(actor: Actor, key: str) -> UUID:
        return name_based_id(IDEMPOTENCY_NAMESPACE, f"{_actor_text(actor)}|{key}")

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
