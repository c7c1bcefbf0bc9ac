"""The domain's event classes the read side dispatches on.

`eventsourcing` makes each class from its aggregate's `@event` method, so mypy cannot see them on the aggregate:
they are named here once, with their type, and every handler table is keyed by these classes, never by topic text.
A stored fact keeps its event's qualified name (`Enrolment.AssessmentRecorded`); `NAMES` leads it back to the class.
"""

from eventsourcing.domain import DomainEvent

from domain.achievement import Achievement
from domain.credential import Credential
from domain.employer import Employer
from domain.enrolment import Enrolment
from domain.learner import Learner
from domain.provider import Provider
from domain.recognition import RecognitionCase
from domain.work_experience import WorkExperience

EventClass = type[DomainEvent]

LearnerRegistered: EventClass = Learner.Registered  # type: ignore[attr-defined]
ShareGranted: EventClass = Learner.ShareGranted  # type: ignore[attr-defined]
ShareRevoked: EventClass = Learner.ShareRevoked  # type: ignore[attr-defined]
ShareOpened: EventClass = Learner.ShareOpened  # type: ignore[attr-defined]
Erased: EventClass = Learner.Erased  # type: ignore[attr-defined]

Enrolled: EventClass = Enrolment.Enrolled  # type: ignore[attr-defined]
AssessmentRecorded: EventClass = Enrolment.AssessmentRecorded  # type: ignore[attr-defined]
Completed: EventClass = Enrolment.Completed  # type: ignore[attr-defined]
Withdrawn: EventClass = Enrolment.Withdrawn  # type: ignore[attr-defined]

Issued: EventClass = Credential.Issued  # type: ignore[attr-defined]
Suspended: EventClass = Credential.Suspended  # type: ignore[attr-defined]
Reinstated: EventClass = Credential.Reinstated  # type: ignore[attr-defined]
Revoked: EventClass = Credential.Revoked  # type: ignore[attr-defined]
Superseded: EventClass = Credential.Superseded  # type: ignore[attr-defined]

Applied: EventClass = RecognitionCase.Applied  # type: ignore[attr-defined]
EvidenceSubmitted: EventClass = RecognitionCase.EvidenceSubmitted  # type: ignore[attr-defined]
Decided: EventClass = RecognitionCase.Decided  # type: ignore[attr-defined]
Appealed: EventClass = RecognitionCase.Appealed  # type: ignore[attr-defined]
Revised: EventClass = RecognitionCase.Revised  # type: ignore[attr-defined]

Stated: EventClass = WorkExperience.Stated  # type: ignore[attr-defined]
Attested: EventClass = WorkExperience.Attested  # type: ignore[attr-defined]
Disputed: EventClass = WorkExperience.Disputed  # type: ignore[attr-defined]
Ended: EventClass = WorkExperience.Ended  # type: ignore[attr-defined]

ProviderRegistered: EventClass = Provider.Registered  # type: ignore[attr-defined]
KeyRotated: EventClass = Provider.KeyRotated  # type: ignore[attr-defined]
Deregistered: EventClass = Provider.Deregistered  # type: ignore[attr-defined]
Defined: EventClass = Achievement.Defined  # type: ignore[attr-defined]
Reviewed: EventClass = Achievement.Reviewed  # type: ignore[attr-defined]
Retired: EventClass = Achievement.Retired  # type: ignore[attr-defined]
EmployerRegistered: EventClass = Employer.Registered  # type: ignore[attr-defined]

LEARNER_EVENTS: tuple[EventClass, ...] = (
    LearnerRegistered, ShareGranted, ShareRevoked, ShareOpened, Erased, Enrolled, AssessmentRecorded, Completed,
    Withdrawn, Issued, Suspended, Reinstated, Revoked, Superseded, Applied, EvidenceSubmitted, Decided, Appealed,
    Revised, Stated, Attested, Disputed, Ended,
)
CATALOGUE_EVENTS: tuple[EventClass, ...] = (
    ProviderRegistered, KeyRotated, Deregistered, Defined, Reviewed, Retired, EmployerRegistered,
)


def name(cls: EventClass) -> str:
    """The name a stored fact keeps for its event: the class's qualified name, as in its topic."""
    return cls.__qualname__


NAMES: dict[str, EventClass] = {name(cls): cls for cls in (*LEARNER_EVENTS, *CATALOGUE_EVENTS)}
