"""Achievement definitions (provider)."""

from fastapi import APIRouter, Response

from api.context import WRITE_HEADERS, IdempotencyKey, State, Writer, WriteResult, written
from api.problems import responses
from api.requests.catalogue import AchievementDefinition
from api.writes import CommandRoute, execute_request

router = APIRouter(tags=["catalogue"], route_class=CommandRoute)


@router.post("/v1/achievements", status_code=201, response_model=WriteResult,
             responses={201: {"headers": WRITE_HEADERS}, **responses(401, 403, 404, 409, 422)},
             summary="Define an achievement (provider): micro-credential, course, qualification, competency")
async def define_achievement(body: AchievementDefinition, actor: Writer, state: State, response: Response,
                             key: IdempotencyKey = None) -> dict[str, object]:
    return written(response, await execute_request(state, actor, body, None, key))
