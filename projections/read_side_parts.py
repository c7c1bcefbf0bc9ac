"""What a read side is made of (the views, the publisher, the log, a clock, the personal data vault), and how a read
asks for a past moment."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from eventsourcing.persistence import Notification

from credentials.publisher import Publisher
from projections.personal_data import PersonalData
from projections.store import LedgerViews


@dataclass(frozen=True)
class AsOf:
    """A log position, or a moment (the last position recorded at or before it); both: the earlier."""

    position: int | None = None
    at: datetime | None = None


class EventLog(Protocol):
    """The ledger, as the read side sees it: where the log ends, and its raw notifications (for auditors)."""

    def position(self) -> int: ...

    def notifications(self, after: int, limit: int) -> Sequence[Notification]: ...


class Runner(Protocol):
    """The in-process projection runner, when this process runs one."""

    error: BaseException | None

    def wait_past(self, position: int, timeout: float) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ReadSideParts:
    views: LedgerViews
    publisher: Publisher
    log: EventLog
    clock: Callable[[], datetime]
    skill_half_life_years: float
    personal: PersonalData
