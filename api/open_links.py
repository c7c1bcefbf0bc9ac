"""`GET /v1/shared/{token}` as an employer's click asks it (JSON wanted, no bearer token or the admin's), answered
before FastAPI's router: its route matching and dependency solving cost more CPU than the opening's own Python.
Any other request for the path (a browser, another principal's token, a token that does not validate, another
method) is left to the route in api/routers/shares.py, which documents the path; both open it through
`opened_share`, and refusals are answered by api/problems.py."""

import re
from functools import partial

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api import problems
from api.context import ApiState, is_admin
from api.handoff import WRITES
from api.routers.shares import TOKEN_CHARACTERS, TOKEN_LENGTH, opened_as_json, wants_html
from domain.values import Actor

SHARED = re.compile(f"/v1/shared/([{TOKEN_CHARACTERS}]{{{TOKEN_LENGTH[0]},{TOKEN_LENGTH[1]}}})")


class OpenLinks:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        usual = _usual_opening(scope)
        if usual is None:
            await self.app(scope, receive, send)
            return
        token, actor = usual
        state: ApiState = scope["app"].state.api
        if actor is not None:
            scope.setdefault("state", {})["principal"] = str(actor)
        state.ledger.arrived()
        try:
            answer = await WRITES.run(partial(opened_as_json, state, token, actor))
        except Exception as error:
            answer = await problems.answered_by_app(error, Request(scope, receive))
        await answer(scope, receive, send)


def _usual_opening(scope: Scope) -> tuple[str, Actor | None] | None:
    """The link's token and the caller (None: anyone holding the link), or None for a request left to the route."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
        return None
    found = SHARED.fullmatch(scope["path"])
    if found is None:
        return None
    headers = Headers(scope=scope)
    if wants_html(headers.get("accept", "")):
        return None
    authorization = headers.get("authorization")
    if authorization is None:
        return found[1], None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and is_admin(scope["app"].state.api, token.strip()):
        return found[1], Actor.admin()
    return None
