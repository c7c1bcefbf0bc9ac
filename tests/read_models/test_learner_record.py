"""Given domain events (made by the aggregates in memory, no database), then the learner's typed record: the fold
dispatches on the events' classes, and the record reads what the views need."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

from domain.credential import Credential, CredentialBasis, CredentialStatus, CredentialTerms
from domain.enrolment import Assessment, Enrolment
from domain.values import Actor, AssessmentOutcome, SkillLevel
from projections.facts import learner_fact
from projections.learner_record import LearnerRecord
from projections.learner_state import fold
from projections.skills import skills_profile
from tests.read_models.given import COMMUNICATION, LEARNER, UNIVERSITY, achievement, catalogue

PROVIDER = Actor.provider(UNIVERSITY)
MICRO = achievement("Speaking")


def record_of(*aggregates: Enrolment | Credential) -> LearnerRecord:
    happened = [event for aggregate in aggregates for event in aggregate.collect_events()]
    facts = [learner_fact(event, position) for position, event in enumerate(happened, start=1)]
    return LearnerRecord.of(fold(str(LEARNER), [fact for _, fact in filter(None, facts)]))


def assessed(levels: int, corrects: Assessment | None = None) -> Assessment:
    return Assessment(uuid4(), "Presentation", AssessmentOutcome.PASSED, "B", (SkillLevel(COMMUNICATION, levels),),
                      (), "Dr Tane", date(2024, 5, 1), corrects.assessment_id if corrects else None)


def test_an_enrolment_with_a_corrected_assessment_and_a_suspended_credential():
    course = Enrolment.enrol(learner_id=LEARNER, achievement_id=uuid4(), provider_id=UNIVERSITY, term="2024-T1",
                             actor=PROVIDER, effective=date(2024, 2, 1))
    first = assessed(2)
    course.record_assessment(first, PROVIDER, date(2024, 5, 1))
    course.record_assessment(assessed(4, corrects=first), PROVIDER, date(2024, 5, 2))
    course.complete(PROVIDER, date(2024, 5, 3))
    terms = CredentialTerms(CredentialBasis.ENROLMENT, course.id, date(2024, 6, 1), None, Decimal(15),
                            (SkillLevel(COMMUNICATION, 4),))
    issued = Credential.issue(credential_id=uuid4(), learner_id=LEARNER, provider_id=UNIVERSITY,
                              achievement_id=course.achievement_id, terms=terms, status_index=7, document="",
                              actor=PROVIDER, effective=date(2024, 6, 1))
    issued.suspend("under review", PROVIDER, date(2024, 7, 1))

    record = record_of(course, issued)

    [enrolment] = record.enrolments
    assert [a.skill_levels for a in enrolment.current_assessments()] == [{COMMUNICATION: 4}]
    assert enrolment.completed_on == date(2024, 5, 3)
    [credential] = record.credentials
    assert credential.status is CredentialStatus.SUSPENDED and credential.basis_id == course.id
    micro = {**MICRO, "id": str(course.achievement_id)}
    entry = skills_profile(record, catalogue(micro), date(2025, 1, 1), 3.0).skill(COMMUNICATION)
    assert entry is not None and entry.level == 4 and len(entry.evidence) == 2
