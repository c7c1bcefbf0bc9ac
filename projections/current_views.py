"""Each learner's current views, computed once per change: what a read of the skills profile or an employer view
costs does not grow with the learner's history.

A learner's state, typed record and catalogue are kept in memory with the version they were read at: the learner's
position and the catalogue's. A read asks the views for that version (one indexed row) and reuses what it holds while
neither moved; the answers computed from them (a skills profile on a day, a share's employer view on a day) are kept
with it. Every answer is still the pure function's (`skills_profile`, `employer_view`): only its reuse is new.
Opening a share changes the learner (the opening is recorded) but no skills profile, employer view or CLR: when only
openings happened since, the learner kept is moved to the new version with those answers, without reading the state
again (what is kept is never asked for the shares' access logs)."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from projections import events
from projections.catalogue import CatalogueSnapshot
from projections.learner_record import LearnerRecord
from projections.queries import KeptCatalogue

Json = dict[str, Any]
T = TypeVar("T")
LEARNERS_KEPT = 128  # learners whose current views one process keeps (each holds its state, record and answers)
ANSWERS_KEPT = 16  # answers kept per learner (days, shares)
CARRIED_OVER = frozenset({"skills", "employer view"})  # answers that share openings do not change
OPENING = events.name(events.ShareOpened)
OPENINGS_CHECKED = 8  # more new facts than this: not only openings, or not worth checking
OPENINGS_REMEMBERED = 4096  # (learner, from, to) answers of only_openings_between kept


class VersionedLearners(Protocol):
    def learner_version(self, learner_id: str) -> tuple[int, int] | None: ...

    def learner_at_version(self, learner_id: str, kept: KeptCatalogue | None = None
                           ) -> tuple[Json | None, CatalogueSnapshot, tuple[int, int]]: ...

    def fact_names_between(self, learner_id: str, after: int, upto: int, limit: int) -> list[str]: ...


@dataclass
class CurrentLearner:
    """A learner's state, record and catalogue at one version, and the answers computed from them."""

    version: tuple[int, int]
    state: Json
    record: LearnerRecord
    catalogue: CatalogueSnapshot
    answers: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def opened(self, version: tuple[int, int]) -> CurrentLearner:
        """The learner at a version reached by share openings alone: the same state, record and catalogue, moved to
        the new position (their access logs are not read here), and the answers openings do not change."""
        position = version[0]
        moved = CurrentLearner(version, {**self.state, "position": position},
                               dataclasses.replace(self.record, position=position), self.catalogue)
        with self.lock:
            moved.answers.update((key, _at(value, position)) for key, value in self.answers.items()
                                 if key[0] in CARRIED_OVER)
        return moved

    def answer(self, key: Any, compute: Callable[[], T]) -> T:
        with self.lock:
            if key in self.answers:
                self.answers.move_to_end(key)
                return self.answers[key]  # type: ignore[no-any-return]
        value = compute()
        with self.lock:
            self.answers[key] = value
            while len(self.answers) > ANSWERS_KEPT:
                self.answers.popitem(last=False)
        return value


class CurrentLearners:
    """The learners read lately, each at their current version (least recently read dropped first)."""

    def __init__(self, views: VersionedLearners, size: int = LEARNERS_KEPT):
        self.views = views
        self.size = size
        self.kept: OrderedDict[str, CurrentLearner] = OrderedDict()
        self.lock = threading.Lock()
        self.openings_only: OrderedDict[tuple[str, int, int], bool] = OrderedDict()
        self.catalogue = KeptCatalogue()

    def get(self, learner_id: str, version: tuple[int, int] | None = None,
            position: int | None = None) -> CurrentLearner | None:
        """The learner as the views hold them now (at `version`, if the caller just read it; `position`: the
        learner's position, if the caller just read that); None for an unknown learner."""
        with self.lock:
            kept = self.kept.get(learner_id)
        if kept is not None and version is None and position is not None and position != kept.version[0] \
                and not self.only_openings(learner_id, kept.version[0], position):
            kept = None  # changed since: read at once
        if kept is not None:  # else the state is read at once, with its version
            version = version or self.views.learner_version(learner_id)
            if version is None:
                return None
            if kept.version == version:
                with self.lock:
                    if learner_id in self.kept:
                        self.kept.move_to_end(learner_id)
                return kept
            if kept.version[1] == version[1] and self.only_openings(learner_id, kept.version[0], version[0]):
                return self._keep(learner_id, kept.opened(version))
        state, catalogue, read_at = self.views.learner_at_version(learner_id, self.catalogue)
        if state is None:
            return None
        return self._keep(learner_id, CurrentLearner(read_at, state, LearnerRecord.of(state), catalogue))

    def _keep(self, learner_id: str, fresh: CurrentLearner) -> CurrentLearner:
        with self.lock:
            kept = self.kept.get(learner_id)
            if kept is None or kept.version <= fresh.version:
                self.kept[learner_id] = fresh
                self.kept.move_to_end(learner_id)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return fresh

    def only_openings(self, learner_id: str, after: int, upto: int) -> bool:
        """`only_openings_between`, remembered: a learner's facts up to a position never change."""
        key = (learner_id, after, upto)
        with self.lock:
            known = self.openings_only.get(key)
        if known is None:
            known = only_openings_between(self.views, learner_id, after, upto)
            with self.lock:
                self.openings_only[key] = known
                while len(self.openings_only) > OPENINGS_REMEMBERED:
                    self.openings_only.popitem(last=False)
        return known


class FactNames(Protocol):
    def fact_names_between(self, learner_id: str, after: int, upto: int, limit: int) -> list[str]: ...


def only_openings_between(views: FactNames, learner_id: str, after: int, upto: int) -> bool:
    """Whether the learner's facts after one position up to another are all share openings (and there are some)."""
    if not after < upto:
        return False
    names = views.fact_names_between(learner_id, after, upto, OPENINGS_CHECKED + 1)
    return 0 < len(names) <= OPENINGS_CHECKED and all(name == OPENING for name in names)


def _at(answer: T, position: int) -> T:
    """An answer carried over, saying the position it now answers for (a skills profile names it)."""
    if dataclasses.is_dataclass(answer) and not isinstance(answer, type) and hasattr(answer, "position"):
        return dataclasses.replace(answer, position=position)  # type: ignore[return-value]
    return answer
