"""The materialised views: tables in the same database as the events, each change committed in the same transaction
as the `eventsourcing` tracking record of the event that caused it, so each event is applied exactly once.

One projection (name "views") maintains every table: the learners' folded states and facts (for the CLR, skills,
pathway, record and shares views, and for "as of"), versioned catalogue rows, credentials with their signed documents
and status, and the indexes for the employer query. Keeping them in one projection means every view answers at one
and the same log position: a CLR never disagrees with the skills profile or the employer view.

Events are applied in batches (`process_batch`): one transaction per batch, holding every change the batch makes and
the tracking record of its last event, so a batch is applied entirely or not at all and a restart resumes after the
last committed batch. Within a batch each learner's state is read once and written once, each catalogue entry is read
once, and the derived index rows are rewritten once per learner. Batch boundaries do not change the result: the
tables after a batch are those that applying its events one by one would leave.

Three more tables are not views of the log but documents derived from them by a lagging step
(projections/signed_documents.py):
the learners' signed CLRs (at the position they were signed for), the result of checking each credential's proof,
and that step's own position.

The tables are in projections/schema.py, batches in view_batch.py, the reads in queries.py, the signed-document rows
in signed_rows.py; the concrete recorders are `SQLiteLedgerViews` (sqlite_views.py: the embedded default, tables in
the event store's file, its own tracking table) and `PostgresLedgerViews` (postgres_views.py: the configured schema).
"""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking, TrackingRecorder

from projections.queries import ViewQueries
from projections.schema import ALL_TABLES, APPLICATION_NAME, TABLES, VIEWS_FORMAT
from projections.signed_rows import SignedDocumentRows
from projections.view_batch import PreparedEvent, ViewBatch, prepare_events

Json = dict[str, Any]
FORMAT_NAME = "views format"  # its row in the `published` table holds the format the views were written in


class LedgerViews(ViewQueries, SignedDocumentRows, TrackingRecorder):
    """The views: batches of events applied in one transaction with their tracking record, the keyed reads
    (ViewQueries) and the signed-document rows. Dialect details are left to the SQLite and PostgreSQL classes."""

    @abstractmethod
    def transaction(self, *, commit: bool) -> contextlib.AbstractContextManager[Any]: ...

    def batch_transaction(self, events: int) -> contextlib.AbstractContextManager[Any]:
        """The transaction a batch of `events` is written in."""
        return self.transaction(commit=True)

    @abstractmethod
    def insert_tracking_in(self, cursor: Any, tracking: Tracking) -> None: ...

    @abstractmethod
    def delete_tracking_in(self, cursor: Any) -> None: ...

    def process(self, domain_event: Any, tracking: Tracking) -> None:
        """One event in its own transaction (a batch of one)."""
        self.process_batch([(domain_event, tracking.notification_id)], tracking)

    def process_batch(self, events: Sequence[tuple[Any, int]], tracking: Tracking,
                      catalogue: dict[tuple[str, str], Json | None] | None = None) -> None:
        """Apply events (each with its log position, in log order) in ONE transaction, with the tracking record of
        the batch's last position: all of the batch is applied, or none of it."""
        self.process_prepared(prepare_events(events), tracking, catalogue)

    def process_prepared(self, events: Sequence[PreparedEvent], tracking: Tracking,
                         catalogue: dict[tuple[str, str], Json | None] | None = None) -> bool:
        """`process_batch` of prepared events. `catalogue`, if given, holds the latest catalogue entries as the views
        stand before the batch (a runner's memory of them); it is brought up to date when the batch commits. Returns
        whether a learner's state or a credential changed (not so for a page of share openings alone)."""
        with self.batch_transaction(len(events)) as cursor:
            batch = ViewBatch(self, cursor, catalogue)
            if events:
                batch.apply(events)
            self.insert_tracking_in(cursor, tracking)
        if catalogue is not None:
            catalogue.update(batch.catalogue.memo)
        return batch.signable

    def reset(self) -> None:
        """Empty every table and forget the tracking position: the next run rebuilds from position 0, in this
        code's format."""
        with self.transaction(commit=True) as cursor:
            for table in ALL_TABLES:
                self.run(cursor, f"DELETE FROM {{{table}}}")
            self.delete_tracking_in(cursor)
            self.run(cursor, "INSERT INTO {published} (name, position) VALUES (?, ?)", (FORMAT_NAME, VIEWS_FORMAT))

    def renew_older_format(self) -> bool:
        """Empty views written in another format (the runner then rebuilds them from the log); whether it did."""
        if self.published_position(FORMAT_NAME) == VIEWS_FORMAT:
            return False
        emptied = self.position() > 0
        self.reset()
        return emptied

    def position(self) -> int:
        return self.max_tracking_id(APPLICATION_NAME) or 0

    def table_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: for comparing an incrementally maintained view with a rebuild."""
        dump: dict[str, list[tuple[Any, ...]]] = {}
        with self.transaction(commit=False) as cursor:
            for table in TABLES:
                rows = self.all(cursor, f"SELECT * FROM {{{table}}}")
                dump[table] = sorted(tuple(dict(row).items()) for row in rows)
        return dump



