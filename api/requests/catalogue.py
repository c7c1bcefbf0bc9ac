"""Defining an achievement."""

from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest, CreditRuleIn, SkillIn
from api.types import BusinessDate, Credits, Hours, RequiredShortText, RequiredText
from application.commands import Command, DefineAchievement
from domain.achievement import AchievementSpec
from domain.values import AchievementType, LevelFramework


class AchievementDefinition(CommandRequest):
    achievement_type: AchievementType
    name: RequiredShortText
    description: RequiredText
    criteria: RequiredText
    learning_outcomes: list[RequiredText] = Field(default_factory=list, max_length=50)
    skills: list[SkillIn] = Field(default_factory=list, max_length=100)
    credits: Credits | None = None
    hours: Hours | None = None
    level: int | None = Field(default=None, ge=1, le=10)
    level_framework: LevelFramework | None = None
    review_date: BusinessDate | None = None
    credit_rules: list[CreditRuleIn] = Field(default_factory=list, max_length=20)
    stacks_into: list[UUID] = Field(default_factory=list, max_length=20,
                                    description="Qualifications this achievement counts toward")
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        spec = AchievementSpec(
            achievement_type=self.achievement_type, name=self.name, description=self.description,
            criteria=self.criteria, learning_outcomes=tuple(self.learning_outcomes),
            skills=tuple(s.value_object() for s in self.skills), credits=self.credits, hours=self.hours,
            level=self.level, level_framework=self.level_framework, review_date=self.review_date,
            credit_rules=tuple(r.value_object() for r in self.credit_rules), stacks_into=tuple(self.stacks_into),
        )
        return DefineAchievement(spec, self.effective)
