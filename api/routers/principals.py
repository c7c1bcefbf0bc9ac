"""Learners and employers registration, tokens (issue and revoke), erasure."""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from api.context import (
    WRITE_HEADERS,
    IdempotencyKey,
    Principal,
    Registered,
    State,
    WriteResult,
    registered,
    written,
)
from api.problems import responses
from api.requests.principals import EmployerRegistration, ErasureRequest, LearnerRegistration
from application.commands import IssueToken, RevokeToken
from domain.values import Actor, ActorKind

router = APIRouter(tags=["principals"])


@router.post("/v1/learners", status_code=201, response_model=Registered,
             responses={201: {"headers": WRITE_HEADERS}, **responses(401, 403, 409, 422)},
             summary="Register a learner (admin or provider); returns the id and a learner token",
             description="The learner's id derives from the primary identifier: registering the same person again "
                         "finds them (no twin, no new token).")
def register_learner(body: LearnerRegistration, actor: Principal, state: State, response: Response,
                     key: IdempotencyKey = None) -> dict[str, object]:
    return registered(response, state.ledger.execute(actor, body.to_command(None), key))


@router.post("/v1/employers", status_code=201, response_model=Registered,
             responses={201: {"headers": WRITE_HEADERS}, **responses(401, 403, 409, 422)},
             summary="Register an employer (admin); returns the id and an employer token")
def register_employer(body: EmployerRegistration, actor: Principal, state: State, response: Response,
                      key: IdempotencyKey = None) -> dict[str, object]:
    return registered(response, state.ledger.execute(actor, body.to_command(None), key))


@router.post("/v1/learners/{learner_id}/erasure", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **responses(401, 403, 404, 409, 422)},
             summary="Erase the learner's personal data (the learner, or an admin); ends every share",
             tags=["learners"])
def erase(learner_id: UUID, body: ErasureRequest, actor: Principal, state: State, response: Response,
          key: IdempotencyKey = None) -> dict[str, object]:
    outcome = state.ledger.execute(actor, body.to_command(learner_id), key)
    state.services.sign_ins.forget(Actor.learner(learner_id))
    return written(response, outcome)


class TokenRequest(BaseModel):
    principal_kind: Literal["provider", "learner", "employer"]
    principal_id: UUID


class TokenRevocation(BaseModel):
    token: str = Field(min_length=1, max_length=512, description="The token to revoke")


@router.post("/v1/tokens", status_code=201, response_model=Registered,
             responses={201: {"headers": WRITE_HEADERS}, **responses(401, 403, 404, 409, 422)},
             summary="Issue a new bearer token to a provider, learner or employer (admin)", tags=["tokens"])
def issue_token(body: TokenRequest, actor: Principal, state: State, response: Response,
                key: IdempotencyKey = None) -> dict[str, object]:
    principal = Actor(ActorKind(body.principal_kind), str(body.principal_id))
    return registered(response, state.ledger.execute(actor, IssueToken(principal), key))


@router.post("/v1/tokens/revocation", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **responses(401, 403, 404, 409, 422)},
             summary="Revoke a bearer token (its holder or an admin); it stops working at once", tags=["tokens"])
def revoke_token(body: TokenRevocation, actor: Principal, state: State, response: Response) -> dict[str, object]:
    return written(response, state.ledger.execute(actor, RevokeToken(body.token)))
