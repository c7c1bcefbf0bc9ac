"""A learner's views: the record (timeline), the signed CLR 2.0, the skills profile, pathway progress.

Who reads what: the learner reads all of their own; an admin (operator, auditor) reads any; a provider reads a
learner's record only as far as it recorded it (the entries it wrote) and none of the other views, which gather
other providers' facts; an employer reads only through shares (GET /v1/shared/{token}, skill queries)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.context import AsOfQuery, Limit, Offset, Principal, ReadYourWrites, State, parse_as_of
from api.problems import responses
from api.responses import json_response
from application.authorization import Action, Parties, check, sees_record_entry
from domain.errors import NotFound, NotPermitted
from domain.values import Actor, ActorKind

router = APIRouter(tags=["learners"], dependencies=[ReadYourWrites])
ERRORS = responses(401, 403, 404, 422, 503)
PROVIDER_SCAN = 10_000


class RecordPage(BaseModel):
    learner_id: str
    entries: list[dict[str, Any]] = Field(description="Facts, newest first, each with who recorded it")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page, or null on the last page")


def _check_owner_or_admin(actor: Actor, learner_id: UUID) -> None:
    check(actor, Action.READ_LEARNER_VIEWS, Parties(learner_id=learner_id))


def recorded_by(entry: dict[str, Any]) -> str:
    who = entry.get("recorded_by") or entry.get("actor") or ""
    return str(who.get("id", "") if isinstance(who, dict) else who)


EXACT_DECIMALS: dict[Any, Callable[[Any], Any]] = {Decimal: str}  # credits are exact: "7.5", never a float


@router.get("/v1/learners/{learner_id}/record", response_model=RecordPage, responses=ERRORS,
            summary="The learner's timeline of facts, newest first, with who recorded each (`?as_of=`)",
            description="A provider sees only the entries it recorded, and is refused when it recorded nothing.")
def record(learner_id: UUID, actor: Principal, state: State, as_of: AsOfQuery = None, limit: Limit = 50,
           offset: Offset = 0) -> dict[str, Any]:
    when = parse_as_of(as_of)
    check(actor, Action.READ_RECORD, Parties(learner_id=learner_id))
    if actor.kind is ActorKind.PROVIDER:
        entries = [e for e in jsonable_encoder(state.read_side.record(learner_id, as_of=when, limit=PROVIDER_SCAN))
                   if sees_record_entry(actor, recorded_by(e))]
        if not entries:
            raise NotPermitted("a provider reads only what it recorded about a learner")
        page = entries[offset:offset + limit]
        more = len(entries) > offset + limit
    else:
        page = jsonable_encoder(state.read_side.record(learner_id, as_of=when, limit=limit + 1, offset=offset))
        more = len(page) > limit
        page = page[:limit]
    return {"learner_id": str(learner_id), "entries": page, "limit": limit, "offset": offset,
            "next_offset": offset + limit if more else None}


@router.get("/v1/learners/{learner_id}/clr", response_model=dict[str, Any], responses=ERRORS,
            summary="The signed CLR 2.0 transcript (`?as_of=`): the learner or an admin")
async def clr(learner_id: UUID, actor: Principal, state: State, as_of: AsOfQuery = None) -> Response:
    _check_owner_or_admin(actor, learner_id)
    # Signing, or time travel, runs in a worker thread; a kept current CLR is one keyed read, on the event loop.
    when = parse_as_of(as_of)
    if when is not None:
        return json_response(await run_in_threadpool(state.read_side.clr, learner_id, as_of=when))
    kept = state.read_side.kept_clr(learner_id)
    if kept is None:
        kept = await run_in_threadpool(state.read_side.signed_current_clr, learner_id)
    return json_response(kept)


@router.get("/v1/learners/{learner_id}/skills", response_model=dict[str, Any], responses=ERRORS,
            summary="The skills profile (`?as_of=`): the learner or an admin")
async def skills(learner_id: UUID, actor: Principal, state: State, as_of: AsOfQuery = None) -> Response:
    _check_owner_or_admin(actor, learner_id)
    # The current profile (kept, or one keyed read and a fold) on the event loop: a worker thread's hand-off cost a
    # fifth of the read's CPU under load. Time travel replays: in a worker thread.
    when = parse_as_of(as_of)
    if when is not None:
        return json_response(await run_in_threadpool(state.read_side.skills, learner_id, as_of=when))
    return json_response(state.read_side.skills(learner_id))


@router.get("/v1/learners/{learner_id}/pathways/{qualification_id}", response_model=dict[str, Any],
            responses=ERRORS, summary="Progress toward a qualification's credit rules: the learner or an admin")
def pathway(learner_id: UUID, qualification_id: UUID, actor: Principal, state: State,
            as_of: AsOfQuery = None) -> dict[str, Any]:
    _check_owner_or_admin(actor, learner_id)
    found = state.read_side.pathway(learner_id, qualification_id, as_of=parse_as_of(as_of))
    if found is None:
        raise NotFound(f"no qualification {qualification_id}")
    return dict(jsonable_encoder(found, custom_encoder=EXACT_DECIMALS))
