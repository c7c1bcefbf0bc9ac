"""Liveness and readiness (with each projection's lag)."""

from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.context import State

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    position: int = Field(description="The event log's last position")
    projections: dict[str, dict[str, Any]] = Field(description="Each view's position and lag behind the log")


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, summary="Readiness: the store answers; each projection's lag")
def readyz(state: State) -> dict[str, Any]:
    return {"status": "ready", "position": state.ledger.position(),
            "projections": jsonable_encoder(state.read_side.lags())}
