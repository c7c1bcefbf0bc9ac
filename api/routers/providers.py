"""Providers: registration (admin) and key rotation."""

from uuid import UUID

from fastapi import APIRouter, Response

from api.context import (
    WRITE_HEADERS,
    IdempotencyKey,
    Principal,
    ProviderRegistered,
    State,
    WriteResult,
    registered,
    written,
)
from api.problems import responses
from api.requests.principals import ProviderRegistration
from api.writes import execute
from application.commands import RotateProviderKey

router = APIRouter(tags=["principals"])


@router.post("/v1/providers", status_code=201, response_model=ProviderRegistered,
             responses={201: {"headers": WRITE_HEADERS}, **responses(401, 403, 409, 422)},
             summary="Register a provider (admin); returns its id, issuer id and bearer token")
def register_provider(body: ProviderRegistration, actor: Principal, state: State, response: Response,
                      key: IdempotencyKey = None) -> dict[str, object]:
    outcome = state.ledger.execute(actor, body.to_command(None), key)
    return registered(response, outcome, issuer_id=state.services.urls.issuer(outcome.id))


@router.post("/v1/providers/{provider_id}/key-rotation", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **responses(401, 403, 404, 409, 422)},
             summary="Rotate the provider's signing key (the provider itself or an admin); old keys still verify")
async def rotate_key(provider_id: UUID, actor: Principal, state: State, response: Response,
                     key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute(state, actor, RotateProviderKey(provider_id), key))
