"""A write's one hand-off to a worker thread, leaner than anyio's (`run_in_threadpool`): no checkpoint (an extra turn
of the event loop), no capacity limiter or cancel scope, and a C queue instead of one guarded by a Python condition.
anyio's hand-off was a tenth of a write's CPU under the HTTP benchmark's load (ops/bench/README.md).

Kept from anyio: the caller's context variables are seen by the thread (the request's arrival, its log binding), at
most 40 threads (anyio's default limit: more calls wait in the queue), a result or exception arrives on the loop."""

import asyncio
import threading
from collections.abc import Callable
from contextvars import Context, copy_context
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")
MAX_THREADS = 40
Call = tuple[Context, Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop]


class HandOff:
    def __init__(self, max_threads: int = MAX_THREADS) -> None:
        self.max_threads = max_threads
        self._calls: SimpleQueue[Call] = SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0  # threads waiting for a call that no caller has counted on yet

    async def run(self, func: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._claim_thread()
        self._calls.put((copy_context(), func, future, loop))
        return await future

    def _claim_thread(self) -> None:
        """Each call counts on an idle thread, or starts one while there are fewer than ``max_threads``."""
        with self._lock:
            if self._idle:
                self._idle -= 1
                return
            if self._threads >= self.max_threads:
                return
            self._threads += 1
        threading.Thread(target=self._work, name="ledger write", daemon=True).start()

    def _work(self) -> None:
        while True:
            context, func, future, loop = self._calls.get()
            result: Any = None
            error: BaseException | None = None
            try:
                result = context.run(func)
            except BaseException as caught:
                error = caught
            with self._lock:
                self._idle += 1
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the loop closed meanwhile: nobody waits for the answer
                continue


def _settle(future: "asyncio.Future[Any]", result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
        return
    if isinstance(error, StopIteration):  # a future cannot hold one
        wrapped = RuntimeError("the call raised StopIteration")
        wrapped.__cause__ = error
        error = wrapped
    future.set_exception(error)


WRITES = HandOff()
