"""Defining, reviewing and retiring achievements."""

from uuid import UUID

from application.authorization import Action, Parties, check
from application.commands.base import Command
from application.commands.catalogue import DefineAchievement, RetireAchievement, ReviewAchievement
from application.handlers.base import Change, Handler, Records
from domain.achievement import Achievement
from domain.errors import RuleBroken
from domain.values import Actor


def define_achievement(records: Records, actor: Actor, command: DefineAchievement) -> Change:
    check(actor, Action.DEFINE_ACHIEVEMENT)
    records.check_standing(actor)
    for qualification_id in command.spec.stacks_into:
        qualification = records.load(Achievement, qualification_id)
        if not qualification.is_qualification:
            raise RuleBroken("an achievement stacks only into a qualification", code="not-a-qualification")
        qualification.check_offered()
    achievement = Achievement.define(
        provider_id=UUID(actor.id), spec=command.spec, actor=actor,
        effective=command.effective or records.today(),
    )
    return Change(achievement.id, [achievement])


def own_achievement(records: Records, actor: Actor, achievement_id: UUID) -> Achievement:
    achievement = records.load(Achievement, achievement_id)
    check(actor, Action.CHANGE_ACHIEVEMENT, Parties(provider_id=achievement.provider_id))
    records.check_standing(actor)
    return achievement


def review_achievement(records: Records, actor: Actor, command: ReviewAchievement) -> Change:
    achievement = own_achievement(records, actor, command.achievement_id)
    achievement.review(command.next_review_date, actor, command.effective or records.today())
    return Change(achievement.id, [achievement])


def retire_achievement(records: Records, actor: Actor, command: RetireAchievement) -> Change:
    achievement = own_achievement(records, actor, command.achievement_id)
    achievement.retire(command.reason, actor, command.effective or records.today())
    return Change(achievement.id, [achievement])


HANDLERS: dict[type[Command], Handler] = {
    DefineAchievement: define_achievement, ReviewAchievement: review_achievement,
    RetireAchievement: retire_achievement,
}
