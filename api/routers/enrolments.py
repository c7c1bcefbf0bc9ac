"""Enrolments: enrol, assess, complete, withdraw (the enrolling provider)."""

from uuid import UUID

from fastapi import APIRouter, Response

from api.context import WRITE_HEADERS, IdempotencyKey, State, Writer, WriteResult, written
from api.problems import responses
from api.requests.enrolments import AssessmentRequest, CompletionRequest, EnrolmentRequest, WithdrawalRequest
from api.writes import CommandRoute, execute_request

router = APIRouter(tags=["enrolments"], route_class=CommandRoute)
ERRORS = responses(401, 403, 404, 409, 422)


@router.post("/v1/learners/{learner_id}/enrolments", status_code=201, response_model=WriteResult,
             responses={201: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Enrol a learner in one of the provider's achievements for a term",
             description="The enrolment id derives from learner, achievement and term: enrolling again finds it.")
async def enrol(learner_id: UUID, body: EnrolmentRequest, actor: Writer, state: State, response: Response,
                key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, learner_id, key))


@router.post("/v1/enrolments/{enrolment_id}/assessments", status_code=201, response_model=WriteResult,
             responses={201: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Record an assessment result (value, outcome, per-skill levels, evidence, date)",
             description="`id` in the answer is the assessment's id (a later correction names it in `corrects`).")
async def assess(enrolment_id: UUID, body: AssessmentRequest, actor: Writer, state: State, response: Response,
                 key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, enrolment_id, key))


@router.post("/v1/enrolments/{enrolment_id}/completion", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Complete the enrolment (needs a passed assessment)")
async def complete(enrolment_id: UUID, body: CompletionRequest, actor: Writer, state: State, response: Response,
                   key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, enrolment_id, key))


@router.post("/v1/enrolments/{enrolment_id}/withdrawal", status_code=200, response_model=WriteResult,
             responses={200: {"headers": WRITE_HEADERS}, **ERRORS},
             summary="Withdraw the enrolment (the enrolling provider or the learner), with a reason")
async def withdraw(enrolment_id: UUID, body: WithdrawalRequest, actor: Writer, state: State, response: Response,
                   key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, enrolment_id, key))
