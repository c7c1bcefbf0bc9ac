"""A worker keeps what it built at start-up for its life: the collector's full passes leave it alone. A worker that
cannot start says why."""

import gc
import signal

import pytest

from ops.serve import keep_out_of_collections, serve_workers


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
