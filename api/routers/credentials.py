"""Credentials: issue (returns the signed OB 3.0 credential), status changes by the issuing provider, and reading
one credential (its holder, its issuer, an admin)."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.context import (
    WRITE_HEADERS,
    IdempotencyKey,
    Principal,
    ReadYourWrites,
    State,
    Writer,
    WriteResult,
    written,
)
from api.problems import responses
from api.requests.credentials import CredentialIssue, Reinstatement, Reissue, Revocation, Supersession, Suspension
from api.writes import CommandRoute, execute_request
from application.authorization import Action, Parties, permits
from domain.errors import NotFound

router = APIRouter(tags=["credentials"], route_class=CommandRoute)
ERRORS = responses(401, 403, 404, 409, 422)


class CredentialIssued(WriteResult):
    credential: dict[str, Any] = Field(description="The signed Open Badges 3.0 credential (eddsa-rdfc-2022)")


class CredentialView(BaseModel):
    credential_id: str
    learner_id: str
    provider_id: str
    achievement_id: str
    status: str = Field(description="active, suspended, revoked or superseded")
    expires_on: str | None = None
    document: dict[str, Any] = Field(description="The signed OB 3.0 credential, as issued")


@router.post("/v1/learners/{learner_id}/credentials", status_code=201, response_model=CredentialIssued,
             responses={201: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Issue a credential for a completed enrolment or a standing RPL grant (the provider)")
def issue(learner_id: UUID, body: CredentialIssue, actor: Principal, state: State, response: Response,
          key: IdempotencyKey = None) -> dict[str, object]:
    outcome = state.ledger.execute(actor, body.to_command(learner_id), key)
    return {**written(response, outcome), "credential": state.ledger.signed_credential(outcome.id)}


@router.post("/v1/credentials/{credential_id}/reissue", status_code=201, response_model=CredentialIssued,
             responses={201: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Issue again on the credential's basis (the issuing provider): after a revocation, or superseding "
                     "the standing one",
             description="Issuing on a basis that has a credential answers 409 `already-issued` naming it; this is "
                         "the explicit way to issue again. A standing credential is marked superseded by the new "
                         "one; a revoked one stays revoked.")
def reissue(credential_id: UUID, body: Reissue, actor: Principal, state: State, response: Response,
            key: IdempotencyKey = None) -> dict[str, object]:
    outcome = state.ledger.execute(actor, body.to_command(credential_id), key)
    return {**written(response, outcome), "credential": state.ledger.signed_credential(outcome.id)}


STATUS_ROUTE = {"status_code": 200, "response_model": WriteResult,
                "responses": {200: {"headers": WRITE_HEADERS}, **ERRORS}}


@router.post("/v1/credentials/{credential_id}/revocation", **STATUS_ROUTE,  # type: ignore[arg-type]
             summary="Revoke the credential (the issuing provider), with a reason")
async def revoke(credential_id: UUID, body: Revocation, actor: Writer, state: State, response: Response,
                 key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, credential_id, key))


@router.post("/v1/credentials/{credential_id}/suspension", **STATUS_ROUTE,  # type: ignore[arg-type]
             summary="Suspend the credential (the issuing provider), with a reason")
async def suspend(credential_id: UUID, body: Suspension, actor: Writer, state: State, response: Response,
                  key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, credential_id, key))


@router.post("/v1/credentials/{credential_id}/reinstatement", **STATUS_ROUTE,  # type: ignore[arg-type]
             summary="Reinstate a suspended credential (the issuing provider), with a reason")
async def reinstate(credential_id: UUID, body: Reinstatement, actor: Writer, state: State, response: Response,
                    key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, credential_id, key))


@router.post("/v1/credentials/{credential_id}/supersession", **STATUS_ROUTE,  # type: ignore[arg-type]
             summary="Supersede the credential by another of the same learner (the issuing provider)")
async def supersede(credential_id: UUID, body: Supersession, actor: Writer, state: State, response: Response,
                    key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, credential_id, key))


@router.get("/v1/credentials/{credential_id}", response_model=CredentialView, dependencies=[ReadYourWrites],
            responses=responses(401, 404, 422, 503),
            summary="One credential with its current status (its holder, its issuing provider, or an admin)")
def read_credential(credential_id: UUID, actor: Principal, state: State) -> dict[str, Any]:
    view = state.read_side.credential(credential_id)
    if view is None:
        raise NotFound(f"no credential {credential_id}")
    view = jsonable_encoder(view)
    holders = Parties(learner_id=UUID(str(view["learner_id"])), provider_id=UUID(str(view["provider_id"])))
    if not permits(actor, Action.READ_CREDENTIAL, holders):
        raise NotFound(f"no credential {credential_id}")  # not revealed to others
    return dict(view)
