"""Recognition of prior learning: apply (learner or provider), evidence, decision, appeal, revision."""

from uuid import UUID

from fastapi import APIRouter, Response

from api.context import WRITE_HEADERS, IdempotencyKey, State, Writer, WriteResult, written
from api.problems import responses
from api.requests.recognition import RplAppeal, RplApplication, RplDecisionRequest, RplEvidence, RplRevision
from api.writes import CommandRoute, execute_request

router = APIRouter(tags=["rpl"], route_class=CommandRoute)
ERRORS = responses(401, 403, 404, 409, 422)


@router.post("/v1/learners/{learner_id}/rpl-cases", status_code=201, response_model=WriteResult,
             responses={201: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Open an RPL case for an achievement (the learner, or the achievement's provider)")
async def apply(learner_id: UUID, body: RplApplication, actor: Writer, state: State, response: Response,
                key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, learner_id, key))


@router.post("/v1/rpl-cases/{case_id}/evidence", status_code=201, response_model=WriteResult,
             responses={201: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Submit evidence (the learner or the provider holding the case)")
async def submit_evidence(case_id: UUID, body: RplEvidence, actor: Writer, state: State, response: Response,
                          key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, case_id, key))


@router.post("/v1/rpl-cases/{case_id}/decision", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Decide the case (the provider): granted, partially granted or declined")
async def decide(case_id: UUID, body: RplDecisionRequest, actor: Writer, state: State, response: Response,
                 key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, case_id, key))


@router.post("/v1/rpl-cases/{case_id}/appeal", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Appeal the decision (the learner)")
async def appeal(case_id: UUID, body: RplAppeal, actor: Writer, state: State, response: Response,
                 key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, case_id, key))


@router.post("/v1/rpl-cases/{case_id}/revision", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Revise the decision after an appeal (the provider)")
async def revise(case_id: UUID, body: RplRevision, actor: Writer, state: State, response: Response,
                 key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, case_id, key))
