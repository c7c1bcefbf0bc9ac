"""Liveness (the process answers, nothing else is touched) and readiness (the database answers, the projection
runner's heartbeat is fresh and the views are not lagging behind for long): what a load balancer or supervisor needs."""

import time
from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from api.context import State
from api.problems import ApiProblem, responses
from projections.heartbeats import Heartbeats, ReadinessLimits, not_ready_reasons

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    position: int = Field(description="The event log's last position")
    projections: dict[str, dict[str, Any]] = Field(description="Each view's position and lag behind the log")
    heartbeat_age_seconds: dict[str, float] = Field(description="Seconds since each projection runner's heartbeat")


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers (touches no database)")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses=responses(503),
            summary="Readiness: the store answers, the runner's heartbeat is fresh, the views keep up")
def readyz(state: State) -> dict[str, Any]:
    operations = state.services.settings.operations
    position = state.ledger.position()
    lags = state.read_side.lags()
    beats = Heartbeats(state.read_side.views).read()
    now = time.time()
    limits = ReadinessLimits(operations.ready_max_heartbeat_age, operations.ready_max_lag,
                             operations.ready_lag_grace_seconds)
    reasons = not_ready_reasons(lags, beats, limits, state.lag_watch, now)
    runner = state.read_side.runner
    if runner is not None and runner.error is not None:
        reasons.append(f"the in-process projection runner stopped: {type(runner.error).__name__}")
    if reasons:
        raise ApiProblem(503, "not-ready", "; ".join(reasons),
                         {"Retry-After": str(operations.retry_after_seconds)})
    return {"status": "ready", "position": position, "projections": jsonable_encoder(lags),
            "heartbeat_age_seconds": {name: round(now - beat.at, 3) for name, beat in beats.items()}}
