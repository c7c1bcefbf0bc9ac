"""A provider's registration of a learner who was registered already (or erased). Recorded so that it writes as many
events as a first registration does: the log position it answers with cannot tell a provider who exists."""

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.common import LedgerAggregate
from domain.values import Actor


class RepeatedRegistration(LedgerAggregate):
    @classmethod
    def record(cls, *, learner_id: UUID, actor: Actor, effective: date) -> "RepeatedRegistration":
        return cls(learner_id, actor, effective)

    @event("Recorded")
    def __init__(self, learner_id: UUID, actor: Actor, effective: date):
        self.learner_id = learner_id
