"""A command route's usual request (api/writes.py: a JSON body, a bearer token) answered before FastAPI's router,
whose matching through included routers is a large share of an append's CPU (ops/bench/README.md, issue 13).

The table holds each command route that no earlier route of the API could also match (same method, a path that
could be the same), so the route taken here is the one the router would take. A request whose lean handler declines
it (another content type, a value that does not validate, overridden dependencies) goes on to the router with its
body as it came; a browser's request (HTML wanted) goes there at once. Refusals are answered by the app's own
exception handlers (api/problems.py), as behind the router."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems
from api.routers.shares import wants_html
from api.writes import CommandRoute, LeanHandler, lean_handler


@dataclass(frozen=True)
class DirectRoute:
    route: CommandRoute
    prefix: str
    pattern: re.Pattern[str]
    lean: LeanHandler

    def path_params(self, path: str) -> dict[str, Any] | None:
        if not path.startswith(self.prefix):
            return None
        found = self.pattern.match(path)
        if found is None:
            return None
        convertors = self.route.param_convertors
        return {name: convertors[name].convert(value) for name, value in found.groupdict().items()}


def direct_routes(routers: Sequence[APIRouter]) -> dict[str, tuple[DirectRoute, ...]]:
    """By method, the command routes with a lean handler that no earlier route of ``routers`` could shadow."""
    table: dict[str, list[DirectRoute]] = {}
    earlier: list[BaseRoute] = []
    for router in routers:
        for route in router.routes:
            direct = _direct_route(route, earlier)
            if direct is not None:
                for method in direct.route.methods or ():
                    table.setdefault(method, []).append(direct)
            earlier.append(route)
    return {method: tuple(routes) for method, routes in table.items()}


def _direct_route(route: BaseRoute, earlier: Sequence[BaseRoute]) -> DirectRoute | None:
    if not isinstance(route, CommandRoute) or any(_may_shadow(before, route) for before in earlier):
        return None
    lean = lean_handler(route)
    return None if lean is None else DirectRoute(route, route.path.split("{", 1)[0], route.path_regex, lean)


def _may_shadow(before: BaseRoute, route: CommandRoute) -> bool:
    path = getattr(before, "path", None)
    if not isinstance(path, str):
        return True
    methods = getattr(before, "methods", None)
    if methods is not None and not methods & route.methods:
        return False
    return paths_may_meet(path + "/{rest:path}" if isinstance(before, Mount) else path, route.path)


def paths_may_meet(first: str, second: str) -> bool:
    """Whether some request path could match both path templates: a segment with a parameter may be anything, a
    ``:path`` parameter any rest (this errs towards yes)."""
    ours, theirs = first.split("/"), second.split("/")
    for mine, other in zip(ours, theirs, strict=False):
        if ":path}" in mine or ":path}" in other:
            return True
        if "{" not in mine and "{" not in other and mine != other:
            return False
    return len(ours) == len(theirs)


class DirectWrites:
    def __init__(self, app: ASGIApp, routers: Sequence[APIRouter]) -> None:
        self.app = app
        self.table = direct_routes(routers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._direct(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        direct, params = found
        request = Request({**scope, "path_params": params, "route": direct.route}, receive)
        try:
            answer = await direct.lean(request)
        except Exception as error:
            answer = await problems.answered_by_app(error, request)
        if answer is None:
            await self.app(scope, _replaying(await request.body(), receive), send)
            return
        await answer(scope, receive, send)

    def _direct(self, scope: Scope) -> tuple[DirectRoute, dict[str, Any]] | None:
        if scope["type"] != "http" or scope.get("root_path"):
            return None
        candidates = self.table.get(scope["method"])
        if not candidates or getattr(scope["app"], "dependency_overrides", None):
            return None
        path = scope["path"]
        for direct in candidates:
            params = direct.path_params(path)
            if params is not None:
                return None if wants_html(Headers(scope=scope).get("accept", "")) else (direct, params)
        return None


def _replaying(body: bytes, receive: Receive) -> Receive:
    """The request's body again for the router (the lean handler read it), then the connection's own messages."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
