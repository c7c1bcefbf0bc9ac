"""Each learner's current views, computed once per change: what a read of the skills profile or an employer view
costs does not grow with the learner's history.

A learner's state, typed record and catalogue are kept in memory with the version they were read at: the learner's
position and the catalogue's. A read asks the views for that version (one indexed row) and reuses what it holds while
neither moved; the answers computed from them (a skills profile on a day, a share's employer view on a day) are kept
with it. Every answer is still the pure function's (`skills_profile`, `employer_view`): only its reuse is new.
Opening a share moves neither version (its access log is kept beside the state), so openings keep every answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from projections.catalogue import CatalogueSnapshot
from projections.learner_record import LearnerRecord
from projections.queries import KeptCatalogue

Json = dict[str, Any]
T = TypeVar("T")
LEARNERS_KEPT = 1024  # learners whose current views one process keeps at most (each: state, record, answers)
FACTS_KEPT = 32_000
"""The kept learners' facts in all (~2 KB each kept): many short records, or a few lifelong ones, fit."""
ANSWERS_KEPT = 16  # answers kept per learner (days, shares)
LINKS_KEPT = 4096  # share links opened here whose learner is remembered (the map starts again empty when full)


class VersionedLearners(Protocol):
    def learner_version(self, learner_id: str) -> tuple[int, int] | None: ...

    def learner_at_version(self, learner_id: str, kept: KeptCatalogue | None = None
                           ) -> tuple[Json | None, CatalogueSnapshot, tuple[int, int]]: ...

    def learner_as_read(self, state: str, version: tuple[int, int], kept: KeptCatalogue | None = None
                        ) -> tuple[Json, CatalogueSnapshot]: ...


@dataclass
class CurrentLearner:
    """A learner's state, record and catalogue at one version, and the answers computed from them."""

    version: tuple[int, int]
    state: Json
    record: LearnerRecord
    catalogue: CatalogueSnapshot
    answers: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def facts(self) -> int:
        return max(1, int(self.state.get("facts", 0)))

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

    def __init__(self, views: VersionedLearners, size: int = LEARNERS_KEPT, facts: int = FACTS_KEPT):
        self.views = views
        self.size = size
        self.facts_budget = facts
        self.facts = 0
        self.kept: OrderedDict[str, CurrentLearner] = OrderedDict()
        self.lock = threading.Lock()
        self.catalogue = KeptCatalogue()
        self.links: dict[str, str] = {}

    def position_behind(self, token_hash: str) -> int | None:
        """The position this process keeps the learner at, for a share link it opened before (None: not kept)."""
        learner_id = self.links.get(token_hash)
        with self.lock:
            kept = self.kept.get(learner_id) if learner_id is not None else None
        return None if kept is None else kept.version[0]

    def link(self, token_hash: str, learner_id: str) -> None:
        if len(self.links) >= LINKS_KEPT:
            self.links.clear()
        self.links[token_hash] = learner_id

    def get(self, learner_id: str, version: tuple[int, int] | None = None,
            position: int | None = None, state: str | None = None) -> CurrentLearner | None:
        """The learner as the views hold them now (at `version`, if the caller just read it, with their `state` then,
        as stored, if it read that too; `position`: the learner's position, if the caller just read that); None for
        an unknown learner."""
        with self.lock:
            kept = self.kept.get(learner_id)
        if kept is not None and version is None and position is not None and position != kept.version[0]:
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
        found: Json | None
        if state is not None and version is not None:  # read with the caller's statement
            found, catalogue = self.views.learner_as_read(state, version, self.catalogue)
            read_at = version
        else:
            found, catalogue, read_at = self.views.learner_at_version(learner_id, self.catalogue)
        if found is None:
            return None
        return self._keep(learner_id, CurrentLearner(read_at, found, LearnerRecord.of(found), catalogue))

    def _keep(self, learner_id: str, fresh: CurrentLearner) -> CurrentLearner:
        with self.lock:
            kept = self.kept.get(learner_id)
            if kept is None or kept.version <= fresh.version:
                self.facts += fresh.facts - (kept.facts if kept is not None else 0)
                self.kept[learner_id] = fresh
                self.kept.move_to_end(learner_id)
            while len(self.kept) > self.size or (self.facts > self.facts_budget and len(self.kept) > 1):
                self.facts -= self.kept.popitem(last=False)[1].facts
        return fresh
