"""Opens the read side on the configured store: the views, the publisher's key, the ledger's log, and on the
embedded default the projection runner in this process (on PostgreSQL it runs as `ler projections run`)."""

from collections.abc import Sequence

from eventsourcing.persistence import Notification

from application.ledger import Ledger
from credentials.publisher import Publisher
from projections.read_side import ReadSide
from projections.read_side_parts import ReadSideParts
from wiring.projection_runner import close_views, open_views, start_runner
from wiring.services import Services


class LedgerLog:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def position(self) -> int:
        return self.ledger.position()

    def notifications(self, after: int, limit: int) -> Sequence[Notification]:
        return self.ledger.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)


def open_read_side(services: Services, run_projections: bool | None = None) -> ReadSide:
    settings = services.settings
    parts = ReadSideParts(
        views=open_views(settings), publisher=Publisher.from_master_key(settings.master_key, services.urls),
        log=LedgerLog(services.ledger), clock=lambda: services.ledger.clock(),
        skill_half_life_years=settings.skill_half_life_years, personal=services.personal_data,
    )
    run = (not settings.uses_postgres) if run_projections is None else run_projections
    runner = start_runner(settings).__enter__() if run else None
    return ReadSide(parts, runner, close_views=lambda: close_views(parts.views))
