"""Registering providers, employers and learners; rotating keys; tokens."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from application.commands.base import Command
from domain.values import Actor, Identifier


@dataclass(frozen=True)
class RegisterProvider(Command):
    name: str
    identifiers: tuple[Identifier, ...]
    website: str = ""
    effective: date | None = None


@dataclass(frozen=True)
class RotateProviderKey(Command):
    provider_id: UUID


@dataclass(frozen=True)
class DeregisterProvider(Command):
    provider_id: UUID
    reason: str
    effective: date | None = None


@dataclass(frozen=True)
class RegisterEmployer(Command):
    name: str
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True)
class RegisterLearner(Command):
    """`profile` is personal data: sealed apart from the facts, never logged."""

    primary_identifier: Identifier
    profile: Mapping[str, str] = field(default_factory=dict)
    did: str = ""
    effective: date | None = None


@dataclass(frozen=True)
class IssueToken(Command):
    principal: Actor


@dataclass(frozen=True)
class RevokeToken(Command):
    token: str
