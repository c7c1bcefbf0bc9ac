"""Pathway allocation, given typed facts, then the view: rules fill in order up to their maximum, and one piece of
learning counts once."""

from decimal import Decimal
from uuid import UUID

import pytest

from domain.credential import CredentialBasis, CredentialStatus
from domain.values import RplOutcome
from projections.catalogue import Json
from projections.learner_record import LearnerRecord
from projections.pathway import NoSuchQualification, NotCounted, PathwayProgress, pathway
from tests.read_models.given import (
    TAFE,
    UNIVERSITY,
    achievement,
    catalogue,
    credential,
    learner,
    rpl_case,
    rule,
)


def degree(*rules: Json) -> Json:
    return achievement("Bachelor", kind="Degree", credits="360", credit_rules=list(rules))


def progress_of(record: LearnerRecord, qualification: Json, *achievements: Json) -> PathwayProgress:
    return pathway(record, catalogue(qualification, *achievements), UUID(qualification["id"]))


def test_each_credential_fills_the_first_rule_that_accepts_it_up_to_its_maximum():
    bachelor = degree(rule("University electives", ("MicroCredential",), "20", from_provider=UNIVERSITY),
                      rule("Any electives", ("MicroCredential", "Course"), "30"))
    first, second, tafe = achievement("A"), achievement("B"), achievement("C", provider=TAFE)
    record = learner(credentials=(credential(first, position=1), credential(second, position=2),
                                  credential(tafe, credits="10", position=3)))
    progress = progress_of(record, bachelor, first, second, tafe)
    university, anywhere = progress.rules
    assert (university.filled, university.remaining) == (Decimal(20), Decimal(0))
    assert [f.counted for f in university.facts] == [Decimal(15), Decimal(5)]
    assert anywhere.filled == Decimal(10) and [f.counted for f in anywhere.facts] == [Decimal(10)]
    assert progress.filled == Decimal(30) and progress.not_counted == ()


def test_two_credentials_on_the_same_basis_count_once():
    bachelor = degree(rule("Electives", ("MicroCredential",), "60"))
    micro = achievement("A")
    original = credential(micro, position=1)
    twin = credential(micro, basis_id=original.basis_id, position=2)
    progress = progress_of(learner(credentials=(twin, original)), bachelor, micro)
    assert progress.filled == Decimal(15)
    assert [f.id for f in progress.rules[0].facts] == [original.credential_id], "the earlier issued counts"
    assert [(f.id, f.not_counted) for f in progress.not_counted] == [(twin.credential_id, NotCounted.SAME_BASIS)]


def test_the_same_achievement_on_another_basis_counts_again():
    bachelor = degree(rule("Electives", ("MicroCredential",), "60"))
    micro = achievement("A")
    record = learner(credentials=(credential(micro, position=1), credential(micro, position=2)))
    assert progress_of(record, bachelor, micro).filled == Decimal(30)


def test_an_rpl_grant_counts_unless_a_credential_was_issued_on_it():
    bachelor = degree(rule("Electives", ("MicroCredential",), "60"))
    micro, other = achievement("A"), achievement("B")
    recognised = rpl_case(micro, credits="10")
    on_it = credential(micro, basis=CredentialBasis.RECOGNITION, basis_id=recognised.case_id, credits="15")
    alone = rpl_case(other, credits="10")
    progress = progress_of(learner(credentials=(on_it,), rpl_cases=(recognised, alone)), bachelor, micro, other)
    assert progress.filled == Decimal(25)
    assert {f.id for f in progress.rules[0].facts} == {on_it.credential_id, alone.case_id}


def test_declined_appealed_and_non_rpl_rules_leave_rpl_uncounted():
    bachelor = degree(rule("Courses only", ("MicroCredential",), "60", accepts_rpl=False))
    micro = achievement("A")
    cases = (rpl_case(micro, credits="0", outcome=RplOutcome.DECLINED), rpl_case(micro, appealed=True),
             rpl_case(micro, credits="10"))
    progress = progress_of(learner(rpl_cases=cases), bachelor, micro)
    assert progress.filled == Decimal(0)
    assert [f.not_counted for f in progress.not_counted] == [NotCounted.NO_RULE]


def test_only_active_credentials_count_and_not_the_qualification_itself():
    bachelor = degree(rule("Anything", ("MicroCredential", "Degree"), "400"))
    micro = achievement("A")
    record = learner(credentials=(credential(micro, status=CredentialStatus.SUSPENDED),
                                  credential(micro, status=CredentialStatus.REVOKED),
                                  credential(bachelor, credits="360")))
    assert progress_of(record, bachelor, micro).filled == Decimal(0)


def test_a_credential_without_credit_is_listed_as_not_counted():
    bachelor = degree(rule("Electives", ("MicroCredential",), "60"))
    micro = achievement("A", credits=None)
    free = credential(micro, credits=None)
    progress = progress_of(learner(credentials=(free,)), bachelor, micro)
    assert [(f.id, f.not_counted) for f in progress.not_counted] == [(free.credential_id, NotCounted.NO_CREDIT)]


def test_an_achievement_without_credit_rules_is_no_qualification():
    micro = achievement("A")
    with pytest.raises(NoSuchQualification):
        progress_of(learner(), micro)
