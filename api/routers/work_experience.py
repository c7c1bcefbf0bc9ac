"""Work experience: stated by the learner; attested or disputed by the named employer or placing provider."""

from uuid import UUID

from fastapi import APIRouter, Response

from api.context import WRITE_HEADERS, IdempotencyKey, State, Writer, WriteResult, written
from api.problems import responses
from api.requests.work_experience import Attestation, Dispute, WorkEnd, WorkExperienceStatement
from api.writes import CommandRoute, execute_request

router = APIRouter(tags=["work experience"], route_class=CommandRoute)
ERRORS = responses(401, 403, 404, 409, 422)


@router.post("/v1/learners/{learner_id}/work-experience", status_code=201, response_model=WriteResult,
             responses={201: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="State work experience (the learner): employment, internship, placement, WIL")
async def state_experience(learner_id: UUID, body: WorkExperienceStatement, actor: Writer, state: State,
                           response: Response, key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, learner_id, key))


@router.post("/v1/work-experience/{experience_id}/attestation", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Attest it (the named employer or the placing provider), confirming stated skills")
async def attest(experience_id: UUID, body: Attestation, actor: Writer, state: State, response: Response,
                 key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, experience_id, key))


@router.post("/v1/work-experience/{experience_id}/dispute", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Dispute it (the named employer or the placing provider), with a reason")
async def dispute(experience_id: UUID, body: Dispute, actor: Writer, state: State, response: Response,
                  key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, experience_id, key))


@router.post("/v1/work-experience/{experience_id}/end", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Record that it ended (the learner)")
async def end(experience_id: UUID, body: WorkEnd, actor: Writer, state: State, response: Response,
              key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, experience_id, key))
