"""An employer registered with the ledger: it attests work experience and reads what learners share with it."""

from datetime import date

from eventsourcing.domain import event

from domain.common import LedgerAggregate, require_text
from domain.values import Actor, Identifier


class Employer(LedgerAggregate):
    @classmethod
    def register(cls, *, name: str, identifiers: tuple[Identifier, ...], actor: Actor, effective: date) -> "Employer":
        return cls(require_text(name, "employer name", 300), identifiers, actor, effective)

    @event("Registered")
    def __init__(self, name: str, identifiers: tuple[Identifier, ...], actor: Actor, effective: date):
        self.name = name
        self.identifiers = identifiers
