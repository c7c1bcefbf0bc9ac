"""The event log: a batch of commands in one request (an LMS or SIS export), and reading the log (admin)."""

from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Annotated, Any, Union
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from starlette.responses import Response as StarletteResponse

from api.context import POSITION_HEADER, WRITE_HEADERS, Principal, State
from api.problems import Problem, domain_problem, responses, validation_problem
from api.requests.batch import BATCH_ITEM_TYPES, BatchItem
from api.responses import json_response
from application.authorization import Action, check
from application.unit_of_work import BatchCollided, UnitOfWork, collector_paused
from domain.errors import DomainError, InvalidValue
from domain.values import Actor, ActorKind


class _CollectorPausedRoute(APIRoute):
    """A batch's whole request (its 1,000 items parsed, validated, run, answered) with the cyclic garbage collector
    off: its objects set off full collections of the heap (see application/unit_of_work.py)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, StarletteResponse]]:
        handle = super().get_route_handler()
        if "POST" not in (self.methods or ()):
            return handle

        async def paused(request: Request) -> StarletteResponse:
            with collector_paused():
                await _validate_at_once(request)
                try:
                    return await handle(request)
                finally:  # the parsed batch freed before the collector runs again, not scanned by it
                    vars(request).pop("_json", None)

        return paused


router = APIRouter(tags=["events"], route_class=_CollectorPausedRoute)
MAX_BATCH = 1000


class InvalidItem:
    """An item that failed validation: kept, so the good items still run and this one says what was wrong."""

    def __init__(self, errors: list[Any], raw: Any):
        self.errors = errors
        self.command = raw.get("command") if isinstance(raw, dict) and isinstance(raw.get("command"), str) else None


def _keep_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as error:
        return InvalidItem(error.errors(include_url=False, include_context=False, include_input=False), value)


ValidItem = Annotated[Union[BATCH_ITEM_TYPES], Field(discriminator="command")]  # type: ignore[valid-type]  # noqa: UP007
AnyItem = Annotated[ValidItem, WrapValidator(_keep_invalid)]


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[AnyItem] = Field(min_length=1, max_length=MAX_BATCH, description=(
        "Commands, run in order; each names its `command`, carries its own `idempotency_key` and the ids the single "
        "route would take in its path (`learner_id`, `enrolment_id`, `credential_id`, `case_id`, `experience_id`)."))


class _AllValid(EventBatch):
    """A batch whose every item is valid, validated from the body's bytes in one pass (no dicts made in between)."""

    items: list[ValidItem] = Field(min_length=1, max_length=MAX_BATCH)


async def _validate_at_once(request: Request) -> None:
    """Starlette keeps a parsed JSON body as `_json`, and FastAPI validates it as an `EventBatch` (an instance of one
    passes as it is). A body with any invalid item, or not JSON, is left to FastAPI: parsed by `json`, each item
    validated alone and kept with its errors (tested to give the same items wherever this one succeeds)."""
    with suppress(ValidationError):
        request._json = _AllValid.model_validate_json(await request.body())


class ItemResult(BaseModel):
    index: int
    command: str | None
    ok: bool
    status: int = Field(description="The HTTP status the item would have had alone")
    id: str | None = None
    position: int | None = None
    replayed: bool | None = None
    token: str | None = Field(default=None, description="A new principal's token (registrations; shown once)")
    problem: Problem | None = Field(default=None, description="What was wrong with this item")


class BatchResult(BaseModel):
    position: int = Field(description="The log position reached after the batch")
    succeeded: int
    failed: int
    results: list[ItemResult]


class EventPage(BaseModel):
    events: list[dict[str, Any]]
    next_after: int | None = Field(description="Pass as `after` for the next page; null when none were returned")


@router.post("/v1/events", response_model=BatchResult,
             responses={200: {"headers": WRITE_HEADERS}, **responses(401, 403, 422)},
             summary="A batch of commands in one request (provider or admin): per-item results",
             description="Each item runs on its own and is idempotent under its own key: a bad item does not block "
                         "the good ones, and its `problem` says exactly what was wrong. A retried batch replays each "
                         "item that succeeded. The Idempotency-Key header is not used here.")
