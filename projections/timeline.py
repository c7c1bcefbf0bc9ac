"""The record timeline: a learner's facts, newest first, each with a summary and who recorded it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from projections import events
from projections.catalogue import Catalogue, Json, achievement_name, actor_name, entry_name
from projections.events import EventClass
from projections.learner_record import LearnerRecord

Day = date


@dataclass(frozen=True)
class TimelineEntry:
    """One fact; `recorded_at` is fixed-width UTC text; the ids name what the fact is about."""

    position: int
    recorded_at: str
    effective: Day
    fact: str
    summary: str
    recorded_by: str
    recorded_by_name: str
    learner_id: UUID
    enrolment_id: UUID | None = None
    credential_id: UUID | None = None
    case_id: UUID | None = None
    experience_id: UUID | None = None
    share_id: UUID | None = None


SUBJECT_KEYS = ("enrolment_id", "credential_id", "case_id", "experience_id", "share_id")


def timeline_entry(fact: Json, record: LearnerRecord, catalogue: Catalogue) -> TimelineEntry:
    subject = fact["subject"]
    ids = {key: UUID(subject[key]) for key in SUBJECT_KEYS if subject.get(key)}
    return TimelineEntry(
        position=fact["position"], recorded_at=fact["recorded_at"], effective=date.fromisoformat(fact["effective"]),
        fact=fact["fact"], summary=summary(fact, record, catalogue), recorded_by=fact["recorded_by"],
        recorded_by_name=actor_name(fact["recorded_by"], catalogue), learner_id=UUID(subject["learner_id"]), **ids,
    )


Summary = Callable[[Json, Callable[[], str], Catalogue], str]


def _viewer(viewer: str, catalogue: Catalogue) -> str:
    """Who opened a share: a signed-in employer by name; anyone else as recorded ("link holder (not signed in)")."""
    return actor_name(viewer, catalogue) if viewer.startswith("employer:") else viewer


def _decision(verb: str) -> Summary:
    return lambda data, achievement, catalogue: (f"{verb}: {data['decision']['outcome'].replace('-', ' ')}, "
                                                 f"{data['decision']['credits_granted']} credits")


SUMMARIES: dict[EventClass, Summary] = {
    events.LearnerRegistered: lambda data, achievement, catalogue: "Registered with the ledger",
    events.ShareGranted: lambda data, achievement, catalogue: (
        f"Shared with {entry_name(catalogue.employer(data['share']['employer_id']))}: {data['share']['purpose']}"),
    events.ShareRevoked: lambda data, achievement, catalogue: "Revoked a share",
    events.ShareOpened: lambda data, achievement, catalogue: (
        f"A share was opened by {_viewer(data['viewer'], catalogue)}"),
    events.Erased: lambda data, achievement, catalogue: "Personal data erased",
    events.Enrolled: lambda data, achievement, catalogue: f"Enrolled in {achievement()} ({data['term']})",
    events.AssessmentRecorded: lambda data, achievement, catalogue: (
        f"Assessed: {data['assessment']['title']} ({data['assessment']['outcome']})"),
    events.Completed: lambda data, achievement, catalogue: f"Completed {achievement()}",
    events.Withdrawn: lambda data, achievement, catalogue: f"Withdrew from {achievement()}",
    events.Issued: lambda data, achievement, catalogue: f"Credential issued: {achievement()}",
    events.Suspended: lambda data, achievement, catalogue: f"Credential suspended: {data['reason']}",
    events.Reinstated: lambda data, achievement, catalogue: f"Credential reinstated: {data['reason']}",
    events.Revoked: lambda data, achievement, catalogue: f"Credential revoked: {data['reason']}",
    events.Superseded: lambda data, achievement, catalogue: "Credential superseded by a new credential",
    events.Applied: lambda data, achievement, catalogue: f"Applied for recognition of prior learning: {achievement()}",
    events.EvidenceSubmitted: lambda data, achievement, catalogue: (
        f"Evidence submitted: {data['evidence']['description']}"),
    events.Decided: _decision("RPL decision"),
    events.Appealed: lambda data, achievement, catalogue: "RPL decision appealed",
    events.Revised: _decision("RPL decision revised"),
    events.Stated: lambda data, achievement, catalogue: (
        f"Work experience: {data['position']['role']}, {data['position']['employer_name']}"),
    events.Attested: lambda data, achievement, catalogue: (
        "Work experience attested" + (f": {data['statement']}" if data["statement"] else "")),
    events.Disputed: lambda data, achievement, catalogue: f"Work experience disputed: {data['reason']}",
    events.Ended: lambda data, achievement, catalogue: f"Work experience ended on {data['ended_on']}",
}


# Facts the views keep in the timeline but fold into no state.
UNFOLDED_SUMMARIES = {"Learner.AccessGranted": "Given a token for the ledger's API"}


def summary(fact: Json, record: LearnerRecord, catalogue: Catalogue) -> str:
    cls = events.NAMES.get(fact["fact"])
    text = SUMMARIES.get(cls) if cls is not None else None
    if text is None:
        return UNFOLDED_SUMMARIES.get(fact["fact"], str(fact["fact"]))
    subject = fact["subject"]
    about = next((subject[key] for key in ("enrolment_id", "credential_id", "case_id") if key in subject), None)

    def achievement() -> str:
        achievement_id = record.achievement_of(UUID(about)) if about else None
        return achievement_name(catalogue, achievement_id, "an achievement") if achievement_id else "an achievement"

    return text(fact["data"], achievement, catalogue)
