"""Applying a batch of events to the views: each event prepared without the database (a fact, a catalogue change,
a credential row), then the batch's changes gathered in memory and written with a few statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from projections import events, learner_state
from projections.catalogue import CursorCatalogue
from projections.facts import (
    CATALOGUE_AGGREGATES,
    LEARNER_AGGREGATES,
    aggregate_class,
    apply_catalogue,
    catalogue_change,
    credential_change,
    event_name,
    learner_fact,
    moment,
)
from projections.learner_record import LearnerRecord
from projections.schema import dumps, loads
from projections.skills import skill_index_rows

if TYPE_CHECKING:
    from projections.store import LedgerViews

Json = dict[str, Any]
SHARE_FACTS = frozenset(events.name(cls) for cls in (events.ShareGranted, events.ShareRevoked, events.ShareOpened))
# Facts that leave every piece of a learner's skill evidence as it was (skills.evidence_items): a batch whose facts for
# a learner are all of these keeps that learner's skill index rows. Any other fact re-indexes the learner.
STATED_WORK = events.name(events.Stated)
OPENED = events.name(events.ShareOpened)  # a row of the share's access log: the learner's state stays as it was
FACTS_WITHOUT_SKILL_EVIDENCE = SHARE_FACTS | frozenset(events.name(cls) for cls in (
    events.LearnerRegistered, events.Erased, events.Enrolled, events.Completed, events.Withdrawn, events.Applied,
    events.EvidenceSubmitted,
))


class PreparedEvent(NamedTuple):
    """What the views need from one event, computed without the database (so it can be done ahead, in another
    thread, while the previous batch is written)."""

    position: int
    log_row: tuple[Any, ...]
    fact: tuple[str, Json] | None
    catalogue: tuple[str, str, Json] | None
    credential: tuple[str, Json] | None


def prepare_events(events: Sequence[tuple[Any, int]]) -> list[PreparedEvent]:
    return [prepare_event(event, position) for event, position in events]


def prepare_event(event: Any, position: int) -> PreparedEvent:
    """Only the conversions the event's aggregate calls for: a fact for a learner's aggregates, a catalogue change for
    a provider's, achievement's or employer's, a credential row for a credential's (one of the learner's); a log row
    for every event."""
    aggregate = aggregate_class(event)
    fact = learner_fact(event, position) if aggregate in LEARNER_AGGREGATES else None
    recorded_at = fact[1]["recorded_at"] if fact is not None else moment(event.timestamp)
    return PreparedEvent(
        position, (position, recorded_at, event_name(event), fact[0] if fact is not None else None), fact,
        catalogue_change(event) if aggregate in CATALOGUE_AGGREGATES else None,
        credential_change(event) if fact is not None else None)


class ViewBatch:
    """The changes of one batch of events, gathered in memory and written at the end with a few statements: each
    learner's state read once and written once, catalogue entries read once, index rows rewritten once per learner.

    Index rows depend on a learner's final state and on whether the providers behind their evidence are registered;
    a provider is registered when created and may only be deregistered after, which re-indexes every learner. So
    indexing at the end of the batch, against the catalogue as the batch leaves it, gives the rows event-by-event
    processing gives, whatever the batch boundaries."""

    def __init__(self, views: LedgerViews, cursor: Any, catalogue: dict[tuple[str, str], Json | None] | None = None):
        self.views = views
        self.cursor = cursor
        self.catalogue = CursorCatalogue(views, cursor)
        self.catalogue.memo.update(catalogue or {})
        self.signable = False  # a learner's state or a credential changed: what the signing step looks for

    def apply(self, events: Sequence[PreparedEvent]) -> None:
        views, cursor = self.views, self.cursor
        # A write first: on SQLite it takes the write lock before anything is read, so that no other writer can
        # commit between this transaction's first read and its first write (which would fail it as "locked").
        views.insert_rows(cursor, "log", ("position", "recorded_at", "fact", "learner_id"),
                          [event.log_row for event in events])
        learner_ids = list(dict.fromkeys(event.fact[0] for event in events
                                         if event.fact is not None and event.fact[1]["fact"] != OPENED))
        states = views.learner_states(cursor, learner_ids)
        existing = set(states)
        catalogue_rows: list[tuple[Any, ...]] = []
        fact_rows: list[tuple[Any, ...]] = []
        stated_work: list[tuple[Any, ...]] = []
        openings: list[tuple[Any, ...]] = []
        issued: dict[str, Json] = {}
        changed: dict[str, Json] = {}
        shares_changed: dict[str, None] = {}
        skills_changed: dict[str, None] = {}
        reindex_all = False
        for event in events:
            if event.catalogue is not None:
                kind, entry_id, data = event.catalogue
                doc = apply_catalogue(kind, entry_id, self.catalogue.entry(kind, entry_id), data)
                self.catalogue.memo[(kind, entry_id)] = doc
                catalogue_rows.append((kind, entry_id, event.position, dumps(doc)))
                if kind == "provider" and data["fact"] == "Deregistered":
                    reindex_all = True  # verified evidence depends on the provider being registered
            if event.credential is not None:
                self._change_credential(issued, changed, event.position, *event.credential)
            if event.fact is not None:
                learner_id, learner_change = event.fact
                fact_rows.append((learner_id, learner_change["position"], dumps(learner_change)))
                if learner_change["fact"] == OPENED:
                    openings.append(_opening(learner_id, learner_change))
                    continue
                if learner_id not in states:
                    states[learner_id] = learner_state.empty(learner_id)
                learner_state.advance(states[learner_id], learner_change)
                stated_work += _naming_employer(learner_id, learner_change)
                if learner_change["fact"].startswith("Learner."):
                    shares_changed[learner_id] = None
                if learner_change["fact"] not in FACTS_WITHOUT_SKILL_EVIDENCE:
                    skills_changed[learner_id] = None

        self.signable = bool(learner_ids or issued or changed)
        views.insert_rows(cursor, "catalogue", ("kind", "id", "position", "doc"), catalogue_rows)
        views.insert_rows(cursor, "credentials", ("credential_id", "learner_id", "provider_id", "achievement_id",
                                                  "status", "status_index", "issued_on", "expires_on", "replaced_by",
                                                  "document", "position"),
                          [(credential_id, c["learner_id"], c["provider_id"], c["achievement_id"], c["status"],
                     c["status_index"], c["issued_on"], c["expires_on"], c["replaced_by"], dumps(c["document"]),
                     c["position"]) for credential_id, c in issued.items()])
        views.many(cursor, "UPDATE {credentials} SET status = ?, replaced_by = COALESCE(?, replaced_by), position = ?"
                           " WHERE credential_id = ?",
                   [(c["status"], c["replaced_by"], c["position"], credential_id)
                    for credential_id, c in changed.items()])
        views.insert_rows(cursor, "facts", ("learner_id", "position", "fact"), fact_rows)
        views.insert_rows(cursor, "stated_work", ("employer_id", "position", "learner_id"), stated_work)
        views.insert_rows(cursor, "share_openings", ("share_id", "position", "learner_id", "opened_at", "viewer",
                                                     "recorded_by"), openings)
        views.many(cursor, "UPDATE {learners} SET position = ?, state = ? WHERE learner_id = ?",
                   [(states[i]["position"], dumps(states[i]), i) for i in learner_ids if i in existing])
        views.insert_rows(cursor, "learners", ("learner_id", "position", "state"),
                          [(i, states[i]["position"], dumps(states[i])) for i in learner_ids if i not in existing])
        if shares_changed:
            self._index_shares({i: states[i] for i in shares_changed})
        if reindex_all:
            everyone = {row["learner_id"]: loads(row["state"])
                        for row in views.all(cursor, "SELECT learner_id, state FROM {learners}")}
            self._index_skills({**everyone, **states})
        elif skills_changed:
            self._index_skills({i: states[i] for i in skills_changed})

    @staticmethod
    def _change_credential(issued: dict[str, Json], changed: dict[str, Json], position: int, credential_id: str,
                           change: Json) -> None:
        """The credential rows to insert (issued in the batch) and to update (issued before it), as the batch
        leaves them: a later status change applies to a row issued earlier in the batch in place."""
        if "document" in change:
            issued[credential_id] = {**change, "position": position}
            return
        row = issued.get(credential_id)
        if row is None:
            row = changed.setdefault(credential_id, {"replaced_by": None})
        row["status"] = change["status"]
        row["position"] = position
        if change.get("replaced_by") is not None:
            row["replaced_by"] = change["replaced_by"]

    def _index_skills(self, states: dict[str, Json]) -> None:
        views, cursor = self.views, self.cursor
        views.delete_learner_rows(cursor, "learner_skills", list(states))
        rows = [(learner_id, row.skill_url, row.level, row.last_evidenced.isoformat(), row.rank, row.verified_level,
                 row.verified_last.isoformat() if row.verified_last else None)
                for learner_id, state in states.items()
                for row in skill_index_rows(LearnerRecord.of(state), self.catalogue)]
        views.insert_rows(cursor, "learner_skills", ("learner_id", "skill_url", "level", "last_evidenced", "rank",
                                                     "verified_level", "verified_last"), rows)

    def _index_shares(self, states: dict[str, Json]) -> None:
        views, cursor = self.views, self.cursor
        views.delete_learner_rows(cursor, "share_skills", list(states))
        views.delete_learner_rows(cursor, "shares", list(states))
        shares: list[tuple[Any, ...]] = []
        share_skills: list[tuple[Any, ...]] = []
        for learner_id, state in states.items():
            for share in state["shares"].values():
                shares.append((share["share_id"], learner_id, share["employer_id"], share["token_hash"],
                               share["expires_at"], int(share["revoked"])))
                share_skills += [(share["share_id"], url, share["employer_id"], learner_id)
                                 for url in dict.fromkeys(share["skill_urls"])]
        views.insert_rows(cursor, "shares", ("share_id", "learner_id", "employer_id", "token_hash", "expires_at",
                                             "revoked"), shares)
        views.insert_rows(cursor, "share_skills", ("share_id", "skill_url", "employer_id", "learner_id"), share_skills)


def _opening(learner_id: str, change: Json) -> tuple[str, int, str, str, str, str]:
    return (change["data"]["share_id"], change["position"], learner_id, change["recorded_at"], change["data"]["viewer"],
            change["recorded_by"])


def _naming_employer(learner_id: str, change: Json) -> list[tuple[str, int, str]]:
    """A statement of work naming a registered employer, as a row of the employer's index."""
    if change["fact"] != STATED_WORK:
        return []
    employer_id = change["data"]["position"].get("employer_id")
    return [(employer_id, change["position"], learner_id)] if employer_id else []
