"""The catalogue keeps an achievement's definition as plain JSON; read back, it is the definition the provider
stated, so the CLR's achievement is built by the same builder as a credential's at issuance."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

from credentials.open_badges import achievement_input
from credentials.urls import LedgerUrls
from domain.achievement import AchievementSpec
from domain.values import AchievementType, CreditRule, LevelFramework, Skill
from projections.catalogue import achievement_spec
from projections.clr import achievement_definition
from projections.facts import plain

SPEC = AchievementSpec(
    achievement_type=AchievementType.DEGREE, name="Bachelor of Data", description="Three years.",
    criteria="360 credits.", learning_outcomes=("Reason with data",),
    skills=(Skill("https://skills.example/data", "Data", "RSD", "D1"),
            Skill("https://skills.example/talk", "Talk", "ESCO")),
    credits=Decimal("360.00"), hours=Decimal("3600"), level=7, level_framework=LevelFramework.NZQF,
    review_date=date(2027, 1, 1),
    credit_rules=(CreditRule("Electives", (AchievementType.MICRO_CREDENTIAL, AchievementType.COURSE), Decimal("60"),
                             accepts_rpl=False),),
    stacks_into=(uuid4(),),
)


def test_a_stored_definition_reads_back_as_stated():
    assert achievement_spec({"id": str(uuid4()), "spec": plain(SPEC)}) == SPEC


def test_the_clr_achievement_is_the_one_a_credential_carries():
    achievement_id = uuid4()
    urls = LedgerUrls("https://ledger.example")
    entry = {"id": str(achievement_id), "spec": plain(SPEC)}
    assert achievement_definition(entry, urls) == achievement_input(achievement_id, SPEC, urls)
