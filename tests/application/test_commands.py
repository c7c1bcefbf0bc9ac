"""Commands are frozen data: their name and idempotency fingerprint derive from the command itself."""

import dataclasses
from datetime import date
from uuid import UUID, uuid4

import pytest

import application.commands as commands
from application.commands import (
    Enrol,
    RecordAssessment,
    RegisterLearner,
    RevokeCredential,
    SuspendCredential,
)
from application.commands.credentials import CredentialStatusChange
from application.ledger import HANDLERS
from domain.values import AssessmentOutcome, Evidence, Identifier, SkillLevel

LEARNER, COURSE = uuid4(), uuid4()


def test_the_name_is_the_class_name_in_snake_case() -> None:
    assert Enrol.command_name == "enrol"
    assert RecordAssessment.command_name == "record_assessment"
    assert RegisterLearner.command_name == "register_learner"


def test_a_command_is_frozen() -> None:
    command = Enrol(LEARNER, COURSE, "2025-T1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.term = "2025-T2"  # type: ignore[misc]


def test_equal_commands_have_equal_fingerprints() -> None:
    assert Enrol(LEARNER, COURSE, "2025-T1").fingerprint() == Enrol(LEARNER, COURSE, "2025-T1").fingerprint()


@pytest.mark.parametrize("change", [
    {"term": "2025-T2"}, {"achievement_id": uuid4()}, {"effective": date(2025, 3, 1)},
])
def test_any_field_changes_the_fingerprint(change: dict[str, object]) -> None:
    command = Enrol(LEARNER, COURSE, "2025-T1")
    assert dataclasses.replace(command, **change).fingerprint() != command.fingerprint()  # type: ignore[arg-type]


def test_nested_values_count() -> None:
    assessed = RecordAssessment(uuid4(), "Portfolio", AssessmentOutcome.PASSED, "Dr Tane",
                                skill_levels=(SkillLevel("https://skills.example/a", 3),))
    higher = dataclasses.replace(assessed, skill_levels=(SkillLevel("https://skills.example/a", 4),))
    assert higher.fingerprint() != assessed.fingerprint()


def test_the_order_a_mapping_was_filled_in_does_not_count() -> None:
    identifier = Identifier("student id", "S1")
    one = RegisterLearner(identifier, {"name": "Aroha", "email": "a@example.org"})
    other = RegisterLearner(identifier, {"email": "a@example.org", "name": "Aroha"})
    assert one.fingerprint() == other.fingerprint()


def test_the_same_fields_in_another_command_are_another_command() -> None:
    credential = uuid4()
    assert SuspendCredential(credential, "x").fingerprint() != RevokeCredential(credential, "x").fingerprint()


def test_every_command_has_one_handler() -> None:
    declared = {getattr(commands, name) for name in commands.__all__} - {commands.Command, CredentialStatusChange}
    assert declared == set(HANDLERS)


def test_a_fingerprint_is_stable_across_releases() -> None:
    """Stored in each idempotency key's claim: a retry after an upgrade must still match the first attempt."""
    assessed = RecordAssessment(UUID(int=7), "Portfolio", AssessmentOutcome.PASSED, "Dr Tane", score="B",
                                skill_levels=(SkillLevel("https://skills.example/a", 3),),
                                evidence=(Evidence("Deck", "https://e.example/1"),), assessed_on=date(2025, 3, 1))
    registered = RegisterLearner(Identifier("student id", "S1"), {"name": "Aroha", "email": "a@example.org"})
    assert assessed.fingerprint() == "eb7006114ff05cd389860a895e6db0533a02d6a57c88df1284353cd309e78444"
    assert registered.fingerprint() == "8f3a6f907d0bd655f4e267b00d1e70433839ee0cca8fa817516610f616ce737b"
    assert Enrol(UUID(int=1), UUID(int=2), "2025-T1").fingerprint() == (
        "a6f6f0e03d460c17020b1450dda6c3f4c61406a3bf528dce775c47adc7911bb4")
