"""A frozen dataclass with the lean ``__init__`` is made as its own ``__init__`` makes it: the same fields in the same
order, defaults, ``__post_init__`` checks, errors, and still frozen."""

import dataclasses
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from application.authorization import Parties
from application.commands.enrolments import CompleteEnrolment, Enrol, RecordAssessment, WithdrawEnrolment
from application.ledger import Written
from domain.enrolment import Assessment
from domain.errors import DomainError
from domain.frozen import lean_init
from domain.values import Actor, AssessmentOutcome, Evidence, SkillLevel

LEVELS = (SkillLevel("https://s.example/a", 3),)
CALLS: list[tuple[type[Any], tuple[Any, ...], dict[str, Any]]] = [
    (Enrol, (uuid4(), uuid4(), "2026-T1"), {}),
    (Enrol, (uuid4(), uuid4(), "2026-T1", date(2026, 2, 1)), {}),
    (RecordAssessment, (uuid4(), "Essay", AssessmentOutcome.PASSED, "Dr A"), {"skill_levels": LEVELS}),
    (RecordAssessment, (), {"enrolment_id": uuid4(), "title": "T", "outcome": AssessmentOutcome.FAILED,
                            "assessor": "A", "score": "C", "corrects": uuid4()}),
    (CompleteEnrolment, (uuid4(),), {}),
    (WithdrawEnrolment, (uuid4(), "moved"), {"effective": date(2026, 5, 1)}),
    (SkillLevel, ("https://s.example/a", 5), {}),
    (SkillLevel, ("https://s.example/a", 6), {}),
    (Evidence, ("Portfolio",), {}),
    (Evidence, (" ",), {"url": "https://e.example"}),
    (Assessment, (uuid4(), "T", AssessmentOutcome.PASSED, "B", LEVELS, (), "A", date(2026, 3, 1)), {}),
    (Parties, (), {"provider_id": uuid4()}),
    (Parties, (uuid4(), uuid4(), None, Actor.admin()), {}),
    (Written, (uuid4(), 7), {"pending": 3}),
    (Written, (uuid4(), 7, "token", True), {}),
    (Enrol, (uuid4(),), {}),
    (SkillLevel, ("u", 1, 2), {}),
    (Evidence, ("d",), {"description": "d"}),
    (Parties, (), {"learner": uuid4()}),
]


def _made(make: Any, cls: type[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    made = object.__new__(cls)
    try:
        make(made, *args, **kwargs)
    except (DomainError, TypeError) as error:
        return type(error), str(error)
    return list(vars(made).items())


@pytest.mark.parametrize(("cls", "args", "kwargs"), CALLS)
def test_the_lean_init_makes_what_the_dataclass_init_makes(
        cls: type[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    assert cls.__init__ is not vars(cls)["__init__"].__wrapped__
    assert _made(cls.__init__, cls, args, kwargs) == _made(cls.__init__.__wrapped__, cls, args, kwargs)


def test_an_instance_stays_frozen_and_equal_to_its_like() -> None:
    levels = SkillLevel("https://s.example/a", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        levels.level = 4  # type: ignore[misc]
    assert levels == SkillLevel("https://s.example/a", 3) and hash(levels) == hash(SkillLevel("https://s.example/a", 3))


def test_a_class_it_does_not_fit_keeps_its_own_init() -> None:
    @dataclasses.dataclass(frozen=True)
    class Listed:
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        value: int

    @dataclasses.dataclass
    class Open:
        value: int

    for cls in (Listed, Slotted, Open):
        own = vars(cls)["__init__"]
        assert lean_init(cls).__init__ is own
