"""A provider's revocation status list: hands out each credential's index in the published bitstring."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.common import LedgerAggregate
from domain.errors import RuleBroken
from domain.ids import name_based_id
from domain.values import Actor

STATUS_LIST_NAMESPACE = uuid5(NAMESPACE_URL, "https://ler-ledger.example/status-lists")
STATUS_LIST_CAPACITY = 131_072  # the Bitstring Status List minimum size (16 KB), for herd privacy


class StatusList(LedgerAggregate):
    @staticmethod
    def create_id(provider_id: UUID) -> UUID:
        return name_based_id(STATUS_LIST_NAMESPACE, str(provider_id))

    @classmethod
    def open(cls, *, provider_id: UUID, actor: Actor, effective: date) -> "StatusList":
        return cls.create_with_id(
            "Opened", cls.create_id(provider_id), provider_id=provider_id, actor=actor, effective=effective,
        )

    @event("Opened")
    def __init__(self, provider_id: UUID, actor: Actor, effective: date):
        self.provider_id = provider_id
        self.allocated = 0

    def allocate(self, credential_id: UUID, actor: Actor, effective: date) -> int:
        if self.allocated >= STATUS_LIST_CAPACITY:
            raise RuleBroken("this provider's status list is full", code="status-list-full")
        self._allocate(credential_id, self.allocated, actor, effective)
        return self.allocated - 1

    @event("IndexAllocated")
    def _allocate(self, credential_id: UUID, index: int, actor: Actor, effective: date) -> None:
        self.allocated = index + 1
