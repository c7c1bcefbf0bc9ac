"""What every route needs: the services, the read side, who is calling, and the write and read helpers."""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.problems import ApiProblem, unauthenticated
from api.types import IdempotencyKeyText
from application.ledger import Ledger, Written
from domain.values import Actor
from projections.heartbeats import LagWatch
from projections.read_side import ReadSide
from projections.read_side_parts import AsOf
from wiring.services import Services

MAX_WAIT_SECONDS = 10.0


@dataclass
class ApiState:
    services: Services
    read_side: ReadSide
    admin_token_hash: str
    wait_seconds: float = 5.0
    lag_watch: LagWatch = field(default_factory=LagWatch)  # readiness: since when the views lag (api/routers/health)

    @property
    def ledger(self) -> Ledger:
        return self.services.ledger


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def api_state(request: Request) -> ApiState:
    """Async: run on the event loop, not handed to a worker thread. Marks the request's arrival, so its token check
    and its command share one follow of the log."""
    state: ApiState = request.app.state.api
    state.ledger.arrived()
    return state


State = Annotated[ApiState, Depends(api_state)]

bearer = HTTPBearer(
    auto_error=False, scheme_name="bearer",
    description="One token per principal (admin, provider, learner, employer); stored hashed; revocable.",
)


def _usable(token: str) -> bool:
    return bool(token) and len(token) <= 512


def is_admin(state: ApiState, token: str) -> bool:
    return bool(state.admin_token_hash) and hmac.compare_digest(hash_token(token), state.admin_token_hash)


async def _resolve(state: ApiState, token: str) -> Actor | None:
    """The admin token is checked on the event loop; another token may read the log, in a worker thread."""
    if not _usable(token):
        return None
    if is_admin(state, token):
        return Actor.admin()
    return await run_in_threadpool(state.ledger.principal_for, token)


async def principal(
    request: Request, state: State, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None:
        raise unauthenticated()
    actor = await _resolve(state, credentials.credentials)
    if actor is None:
        raise unauthenticated("the bearer token is unknown or revoked")
    request.state.principal = str(actor)
    return actor


async def optional_principal(
    request: Request, state: State, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor | None:
    if credentials is None:
        return None
    actor = await _resolve(state, credentials.credentials)
    if actor is not None:
        request.state.principal = str(actor)
    return actor


@dataclass(frozen=True)
class Caller:
    """A bearer token (not the admin's) still to be checked, by the worker thread that runs the command: a write
    hands off to a thread once, not twice. ``actor`` refuses it as ``principal`` does."""

    state: ApiState
    request: Request
    token: str

    def actor(self) -> Actor:
        actor = self.state.ledger.principal_for(self.token)
        if actor is None:
            raise unauthenticated("the bearer token is unknown or revoked")
        self.request.state.principal = str(actor)
        return actor


async def caller(request: Request, state: ApiState, credentials: HTTPAuthorizationCredentials) -> Actor | Caller:
    """What a command route's lean handler (api/writes.py) gives for ``principal``."""
    token = credentials.credentials
    if _usable(token) and not is_admin(state, token):
        return Caller(state, request, token)
    return await principal(request, state, credentials)


Principal = Annotated[Actor, Depends(principal)]
Writer = Annotated[Actor | Caller, Depends(principal)]
"""A command route's principal: an Actor through FastAPI's handler, a Caller through the lean one."""
MaybePrincipal = Annotated[Actor | None, Depends(optional_principal)]


# ---- writes -------------------------------------------------------------------------------------------------

IdempotencyKey = Annotated[IdempotencyKeyText | None, Header(
    alias="Idempotency-Key",
    description="Makes the write safe to retry: a replay with the same key and the same command returns the first "
                "outcome (`replayed: true`, header `Idempotent-Replayed: true`) and records nothing; the same key "
                "with a different command is refused (422 `idempotency-key-reused`). Keys are per principal.",
)]

POSITION_HEADER = "X-Ledger-Position"
TOKEN_NOT_SHOWN = ("tokens are shown only once, in the first response: the ledger keeps only their hash. "
                   "An admin can issue a new one (POST /v1/tokens).")


class WriteResult(BaseModel):
    """What a write did: the id it created or changed and the log position it reached."""

    id: str = Field(description="The id of what the command created or changed")
    position: int = Field(description="The event log position reached; pass it as `min_position` to read your write")
    replayed: bool = Field(description="True when this answers a retry with the same Idempotency-Key")


def written(response: Response, outcome: Written) -> dict[str, Any]:
    response.headers[POSITION_HEADER] = str(outcome.position)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return {"id": str(outcome.id), "position": outcome.position, "replayed": outcome.replayed}


class Registered(WriteResult):
    token: str | None = Field(description="The new principal's bearer token; null on a replay or when the "
                                          "principal existed already (only its hash is stored)")
    token_note: str = Field(description="Why the token is (not) shown")


class ProviderRegistered(Registered):
    issuer_id: str = Field(description="The provider's issuer id (an https URL served by the ledger)")


def registered(response: Response, outcome: Written, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {**written(response, outcome), **extra}
    token = outcome.token
    body["token"] = token or None
    body["token_note"] = "keep it secret: it is shown only this once" if token else TOKEN_NOT_SHOWN
    return body


WRITE_HEADERS = {
    POSITION_HEADER: {"description": "The event log position the write reached", "schema": {"type": "integer"}},
}


# ---- reads ----------------------------------------------------------------------------------------------------

async def wait_for_position(
    state: State,
    min_position: Annotated[int | None, Query(
        ge=0, le=2**62, description="Wait (up to a few seconds) until the views reached this log position")] = None,
    header_position: Annotated[int | None, Header(
        alias="X-Min-Position", ge=0, le=2**62, description="Same as `min_position`, as a header")] = None,
) -> None:
    """On the event loop when no position is asked for (most reads); the check and the wait in a worker thread."""
    wanted = max(min_position or 0, header_position or 0)
    if wanted:
        await run_in_threadpool(_wait_until_views_reach, state, wanted)


def _wait_until_views_reach(state: ApiState, wanted: int) -> None:
    if wanted > state.ledger.position():
        raise ApiProblem(422, "position-ahead-of-ledger",
                         f"the ledger has not reached position {wanted}: it is at {state.ledger.position()}")
    if not state.read_side.wait_for(wanted, timeout=min(state.wait_seconds, MAX_WAIT_SECONDS)):
        raise ApiProblem(503, "projection-lagging", f"the views have not reached position {wanted} yet; retry",
                         {"Retry-After": "1"})


ReadYourWrites = Depends(wait_for_position)


def parse_as_of(value: str | None) -> AsOf | None:
    if value is None or value == "":
        return None
    text = value.strip()
    if text.isdigit() and len(text) <= 18:
        return AsOf(position=int(text), at=None)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return AsOf(position=None, at=datetime.combine(day, time.max, tzinfo=UTC))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiProblem(422, "invalid-as-of", "as_of is a log position (integer), a date (YYYY-MM-DD) or an "
                                               "ISO 8601 date-time") from None
    if not 1900 <= moment.year <= 2999:
        raise ApiProblem(422, "invalid-as-of", "as_of must fall between 1900 and 2999")
    return AsOf(position=None, at=moment if moment.tzinfo else moment.replace(tzinfo=UTC))


AsOfQuery = Annotated[str | None, Query(
    max_length=40,
    description="Time travel: a log position (integer), a date (YYYY-MM-DD, end of that day, UTC) or a date-time",
    examples=["2025-06-30", "42"],
)]

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1 to 500)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="How many to skip")]
