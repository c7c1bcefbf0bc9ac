"""Issuer profiles (controller documents with keys) and revocation status lists (anyone)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.encoders import jsonable_encoder

from api.context import ReadYourWrites, State
from api.problems import responses
from domain.errors import NotFound

router = APIRouter(tags=["issuers"], dependencies=[ReadYourWrites])


@router.get("/v1/issuers/{issuer_id}", response_model=dict[str, Any], responses=responses(404, 422, 503),
            summary="An issuer's profile and verification keys (a provider id, or `ledger`)")
def issuer(issuer_id: Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9-]+$")],
           state: State) -> dict[str, Any]:
    found = state.read_side.issuer(issuer_id)
    if found is None:
        raise NotFound(f"no issuer {issuer_id}")
    return dict(jsonable_encoder(found))


@router.get("/v1/status-lists/{list_id}", response_model=dict[str, Any], responses=responses(404, 422, 503),
            summary="A provider's Bitstring Status List credential (revocation)")
def status_list(list_id: Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9-]+$")],
                state: State) -> dict[str, Any]:
    found = state.read_side.status_list(list_id)
    if found is None:
        raise NotFound(f"no status list {list_id}")
    return dict(jsonable_encoder(found))
