"""Employers ask which learners who shared with them hold these skills (verified, minimum level, recent)."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field

from api.context import Principal, ReadYourWrites, State
from api.problems import responses
from api.types import BusinessDate, Url
from application.authorization import Action, check

router = APIRouter(tags=["employers"])


class SkillQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skills: list[Url] = Field(min_length=1, max_length=50, description="Skill urls (ids), all of which must be held",
                              examples=[["https://osmt.example.edu/api/skills/communication"]])
    verified_only: bool = Field(default=True, description="Count only evidence from a registered provider or an "
                                                          "employer's attestation")
    min_level: int = Field(default=1, ge=1, le=5)
    since: BusinessDate | None = Field(default=None, description="Evidenced on or after this date")


class SkillQueryResult(BaseModel):
    results: list[dict[str, Any]] = Field(description="One entry per matching learner, through a live share only")


@router.post("/v1/employers/skill-queries", response_model=SkillQueryResult, dependencies=[ReadYourWrites],
             responses=responses(401, 403, 422, 503),
             summary="Which learners who shared with this employer hold these skills (the employer)",
             description="A query, not a write: it records nothing. Only live shares with the calling employer "
                         "count, and only the skills each share grants.")
def skill_query(body: SkillQuery, actor: Principal, state: State) -> dict[str, Any]:
    check(actor, Action.QUERY_SKILLS)
    found = state.read_side.skill_query(UUID(actor.id), list(body.skills), verified_only=body.verified_only,
                                        min_level=body.min_level, since=body.since)
    return {"results": jsonable_encoder(found)}
