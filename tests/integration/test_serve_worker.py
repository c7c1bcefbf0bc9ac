"""A worker keeps what it built at start-up for its life: the collector's full passes leave it alone. A worker that
cannot start says why. A server hands the GIL between its threads every millisecond."""

import gc
import signal
import sys

import pytest
import uvicorn
from starlette.applications import Starlette

from ops.serve import SWITCH_INTERVAL_SECONDS, keep_out_of_collections, run_uvicorn, serve_workers


def test_given_a_started_worker_when_its_start_up_objects_are_frozen_then_a_full_pass_does_not_walk_them() -> None:
    built_at_start_up = [{"kept": n} for n in range(10_000)]
    try:
        keep_out_of_collections()

        assert gc.get_freeze_count() >= len(built_at_start_up)
        walked = {id(o) for o in gc.get_objects(generation=2)}
        assert not any(id(o) in walked for o in built_at_start_up)
    finally:
        gc.unfreeze()


def test_given_workers_that_fail_to_start_then_each_prints_why_and_the_server_exits_with_1(
        capfd: pytest.CaptureFixture[str]) -> None:
    def fail_to_start() -> int:
        raise RuntimeError("too many clients already")

    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        code = serve_workers(2, fail_to_start)
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])

    assert code == 1
    assert capfd.readouterr().err.count("RuntimeError: too many clients already") == 2


def test_given_a_server_when_it_runs_then_its_threads_switch_every_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    ran = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server, sockets=None: ran.append(sys.getswitchinterval()))
    before = sys.getswitchinterval()
    try:
        run_uvicorn(Starlette(), None)  # type: ignore[arg-type]
    finally:
        sys.setswitchinterval(before)
    assert ran == [pytest.approx(SWITCH_INTERVAL_SECONDS)] and SWITCH_INTERVAL_SECONDS == 0.001
