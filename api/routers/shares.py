"""Shares: a learner shares chosen credentials and skills with an employer for a time, through a capability link
(256 random bits, only its hash is stored). Anyone holding the link opens the employer view while the share is live;
each opening is recorded so the learner sees who looked and when."""

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from api.context import (
    TOKEN_NOT_SHOWN,
    WRITE_HEADERS,
    ApiState,
    IdempotencyKey,
    MaybePrincipal,
    Principal,
    ReadYourWrites,
    State,
    WriteResult,
    written,
)
from api.handoff import WRITES
from api.problems import ApiProblem, responses
from api.requests.shares import ShareGrant
from api.responses import json_response
from application.authorization import Action, Parties, check
from application.commands import RecordShareOpening, RevokeShare
from domain.errors import DomainError
from domain.values import Actor, ActorKind
from projections.employer_view import EmployerView
from projections.share_links import ShareLink

router = APIRouter(tags=["shares"])
TOKEN_CHARACTERS, TOKEN_LENGTH = "A-Za-z0-9_-", (16, 200)
ShareToken = Annotated[str, Path(min_length=TOKEN_LENGTH[0], max_length=TOKEN_LENGTH[1],
                                 pattern=f"^[{TOKEN_CHARACTERS}]+$", description="The share link's secret token")]
OPENINGS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="share-opening")


class ShareGranted(WriteResult):
    token: str | None = Field(description="The link's secret token (shown once; null on a replay)")
    url: str | None = Field(description="The capability URL to give the employer: /v1/shared/{token}")
    token_note: str


class ShareList(BaseModel):
    shares: list[dict[str, Any]] = Field(
        description="Each share: what it grants, to whom, purpose, expiry, live or not, and its access log")


@router.post("/v1/learners/{learner_id}/shares", status_code=201, response_model=ShareGranted,
             responses={201: {"headers": WRITE_HEADERS}, **responses(401, 403, 404, 409, 422)},
             summary="Share chosen credentials and/or skills with an employer until a time (the learner)")
def grant(learner_id: UUID, body: ShareGrant, actor: Principal, state: State, response: Response,
          key: IdempotencyKey = None) -> dict[str, object]:
    outcome = state.ledger.execute(actor, body.to_command(learner_id), key)
    token = outcome.token or None
    return {
        **written(response, outcome), "token": token,
        "url": f"{state.services.urls.public_url}/v1/shared/{token}" if token else None,
        "token_note": "give this link to the employer; it is shown only this once" if token else TOKEN_NOT_SHOWN,
    }


@router.get("/v1/learners/{learner_id}/shares", response_model=ShareList, dependencies=[ReadYourWrites],
            responses=responses(401, 403, 404, 422, 503),
            summary="The learner's shares with their access log: who opened what, when (the learner)")
def list_shares(learner_id: UUID, actor: Principal, state: State) -> dict[str, Any]:
    check(actor, Action.READ_LEARNER_VIEWS, Parties(learner_id=learner_id))
    return {"shares": jsonable_encoder(state.read_side.shares(learner_id))}


@router.delete("/v1/shares/{share_id}", status_code=200, response_model=WriteResult,
               responses={200: {"headers": WRITE_HEADERS}, **responses(401, 403, 404, 409, 422)},
               summary="Revoke a share (the learner who granted it); the link stops working at once")
def revoke(share_id: UUID, actor: Principal, state: State, response: Response,
           key: IdempotencyKey = None) -> dict[str, object]:
    check(actor, Action.REVOKE_SHARE, Parties(learner_id=UUID(actor.id) if actor.kind is ActorKind.LEARNER else None))
    outcome = state.ledger.execute(actor, RevokeShare(UUID(actor.id), share_id), key)
    return written(response, outcome)


def _gone() -> ApiProblem:
    return ApiProblem(404, "share-not-found", "no live share behind this link (unknown, expired or revoked)")


@router.get("/v1/shared/{token}", response_model=dict[str, Any], responses={
    200: {"description": "The employer view (JSON)"},
    303: {"description": "A browser (Accept: text/html first) is sent to the share page, /shared/{token}"},
    **responses(404, 422)},
    summary="Open a share link (anyone holding it): exactly what the share grants, with verification results")
async def open_share(token: ShareToken, request: Request, state: State, actor: MaybePrincipal) -> Response:
    if wants_html(request.headers.get("accept", "")):
        return RedirectResponse(f"/shared/{token}", status_code=303)
    # In a worker thread, not on the event loop: the link's lookup waits on the database, and another request on
    # this worker's loop would wait behind it. An opening is a write: it takes the writes' hand-off.
    return await WRITES.run(partial(opened_as_json, state, token, actor))


def opened_as_json(state: ApiState, token: str, actor: Actor | None) -> Response:
    with opened_share(state, token, actor) as view:
        return json_response(view)


@contextmanager
def opened_share(state: ApiState, token: str, actor: Actor | None) -> Iterator[EmployerView]:
    """The employer view behind a live link. The opening is recorded while the view is read and turned into the
    caller's answer, and that answer leaves only once the opening is stored: the access log misses no view given."""
    link, recording = _start_opening(state, token, actor)
    try:
        yield _view_behind(state, link)
    finally:
        failed = recording.exception()
    _check_stored(failed)


def _start_opening(state: ApiState, token: str, actor: Actor | None) -> tuple[ShareLink, Future[None]]:
    link = state.read_side.share_link(token)
    if link is None or not link.live:
        raise _gone()
    return link, OPENINGS.submit(copy_context().run, _record_opening, state, link, actor)


def _view_behind(state: ApiState, link: ShareLink) -> EmployerView:
    _, view = state.read_side.open_link(link) or (None, None)
    if view is None:
        raise _gone()
    return view


def _check_stored(failed: BaseException | None) -> None:
    if isinstance(failed, DomainError):  # ended between the read and the write: nothing may be shown
        raise _gone() from None
    if failed is not None:
        raise failed


def _record_opening(state: ApiState, share: ShareLink, actor: Actor | None) -> None:
    viewer = str(actor) if actor is not None else "link holder (not signed in)"
    state.ledger.execute(actor or Actor.employer(share.employer_id), RecordShareOpening(
        share.learner_id, share.share_id, viewer=viewer,
    ))


def wants_html(accept: str) -> bool:
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return "text/html" in kinds and ("application/json" not in kinds or
                                     kinds.index("text/html") < kinds.index("application/json"))