def batch(body: EventBatch, actor: Principal, state: State) -> Response:
    check(actor, Action.SUBMIT_BATCH)
    try:
        with state.ledger.unit_of_work(_touched(body.items, actor)) as work:
            results = [_run(index, item, actor, state, work) for index, item in enumerate(body.items)]
        for result in results:
            pending = result.pop("pending", None)
            if pending is not None:
                result["position"] = work.positions[pending]
    except BatchCollided:  # nothing was written: each item alone, where collisions are retried or replayed
        results = [_run(index, item, actor, state) for index, item in enumerate(body.items)]
        for result in results:
            result.pop("pending", None)
    reached = [r["position"] for r in results if r["position"]]
    position = max(reached) if reached else state.ledger.position()  # asked only when no item wrote or replayed
    failed = sum(1 for r in results if not r["ok"])
    answer = json_response({"position": position, "succeeded": len(results) - failed, "failed": failed,
                            "results": results})
    answer.headers[POSITION_HEADER] = str(position)
    return answer


def _touched(items: list[Any], actor: Actor) -> list[UUID]:
    """The ids the items name (learners, enrolments, achievements, ...) and the acting provider: read up front."""
    own = [UUID(actor.id)] if actor.kind is ActorKind.PROVIDER else []
    return own + [value for item in items if isinstance(item, BatchItem)
                  for value in vars(item).values() if isinstance(value, UUID)]


def _failed(index: int, command: str | None, status: int, found: Problem) -> dict[str, Any]:
    return {"index": index, "command": command, "ok": False, "status": status, "id": None, "position": None,
            "replayed": None, "token": None, "problem": found.model_dump(mode="json")}


def _run(index: int, item: Any, actor: Any, state: State, work: UnitOfWork | None = None) -> dict[str, Any]:
    """The item's result as `ItemResult` writes it (serialised by orjson with the batch's answer, which writes a UUID
    as its text; "pending" is the command's number in the unit of work, replaced by its position once appended). In a
    unit of work the item is kept there, else executed alone."""
    instance = f"/v1/events#items/{index}"
    if isinstance(item, InvalidItem):
        found = validation_problem([{**e, "loc": ("items", index, *e.get("loc", ()))} for e in item.errors], instance)
        return _failed(index, item.command, 422, found)
    assert isinstance(item, BatchItem)
    command = getattr(item, "command", None)
    try:
        asked, ledger = item.to_command(item.target()), state.ledger
        outcome = (ledger.keep(work, actor, asked, item.idempotency_key) if work is not None
                   else ledger.execute(actor, asked, item.idempotency_key))
    except DomainError as error:
        found = domain_problem(error, instance)
        return _failed(index, command, found.status, found)
    except (ValueError, TypeError) as error:
        return _failed(index, command, 422, domain_problem(InvalidValue(str(error)), instance))
    return {"index": index, "command": command, "ok": True, "status": 200, "id": outcome.id,
            "position": outcome.position, "replayed": outcome.replayed, "token": outcome.token or None,
            "problem": None, "pending": outcome.pending}


@router.get("/v1/events", response_model=EventPage, responses=responses(401, 403, 422),
            summary="The event log after a position (admin): for auditors and downstream consumers")
def read_log(actor: Principal, state: State,
             after: Annotated[int, Query(ge=0, le=2**62, description="Events after this position")] = 0,
             limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    check(actor, Action.READ_EVENT_LOG)
    events = jsonable_encoder(state.read_side.events_after(after, limit))
    last = events[-1] if events else {}
    marker = last.get("position", last.get("id")) if isinstance(last, dict) else None
    next_after = int(marker) if isinstance(marker, int | str) and str(marker).isdigit() else None
    return {"events": events, "next_after": next_after}
