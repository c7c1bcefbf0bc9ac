"""The ledger's @event methods are called without the library's per-call signature work (domain/common.py): the
same event, the same state and the same stored bytes as the library's own path, which stays one attribute away."""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import CommandMethodDecorator, decorated_func_callers, event
from hypothesis import given, settings
from hypothesis import strategies as st

import domain
from domain.common import LedgerAggregate
from domain.enrolment import Assessment, Enrolment
from domain.ids import random_id
from domain.values import Actor, AssessmentOutcome, Evidence, SkillLevel
from tests.domain.gwt import FixedClock
from tests.fakes import memory_ledger

RECORDED_AT = datetime(2026, 12, 7, 13, 0, 0, 123456, tzinfo=UTC)
MAPPER = memory_ledger(FixedClock()).mapper


def aggregate_classes() -> Iterator[type[LedgerAggregate]]:
    for module_info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, LedgerAggregate) and cls is not LedgerAggregate and cls.__module__ == module.__name__:
                yield cls


def test_every_event_method_triggers_the_event_class_the_library_defined_for_it() -> None:
    lean = 0
    for cls in aggregate_classes():
        for name, found in vars(cls).items():
            assert not (isinstance(found, CommandMethodDecorator) and found.decorated_func.__name__ != "__init__"), (
                f"{cls.__name__}.{name} is still the library's decorator")
            if hasattr(found, "decorator"):
                assert decorated_func_callers[found.decorator] is found.event_class
                assert getattr(cls, found.event_class.__name__) is found.event_class
                lean += 1
    assert lean >= 25


@contextmanager
def recorded_at_a_fixed_time() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LedgerAggregate.Event, "create_timestamp", staticmethod(lambda: RECORDED_AT))
        yield


def library_path(aggregate: LedgerAggregate, name: str) -> Any:
    return vars(type(aggregate))[name].decorator.__get__(aggregate, type(aggregate))


def twins() -> tuple[Enrolment, Enrolment]:
    with recorded_at_a_fixed_time():
        made = [Enrolment.enrol(learner_id=UUID(int=1), achievement_id=UUID(int=2), provider_id=UUID(int=3), term="T1",
                                actor=Actor.provider(UUID(int=3)), effective=date(2026, 1, 1)) for _ in range(2)]
    for enrolment in made:
        enrolment.collect_events()
    return made[0], made[1]


def same_outcome(lean: LedgerAggregate, library: LedgerAggregate) -> None:
    (lean_event,), (library_event,) = lean.collect_events(), library.collect_events()
    assert type(lean_event) is type(library_event)
    assert list(vars(lean_event).items()) == list(vars(library_event).items())
    assert MAPPER.to_stored_event(lean_event) == MAPPER.to_stored_event(library_event)
    assert vars(lean) == vars(library)


text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
described = text.filter(str.strip)  # an evidence's description is refused when blank
assessments = st.builds(
    Assessment, assessment_id=st.builds(random_id), title=text, outcome=st.sampled_from(AssessmentOutcome),
    score=st.text(max_size=5), skill_levels=st.lists(st.builds(SkillLevel, text, st.integers(1, 5)), max_size=3,
                                                     unique_by=lambda s: s.skill_url).map(tuple),
    evidence=st.lists(st.builds(Evidence, described, st.just("https://e.example/1")), max_size=2).map(tuple),
    assessor=text, assessed_on=st.dates(date(2026, 1, 1), date(2027, 1, 1)),
    corrects=st.none() | st.builds(uuid4))


@settings(max_examples=60, deadline=None)
@given(assessment=assessments, positional=st.booleans())
def test_a_recorded_assessment_is_the_event_and_state_the_library_path_makes(assessment: Assessment,
                                                                              positional: bool) -> None:
    lean, library = twins()
    actor, effective = Actor.provider(UUID(int=3)), assessment.assessed_on
    with recorded_at_a_fixed_time():
        if positional:
            lean._record_assessment(lean.learner_id, assessment, actor, effective)
        else:
            lean._record_assessment(actor=actor, effective=effective, learner_id=lean.learner_id,
                                    assessment=assessment)
        library_path(library, "_record_assessment")(library.learner_id, assessment, actor, effective)
    same_outcome(lean, library)


