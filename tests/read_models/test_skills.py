"""Skills profile rules, given typed facts, then the view: evidence ranking, what counts, corrections, currency."""

from datetime import date

import pytest

from domain.credential import CredentialStatus
from domain.values import AssessmentOutcome
from projections.skills import Mark, Verification, currency, skill_index_rows, skills_profile
from tests.read_models.given import (
    COMMUNICATION,
    TEAMWORK,
    UNIVERSITY,
    achievement,
    assessment,
    catalogue,
    credential,
    enrolment,
    learner,
    work,
)

ON = date(2025, 6, 1)
HALF_LIFE = 3.0


def profile_of(record, known):
    return skills_profile(record, known, ON, HALF_LIFE)


def test_currency_halves_every_half_life_and_is_whole_on_the_day():
    assert currency(ON, ON, HALF_LIFE) == 1.0
    assert currency(date(2022, 6, 1), ON, HALF_LIFE) == pytest.approx(0.5, abs=0.001)
    assert currency(date(2019, 6, 1), ON, HALF_LIFE) == pytest.approx(0.25, abs=0.001)
    assert currency(date(2026, 1, 1), ON, HALF_LIFE) == 1.0, "evidence dated after the day is current"


def test_verified_evidence_outranks_attested_and_self_asserted():
    micro = achievement("Speaking")
    record = learner(credentials=(credential(micro, levels={COMMUNICATION: 2}),),
                     work_done=(work(COMMUNICATION, attested=True, confirmed=(COMMUNICATION,)), work(TEAMWORK)))
    entry = profile_of(record, catalogue(micro)).skill(COMMUNICATION)
    assert entry is not None and entry.verification is Verification.VERIFIED
    assert {e.verification for e in entry.evidence} == {Verification.VERIFIED, Verification.ATTESTED}
    teamwork = profile_of(record, catalogue(micro)).skill(TEAMWORK)
    assert teamwork is not None and teamwork.verification is Verification.SELF_ASSERTED and teamwork.level is None


def test_attested_outranks_self_asserted_and_unconfirmed_skills_stay_self_asserted():
    record = learner(work_done=(work(COMMUNICATION, TEAMWORK, attested=True, confirmed=(COMMUNICATION,)),))
    profile = profile_of(record, catalogue())
    assert profile.skill(COMMUNICATION).verification is Verification.ATTESTED
    assert profile.skill(TEAMWORK).verification is Verification.SELF_ASSERTED


def test_a_deregistered_providers_evidence_is_unverified():
    micro = achievement("Speaking")
    record = learner(credentials=(credential(micro),))
    entry = profile_of(record, catalogue(micro, deregistered=(UNIVERSITY,))).skill(COMMUNICATION)
    assert entry is not None and entry.verification is Verification.UNVERIFIED


def test_suspended_evidence_is_listed_but_does_not_count():
    micro = achievement("Speaking")
    suspended = credential(micro, status=CredentialStatus.SUSPENDED, levels={COMMUNICATION: 5},
                           issued_on=date(2025, 1, 1))
    record = learner(credentials=(suspended,), work_done=(work(COMMUNICATION, on=date(2024, 8, 1)),))
    entry = profile_of(record, catalogue(micro)).skill(COMMUNICATION)
    assert entry is not None
    assert [e.marks for e in entry.evidence] == [(), (Mark.SUSPENDED,)]
    assert entry.level is None and entry.verification is Verification.SELF_ASSERTED
    assert entry.last_evidenced == date(2024, 8, 1)


def test_only_suspended_evidence_leaves_the_skill_unsupported_but_dated():
    micro = achievement("Speaking")
    record = learner(credentials=(credential(micro, status=CredentialStatus.SUSPENDED),))
    entry = profile_of(record, catalogue(micro)).skill(COMMUNICATION)
    assert entry is not None and entry.verification is Verification.UNSUPPORTED
    assert entry.last_evidenced == date(2024, 6, 1)


def test_a_revoked_credential_and_the_assessments_it_was_issued_on_drop_out():
    micro = achievement("Speaking")
    course = enrolment(micro, assessment({COMMUNICATION: 4}))
    revoked = credential(micro, status=CredentialStatus.REVOKED, basis_id=course.enrolment_id)
    record = learner(credentials=(revoked,), enrolments=(course,))
    assert profile_of(record, catalogue(micro)).skills == ()
    assert skill_index_rows(record, catalogue(micro)) == []


def test_a_correction_replaces_the_assessment_it_corrects():
    micro = achievement("Speaking")
    original = assessment({COMMUNICATION: 2}, on=date(2024, 5, 1))
    correction = assessment({COMMUNICATION: 4}, on=date(2024, 5, 20), corrects=original.assessment_id)
    record = learner(enrolments=(enrolment(micro, original, correction),))
    entry = profile_of(record, catalogue(micro)).skill(COMMUNICATION)
    assert entry is not None
    assert [e.id for e in entry.evidence] == [correction.assessment_id]
    assert entry.level == 4 and entry.first_evidenced == date(2024, 5, 20)


def test_a_failing_correction_removes_the_pass_it_corrects():
    micro = achievement("Speaking")
    original = assessment({COMMUNICATION: 3})
    correction = assessment({COMMUNICATION: 3}, outcome=AssessmentOutcome.FAILED, corrects=original.assessment_id)
    record = learner(enrolments=(enrolment(micro, original, correction),))
    assert profile_of(record, catalogue(micro)).skills == ()


def test_expired_evidence_is_marked_from_its_expiry_day_and_still_counts():
    micro = achievement("Speaking")
    record = learner(credentials=(credential(micro, expires_on=date(2025, 1, 1)),))
    before = skills_profile(record, catalogue(micro), date(2024, 12, 31), HALF_LIFE).skill(COMMUNICATION)
    after = skills_profile(record, catalogue(micro), date(2025, 1, 1), HALF_LIFE).skill(COMMUNICATION)
    assert before is not None and before.evidence[0].marks == ()
    assert after is not None and after.evidence[0].marks == (Mark.EXPIRED,) and after.level == 3


def test_level_is_the_highest_counting_and_dates_span_the_evidence():
    micro, other = achievement("Speaking"), achievement("Debating")
    record = learner(credentials=(credential(micro, levels={COMMUNICATION: 2}, issued_on=date(2023, 1, 1)),
                                  credential(other, levels={COMMUNICATION: 4}, issued_on=date(2024, 1, 1))))
    entry = profile_of(record, catalogue(micro, other)).skill(COMMUNICATION)
    assert entry is not None and entry.level == 4
    assert (entry.first_evidenced, entry.last_evidenced) == (date(2023, 1, 1), date(2024, 1, 1))
    assert [e.date for e in entry.evidence] == [date(2023, 1, 1), date(2024, 1, 1)]


def test_index_rows_keep_third_party_level_and_date_apart_from_self_asserted():
    micro = achievement("Speaking")
    record = learner(credentials=(credential(micro, levels={COMMUNICATION: 2}, issued_on=date(2023, 1, 1)),),
                     work_done=(work(COMMUNICATION, on=date(2024, 9, 1)),))
    [row] = skill_index_rows(record, catalogue(micro))
    assert (row.level, row.last_evidenced) == (2, date(2024, 9, 1))
    assert (row.verified_level, row.verified_last) == (2, date(2023, 1, 1))
    assert row.rank == Verification.VERIFIED.rank
