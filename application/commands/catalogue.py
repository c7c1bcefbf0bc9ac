"""Defining, reviewing and retiring achievements."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.commands.base import Command
from domain.achievement import AchievementSpec


@dataclass(frozen=True)
class DefineAchievement(Command):
    spec: AchievementSpec
    effective: date | None = None


@dataclass(frozen=True)
class ReviewAchievement(Command):
    achievement_id: UUID
    next_review_date: date
    effective: date | None = None


@dataclass(frozen=True)
class RetireAchievement(Command):
    achievement_id: UUID
    reason: str
    effective: date | None = None