def test_completion_and_withdrawal_are_the_library_paths_events() -> None:
    actor = Actor.provider(UUID(int=3))
    for name, args in (("_complete", (UUID(int=1), actor, date(2026, 5, 1))),
                       ("_withdraw", (UUID(int=1), "moved away", actor, date(2026, 5, 1)))):
        lean, library = twins()
        with recorded_at_a_fixed_time():
            getattr(lean, name)(*args)
            library_path(library, name)(*args)
        same_outcome(lean, library)


def test_a_wrong_call_fails_as_the_library_fails_it() -> None:
    lean, library = twins()
    for call in (lambda e: e._complete(UUID(int=1)), lambda e: e._complete(UUID(int=1), learner_id=UUID(int=1)),
                 lambda e: e._complete(UUID(int=1), None, None, None), lambda e: e._complete(nobody=1)):
        with pytest.raises(TypeError) as lean_error:
            call(lean)
        with pytest.raises(TypeError) as library_error:
            call(type("Library", (), {"_complete": library_path(library, "_complete")})())
        assert str(lean_error.value) == str(library_error.value)
    assert lean.version == library.version == 1 and not lean.pending_events


@settings(max_examples=30, deadline=None)
@given(term=text, effective=st.dates(date(2020, 1, 1), date(2030, 1, 1)))
def test_a_created_aggregate_is_the_event_and_state_the_library_makes(term: str, effective: date) -> None:
    given = {"learner_id": uuid4(), "achievement_id": uuid4(), "provider_id": uuid4(), "term": term,
             "actor": Actor.provider(uuid4()), "effective": effective}
    aggregate_id = uuid4()
    with recorded_at_a_fixed_time():
        lean = Enrolment.create_with_id("Enrolled", aggregate_id, **given)
        library = Enrolment._create(Enrolment.Enrolled, id=aggregate_id, **given)
    same_outcome(lean, library)


def test_a_wrong_creation_fails_as_the_library_fails_it() -> None:
    for call in (lambda make: make(uuid4(), term="T1"), lambda make: make(uuid4(), nobody=1),
                 lambda make: make("not a uuid", term="T1")):
        with pytest.raises(TypeError) as lean_error:
            call(lambda aggregate_id, **kwargs: Enrolment.create_with_id("Enrolled", aggregate_id, **kwargs))
        with pytest.raises(TypeError) as library_error:
            call(lambda aggregate_id, **kwargs: Enrolment._create(Enrolment.Enrolled, id=aggregate_id, **kwargs))
        assert str(lean_error.value) == str(library_error.value)


class Noted(LedgerAggregate):
    """An event class with a field its method does not pass (it has a default): made by its own ``__init__``."""

    @event("Opened")
    def __init__(self, actor: Actor, effective: date) -> None:
        self.notes: list[str] = []

    class Annotated(LedgerAggregate.Event):
        note: str
        source: str = "import"

    @event(Annotated)
    def annotate(self, note: str, actor: Actor, effective: date) -> None:
        self.notes = [*self.notes, note]


def test_an_event_with_a_field_its_method_does_not_pass_is_made_by_its_own_init() -> None:
    actor, effective = Actor.provider(UUID(int=3)), date(2026, 1, 1)
    with recorded_at_a_fixed_time():
        lean, library = (Noted.create_with_id("Opened", UUID(int=9), actor=actor, effective=effective)
                         for _ in range(2))
        lean.collect_events(), library.collect_events()
        lean.annotate("n", actor, effective)
        library_path(library, "annotate")("n", actor, effective)
    assert vars(Noted)["annotate"].fields is None  # not made field by field
    same_outcome(lean, library)
    assert lean.notes == ["n"]
