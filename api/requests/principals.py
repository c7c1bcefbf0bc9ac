"""Registering providers, learners and employers; erasure."""

from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest, IdentifierIn, required
from api.types import BusinessDate, Code, RequiredShortText, RequiredText, ShortText, Url
from application.commands import Command, EraseLearner, RegisterEmployer, RegisterLearner, RegisterProvider


class ProviderRegistration(CommandRequest):
    name: RequiredShortText = Field(examples=["Te Whare Wānanga o Aotearoa University"])
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=20,
                                            description="Accreditation or registration identifiers")
    website: Url = Field(default="", description="An https URL", examples=["https://university.example.ac.nz"])
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return RegisterProvider(self.name, tuple(i.value_object() for i in self.identifiers), self.website,
                                self.effective)


class LearnerRegistration(CommandRequest):
    primary_identifier: IdentifierIn
    profile: dict[Code, ShortText] = Field(
        default_factory=dict, max_length=20,
        description="Personal data (name, email, ...): sealed apart from the facts, erasable",
        examples=[{"name": "Aroha Ngata", "email": "aroha@example.org"}])
    did: Url = Field(default="", description="Optional DID (starts with `did:`)")
    effective: BusinessDate | None = None

    def to_command(self, target: UUID | None) -> Command:
        return RegisterLearner(self.primary_identifier.value_object(), dict(self.profile), self.did, self.effective)


class EmployerRegistration(CommandRequest):
    name: RequiredShortText = Field(examples=["Harbour City Council"])
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)

    def to_command(self, target: UUID | None) -> Command:
        return RegisterEmployer(self.name, tuple(i.value_object() for i in self.identifiers))


class ErasureRequest(CommandRequest):
    target_field = "learner_id"
    reason: RequiredText

    def to_command(self, target: UUID | None) -> Command:
        return EraseLearner(required(target), self.reason)
