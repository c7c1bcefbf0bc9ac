"""What every request body shares, and the value objects several areas carry."""

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.types import Code, Credits, RequiredShortText, RequiredText, Url
from application.commands import Command
from domain.errors import InvalidValue
from domain.values import AchievementType, CreditRule, Evidence, Identifier, Skill, SkillLevel


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommandRequest(Model):
    """A write's body. `target` is the id in the route's path (a learner, an enrolment, ...), if any; in a batch item
    it is the field named by `target_field`."""

    target_field: ClassVar[str] = ""

    def to_command(self, target: UUID | None) -> Command:
        raise NotImplementedError


def required(target: UUID | None) -> UUID:
    if target is None:
        raise InvalidValue("this command needs the id of what it acts on")
    return target


class IdentifierIn(Model):
    scheme: RequiredShortText = Field(examples=["NZQA provider"])
    value: RequiredShortText = Field(examples=["7001"])

    def value_object(self) -> Identifier:
        return Identifier(self.scheme, self.value)


class SkillIn(Model):
    url: Url = Field(description="The skill's canonical id (absolute URL or URN)",
                     examples=["https://osmt.example.edu/api/skills/communication"])
    name: RequiredShortText
    framework: RequiredShortText = Field(examples=["OSMT RSD", "ESCO", "CASE"])
    code: Code = ""

    def value_object(self) -> Skill:
        return Skill(self.url, self.name, self.framework, self.code)


class SkillLevelIn(Model):
    skill_url: Url
    level: int = Field(ge=1, le=5, description="Demonstrated level, 1 to 5")

    def value_object(self) -> SkillLevel:
        return SkillLevel(self.skill_url, self.level)


class EvidenceIn(Model):
    description: RequiredText
    url: Url = ""

    def value_object(self) -> Evidence:
        return Evidence(self.description, self.url)


class CreditRuleIn(Model):
    label: RequiredShortText
    accepts: list[AchievementType] = Field(min_length=1, max_length=10)
    max_credits: Credits
    from_provider_id: UUID | None = None
    accepts_rpl: bool = True

    def value_object(self) -> CreditRule:
        return CreditRule(self.label, tuple(self.accepts), self.max_credits,
                          str(self.from_provider_id) if self.from_provider_id else "", self.accepts_rpl)

