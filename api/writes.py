"""What an async write route calls: the command run in a worker thread (it waits on the store), its answer checked on
the event loop. A sync route would hand the answer's check to a worker thread too: a second hand-off per write."""

from starlette.concurrency import run_in_threadpool

from api.context import ApiState
from application.commands.base import Command
from application.ledger import Written
from domain.values import Actor


async def execute(state: ApiState, actor: Actor, command: Command, key: str | None) -> Written:
    return await run_in_threadpool(state.ledger.execute, actor, command, key)
