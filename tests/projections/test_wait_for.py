"""A reader in the runner's process wakes when the runner commits the position it waits for, not at its next look."""

import threading
import time

from wiring.projection_runner import ViewsRunner
from wiring.read_side import open_read_side
from wiring.services import Services
from wiring.views_progress import ViewsProgress


class _Runner:
    error: BaseException | None = None

    def __init__(self) -> None:
        self.progress = ViewsProgress()

    def wait_past(self, position: int, timeout: float) -> bool:
        return self.progress.wait_past(position, timeout)

    def close(self) -> None:
        pass


def test_the_wait_ends_when_the_runner_commits_the_position(services: Services) -> None:
    read_side = open_read_side(services, run_projections=False)
    runner = _Runner()
    read_side.runner = runner
    looks: list[float] = []
    read_side.views.position = lambda: looks.append(time.monotonic()) or 0  # type: ignore[method-assign]
    committer = threading.Timer(0.05, runner.progress.committed, args=(7,))
    committer.start()
    try:
        assert read_side.wait_for(7, timeout=5.0)
    finally:
        committer.join()
        read_side.close()
    assert len(looks) < 50


def test_a_wait_the_runner_here_answers_at_once_does_not_look_at_the_views(services: Services) -> None:
    read_side = open_read_side(services, run_projections=False)
    runner = _Runner()
    read_side.runner = runner
    runner.progress.committed(9)
    looks: list[int] = []
    read_side.views.position = lambda: looks.append(1) or 0  # type: ignore[method-assign]
    try:
        assert read_side.wait_for(9, timeout=5.0)
    finally:
        read_side.close()
    assert looks == []


def test_the_wait_gives_up_after_its_timeout_when_nothing_is_committed(services: Services) -> None:
    read_side = open_read_side(services, run_projections=False)
    read_side.runner = _Runner()
    read_side.runner.progress.committed(6)  # type: ignore[attr-defined]
    started = time.monotonic()
    try:
        assert not read_side.wait_for(read_side.position() + 7, timeout=0.1)
    finally:
        read_side.close()
    assert time.monotonic() - started < 2.0


def test_progress_reports_a_commit_at_or_past_the_position() -> None:
    progress = ViewsProgress()
    assert not progress.wait_past(3, 0.0)
    progress.committed(3)
    assert progress.wait_past(3, 0.0)
    assert progress.wait_past(2, 0.0)
    assert not progress.wait_past(4, 0.0)


def test_a_runner_reports_where_the_views_stood_when_it_started(services: Services) -> None:
    progress = ViewsProgress()
    runner = ViewsRunner(services.settings, progress=progress)
    try:
        assert progress.wait_past(runner.views.position(), 0.0)
    finally:
        runner.close()
