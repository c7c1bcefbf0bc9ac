"""The employer skill query, given index rows, then the matches: every wanted skill or nothing, in the order asked."""

from datetime import date
from uuid import uuid4

from projections.skill_query import IndexMatch, learners_holding
from projections.skills import Verification
from tests.read_models.given import COMMUNICATION, TEAMWORK

ONE, TWO = uuid4(), uuid4()
SHARE_A, SHARE_B, SHARE_C = uuid4(), uuid4(), uuid4()


def row(learner, share, url, level=2, verified_level=None, rank=1):
    return IndexMatch(learner, share, url, level, date(2025, 3, 1), rank, verified_level,
                      date(2024, 1, 1) if verified_level else None)


def test_a_learner_matches_only_holding_every_wanted_skill_in_the_order_asked():
    rows = [row(ONE, SHARE_A, COMMUNICATION, rank=3, verified_level=2), row(ONE, SHARE_B, TEAMWORK),
            row(TWO, SHARE_C, COMMUNICATION)]
    [match] = learners_holding(rows, [TEAMWORK, COMMUNICATION], verified_only=False)
    assert match.learner_id == ONE and match.share_ids == (SHARE_A, SHARE_B)
    assert [(s.skill_url, s.verification) for s in match.skills] == [
        (TEAMWORK, Verification.SELF_ASSERTED), (COMMUNICATION, Verification.VERIFIED)]


def test_verified_only_answers_third_party_level_and_date():
    rows = [row(ONE, SHARE_A, COMMUNICATION, level=4, verified_level=2, rank=2),
            row(ONE, SHARE_B, COMMUNICATION, level=4, verified_level=2, rank=2)]
    [match] = learners_holding(rows, [COMMUNICATION], verified_only=True)
    assert match.share_ids == (SHARE_A, SHARE_B)
    [skill] = match.skills
    assert (skill.level, skill.last_evidenced, skill.verification) == (2, date(2024, 1, 1), Verification.ATTESTED)
