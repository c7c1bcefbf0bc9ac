"""A command route's usual request is answered before FastAPI's router (api/direct_writes.py), by the route the
router would have taken, and answers as the router's path does: the same request, taken directly and then left to
the router, gets the same status, headers and body; a refusal records nothing either way."""

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from api.app import API_ROUTERS
from api.direct_writes import DirectWrites, direct_routes, paths_may_meet
from api.routers import enrolments
from api.writes import CommandRoute, lean_handler
from tests.api.conftest import Api
from tests.api.test_command_route import (
    ASSESSMENT,
    GENERAL,
    LEAN,
    REFUSALS,
    _answer,
    _enrolment,
    _post,
    refused,
)
from web.site import create_site

SAMPLE_ID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths FastAPI's router was asked to route."""
    paths: list[str] = []
    route_request = APIRouter.__call__

    async def counted(self: APIRouter, scope: Scope, receive: Receive, send: Send) -> None:
        paths.append(scope["path"])
        await route_request(self, scope, receive, send)

    monkeypatch.setattr(APIRouter, "__call__", counted)
    yield paths


def _both(api: Api, path: str, body: bytes, token: str, content_type: str, key: str | None,
          monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """The request as the app answers it, then with every request left to the router."""
    first = _answer(_post(api, path, body, token, content_type, key))
    with monkeypatch.context() as patched:
        patched.setattr(DirectWrites, "_direct", lambda self, scope: None)
        second = _answer(_post(api, path, body, token, content_type, key))
    return [first, second]


def test_every_lean_command_route_is_taken_directly_and_is_the_route_the_router_takes(api: Api) -> None:
    table = direct_routes(API_ROUTERS)
    direct = [entry.route for entries in table.values() for entry in entries]
    lean = [route for router in API_ROUTERS for route in router.routes
            if isinstance(route, CommandRoute) and lean_handler(route) is not None]
    assert len(lean) > 10 and sorted(map(id, direct)) == sorted(map(id, lean))
    site = create_site(api.services, api.read_side, "site-admin-token-0123456789abcdef")
    for route in direct:
        path = route.path_format.format(**{name: SAMPLE_ID for name in route.param_convertors})
        for method in route.methods:
            assert _routed_by_router(site, method, path) is route, (method, path)


def _routed_by_router(site: FastAPI, method: str, path: str) -> Any:
    """The route FastAPI's router picks for the request (direct answers declined)."""
    picked: list[APIRoute] = []
    handle = APIRoute.handle

    async def watched(self: APIRoute, scope: Scope, receive: Receive, send: Send) -> None:
        picked.append(self)
        await handle(self, scope, receive, send)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(DirectWrites, "_direct", lambda self, scope: None)
        patched.setattr(APIRoute, "handle", watched)
        with TestClient(site, raise_server_exceptions=False) as client:
            client.request(method, path, content=b"{}", headers={"Content-Type": "text/plain"})
    return picked[0] if picked else None


def test_a_write_is_answered_without_the_router_and_alike_through_it(
        api: Api, routed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    token, enrolment = _enrolment(api)
    path = f"/v1/enrolments/{enrolment}/assessments"
    routed.clear()
    first = _post(api, path, ASSESSMENT, token, LEAN, key="k-1")
    assert first.status_code == 201 and first.json()["replayed"] is False, first.text
    assert routed == []
    position = api.position
    direct, through_router = _both(api, path, ASSESSMENT, token, LEAN, "k-1", monkeypatch)
    assert direct == through_router and direct[0] == 201 and ("idempotent-replayed", "true") in direct[1]
    assert routed == [path] and api.position == position


def test_a_request_the_lean_handler_declines_reaches_the_router_with_its_body(api: Api, routed: list[str]) -> None:
    token, enrolment = _enrolment(api)
    path = f"/v1/enrolments/{enrolment}/assessments"
    routed.clear()
    answer = _post(api, path, ASSESSMENT, token, GENERAL, key="k-general")
    assert answer.status_code == 201, answer.text
    assert routed == [path]
    recorded = api.services.ledger.aggregates.get(UUID(enrolment))
    assert [assessment.title for assessment in recorded.assessments.values()] == ["Portfolio"]


@pytest.mark.parametrize("case", [*REFUSALS, "a browser"])
def test_each_refusal_is_answered_as_behind_the_router_and_records_nothing(
        api: Api, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    token, enrolment = _enrolment(api)
    path, body, key, token = refused(case, token, enrolment)
    position = api.position
    with monkeypatch.context() as patched:
        if case == "a browser":
            patched.setattr(api.client, "headers", {**api.client.headers, "Accept": "text/html"})
            token = "no-such-token"
        direct, through_router = _both(api, path, body, token, LEAN, key, monkeypatch)
    assert direct == through_router
    assert direct[0] in (401, 404, 409, 422), direct
    assert api.position == position


def test_an_unexpected_failure_is_answered_as_behind_the_router(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    token, enrolment = _enrolment(api)

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.services.ledger, "execute", failing)
    direct, through_router = _both(api, f"/v1/enrolments/{enrolment}/assessments", ASSESSMENT, token, LEAN, None,
                                   monkeypatch)
    assert direct == through_router and direct[0] == 500


@pytest.mark.parametrize(("first", "second", "meet"), [
    ("/v1/enrolments/{enrolment_id}/assessments", "/v1/enrolments/{enrolment_id}/assessments", True),
    ("/v1/enrolments/{enrolment_id}/assessments", "/v1/enrolments/{enrolment_id}/completion", False),
    ("/v1/enrolments/{a}/{b}", "/v1/enrolments/{enrolment_id}/completion", True),
    ("/v1/enrolments/special/completion", "/v1/enrolments/{enrolment_id}/completion", True),
    ("/v1/enrolments/{enrolment_id}", "/v1/enrolments/{enrolment_id}/completion", False),
    ("/v1/{rest:path}", "/v1/enrolments/{enrolment_id}/completion", True),
    ("/v2/{rest:path}", "/v1/enrolments/{enrolment_id}/completion", False),
])
def test_paths_that_could_be_one_request_meet(first: str, second: str, meet: bool) -> None:
    assert paths_may_meet(first, second) is meet
    assert paths_may_meet(second, first) is meet


def _direct_paths(*routers: APIRouter) -> set[str]:
    return {entry.route.path for entry in direct_routes(routers).get("POST", ())}


def test_a_command_route_an_earlier_route_could_shadow_is_left_to_the_router() -> None:
    earlier = APIRouter()

    @earlier.post("/v1/enrolments/{enrolment_id}/{step}")
    def any_step(enrolment_id: UUID, step: str) -> None:
        return None

    alone = _direct_paths(enrolments.router)
    assert {"/v1/enrolments/{enrolment_id}/assessments", "/v1/enrolments/{enrolment_id}/completion"} <= alone
    assert not any(path.startswith("/v1/enrolments/{enrolment_id}/") for path in _direct_paths(earlier,
                                                                                               enrolments.router))


def test_an_earlier_route_for_other_methods_shadows_nothing() -> None:
    earlier = APIRouter()

    @earlier.get("/v1/enrolments/{enrolment_id}/completion")
    def read_completion(enrolment_id: UUID) -> None:
        return None

    assert _direct_paths(earlier, enrolments.router) == _direct_paths(enrolments.router)
