"""The learners whose current views a process keeps: bounded by how many and by their facts in all, so many short
records or a few lifelong ones are kept; the least recently read go first."""

from typing import Any
from uuid import NAMESPACE_URL, uuid5

from projections import learner_state
from projections.catalogue import CatalogueSnapshot
from projections.current_views import CurrentLearners


def uid(name: str) -> str:
    return str(uuid5(NAMESPACE_URL, name))


class GivenLearners:
    """Learners (by name) with so many facts each, at version (1, 1); records the names whose state was read."""

    def __init__(self, facts: dict[str, int]):
        self.facts = {uid(name): count for name, count in facts.items()}
        self.names = {uid(name): name for name in facts}
        self.reads: list[str] = []

    def learner_version(self, learner_id: str) -> tuple[int, int] | None:
        return (1, 1) if learner_id in self.facts else None

    def learner_at_version(self, learner_id: str, kept: Any = None) -> tuple[Any, CatalogueSnapshot, tuple[int, int]]:
        self.reads.append(self.names[learner_id])
        state = {**learner_state.empty(learner_id), "facts": self.facts[learner_id]}
        return state, CatalogueSnapshot({}), (1, 1)


def kept_after(views: GivenLearners, reads: list[str], facts: int, size: int = 100) -> list[str]:
    current = CurrentLearners(views, size=size, facts=facts)
    for name in reads:
        current.get(uid(name))
    return [views.names[learner_id] for learner_id in current.kept]


def test_given_short_records_then_every_one_read_is_kept_and_read_once() -> None:
    views = GivenLearners({f"l{n}": 25 for n in range(40)})

    kept = kept_after(views, [f"l{n}" for n in range(40)] * 3, facts=1_000)

    assert kept == [f"l{n}" for n in range(40)]
    assert views.reads == [f"l{n}" for n in range(40)]


def test_given_more_facts_than_the_budget_then_the_least_recently_read_are_dropped() -> None:
    views = GivenLearners({"a": 10, "b": 20, "c": 15, "d": 30})

    assert kept_after(views, ["a", "b", "c"], facts=40) == ["b", "c"]
    assert kept_after(views, ["a", "b", "c", "b", "d"], facts=50) == ["b", "d"]


def test_given_a_record_longer_than_the_budget_then_it_is_kept_alone() -> None:
    views = GivenLearners({"short": 5, "lifelong": 5_000})

    assert kept_after(views, ["short", "lifelong"], facts=1_000) == ["lifelong"]


def test_given_the_count_bound_then_it_holds_whatever_the_facts() -> None:
    views = GivenLearners({f"l{n}": 1 for n in range(10)})

    assert kept_after(views, [f"l{n}" for n in range(10)], facts=1_000, size=4) == ["l6", "l7", "l8", "l9"]
