"""The writes' hand-off to worker threads (api/handoff.py): what the caller's context holds, results and exceptions,
calls running side by side, and the bound on threads."""

import asyncio
import threading
from contextvars import ContextVar

import pytest

from api.handoff import HandOff

SEEN: ContextVar[str] = ContextVar("seen", default="unset")


def test_the_thread_sees_the_callers_context_variables_and_answers_with_the_result() -> None:
    async def call() -> tuple[str, bool]:
        SEEN.set("the request's")
        return await HandOff().run(lambda: (SEEN.get(), threading.current_thread() is threading.main_thread()))

    assert asyncio.run(call()) == ("the request's", False)


def test_an_exception_reaches_the_caller_and_a_stop_iteration_arrives_as_a_runtime_error() -> None:
    def refuse() -> None:
        raise LookupError("refused")

    def stop() -> None:
        raise StopIteration

    hand_off = HandOff()
    with pytest.raises(LookupError, match="refused"):
        asyncio.run(hand_off.run(refuse))
    with pytest.raises(RuntimeError) as raised:
        asyncio.run(hand_off.run(stop))
    assert isinstance(raised.value.__cause__, StopIteration)
    assert asyncio.run(hand_off.run(lambda: 7)) == 7  # the thread that raised still serves


def test_calls_run_side_by_side_up_to_the_bound_and_the_rest_wait() -> None:
    hand_off = HandOff(max_threads=3)
    running, most = 0, 0
    lock = threading.Lock()
    release = threading.Event()

    def work() -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(5)
        with lock:
            running -= 1
        return threading.get_ident()

    async def calls() -> list[int]:
        pending = [asyncio.ensure_future(hand_off.run(work)) for _ in range(7)]
        await asyncio.sleep(0.2)
        release.set()
        return list(await asyncio.gather(*pending))

    idents = asyncio.run(calls())
    assert most == 3
    assert len(set(idents)) == 3 and len(idents) == 7


def test_threads_are_reused_when_calls_come_one_after_another() -> None:
    hand_off = HandOff()

    async def calls() -> set[int]:
        return {await hand_off.run(threading.get_ident) for _ in range(20)}

    assert len(asyncio.run(calls())) == 1
