"""What an async write route calls: the command run in a worker thread (it waits on the store), its answer checked on
the event loop. A sync route would hand the answer's check to a worker thread too: a second hand-off per write.

`CommandRoute` answers the usual request of such a route (a JSON body, a bearer token, UUIDs in the path, perhaps an
Idempotency-Key) without FastAPI's general dependency solver, which cost more CPU than the command's own Python; any
other request (another content type, no bearer token, a value that does not validate) is left to FastAPI's handler,
so every refusal before the command is FastAPI's own, in its order (401 before 422)."""

import inspect
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any, get_type_hints
from uuid import UUID

import fastapi.routing
from fastapi import Request, Response, params
from fastapi._compat import ModelField, field_annotation_is_sequence
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, serialize_response
from pydantic import Json

from api.context import ApiState, Caller, Writer, api_state, bearer, caller, principal
from api.handoff import WRITES
from api.requests.base import CommandRequest
from application.commands.base import Command
from application.ledger import Written
from domain.values import Actor

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
Values = dict[str, Any]


async def execute(state: ApiState, actor: Actor | Caller, command: Command, key: str | None) -> Written:
    return await WRITES.run(partial(_execute, state, actor, lambda: command, key))


async def execute_request(state: ApiState, actor: Actor | Caller, body: CommandRequest, target: UUID | None,
                          key: str | None) -> Written:
    """The body made a command in the worker thread, after the token's check: a refused token answers before a
    refused body, in FastAPI's order."""
    return await WRITES.run(partial(_execute, state, actor, partial(body.to_command, target), key))


def _execute(state: ApiState, actor: Actor | Caller, command: Callable[[], Command], key: str | None) -> Written:
    checked = actor.actor() if isinstance(actor, Caller) else actor
    return state.ledger.execute(checked, command(), key)


_SERIALIZES_TO_JSON = "dump_json" in inspect.signature(serialize_response).parameters
"""FastAPI 0.13x and later serialize a response model to JSON bytes with pydantic (before: a dict, then json.dumps)."""


@dataclass(frozen=True)
class _Shape:
    """Where the lean handler finds the endpoint's values: path and header values by their request key (each checked
    by its FastAPI field's own ``validate``), the JSON body, and the names of the principal, state and response."""

    path: tuple[tuple[str, ModelField], ...]
    headers: tuple[tuple[str, ModelField], ...]
    body: ModelField
    principal_name: str
    defers_token_check: bool
    state_name: str | None
    response_name: str | None


def _shape(route: Any) -> _Shape | None:
    """None unless the route takes only what the lean handler solves."""
    dependant: Dependant = route.dependant
    calls = {sub.call: sub.name for sub in dependant.dependencies}
    if (principal not in calls or not set(calls) <= {principal, api_state} or len(calls) != len(dependant.dependencies)
            or dependant.query_params or dependant.cookie_params or len(dependant.body_params) != 1
            or route._embed_body_fields or type(dependant.body_params[0].field_info) is not params.Body
            or route.response_field is None or route.status_code not in (200, 201)
            or not isinstance(route.response_class, DefaultPlaceholder)
            or dependant.request_param_name or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name or dependant.http_connection_param_name
            or not inspect.iscoroutinefunction(dependant.call) or not _SERIALIZES_TO_JSON
            or not all(map(_plain, dependant.path_params + dependant.header_params))):
        return None
    return _Shape(tuple((field.alias, field) for field in dependant.path_params),
                  tuple((field.alias, field) for field in dependant.header_params), dependant.body_params[0],
                  str(calls[principal]), _takes_writer(dependant.call, str(calls[principal])), calls.get(api_state),
                  dependant.response_param_name)


def _takes_writer(endpoint: Callable[..., Any], name: str) -> bool:
    """An endpoint whose principal is a ``Writer`` passes it on to ``execute``, which checks a ``Caller``'s token."""
    return bool(get_type_hints(endpoint, include_extras=True).get(name) == Writer)


def _plain(field: ModelField) -> bool:
    """A single value under one name: a path parameter under its own name, a header under its explicit alias."""
    info = field.field_info
    if (info.validation_alias not in (None, field.alias) or getattr(field, "config", None)
            or field_annotation_is_sequence(info.annotation) or any(type(item) is Json for item in info.metadata)):
        return False
    if isinstance(info, params.Path):
        return field.alias == field.name
    return isinstance(info, params.Header) and field.alias != field.name


def _effective(route: APIRoute) -> Any:
    """The route as included (FastAPI 0.13x and later build an included route's handler with its inclusion's prefix
    and dependencies, named by a context variable while they do)."""
    variable = getattr(fastapi.routing, "_effective_route_context_var", None)
    context = variable.get() if variable is not None else None
    return context if context is not None and getattr(context, "original_route", None) is route else route


class CommandRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        general = super().get_route_handler()
        lean = lean_handler(_effective(self))
        if lean is None:
            return general

        async def handle(request: Request) -> Response:
            answer = await lean(request)
            return answer if answer is not None else await general(request)

        return handle


def lean_handler(route: Any) -> "LeanHandler | None":
    """The route's lean handler, or None when the route takes more than it solves."""
    shape = _shape(route)
    return None if shape is None else LeanHandler(route, shape)


class LeanHandler:
    """Answers a command route's usual request, or None for FastAPI's handler to answer it."""

    def __init__(self, route: Any, shape: _Shape):
        self.route = route
        self.shape = shape

    async def __call__(self, request: Request) -> Response | None:
        if getattr(self.route.dependency_overrides_provider, "dependency_overrides", None):
            return None
        values = await _validated(request, self.shape)
        if values is None:
            return None
        state = await api_state(request)
        credentials = await bearer(request)
        if credentials is None:
            return None
        take = caller if self.shape.defers_token_check else principal
        values[self.shape.principal_name] = await take(request, state, credentials)
        if self.shape.state_name:
            values[self.shape.state_name] = state
        sub_response = Response()
        del sub_response.headers["content-length"]
        sub_response.status_code = None  # type: ignore[assignment]
        if self.shape.response_name:
            values[self.shape.response_name] = sub_response
        return await self._answer(await self.route.dependant.call(**values), sub_response)

    async def _answer(self, raw: Any, sub_response: Response) -> Response:
        """As FastAPI answers a route with a response model and the default response class."""
        if isinstance(raw, Response):
            return raw
        route = self.route
        content = await serialize_response(
            field=route.response_field, response_content=raw, include=route.response_model_include,
            exclude=route.response_model_exclude, by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset, exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none, is_coroutine=True, dump_json=True)
        answer = Response(content=content, media_type="application/json",
                          status_code=sub_response.status_code or route.status_code)
        answer.headers.raw.extend(sub_response.headers.raw)
        return answer


async def _validated(request: Request, shape: _Shape) -> Values | None:
    """The path, header and body values, or None when anything is not as usual (FastAPI's handler then answers)."""
    if request.headers.get("content-type") != "application/json":
        return None
    values: Values = {}
    given = [(field, request.path_params.get(key)) for key, field in shape.path]
    given += [(field, request.headers.get(key)) for key, field in shape.headers]
    for field, text in given:
        if text is None:
            if field.field_info.is_required():
                return None
            values[field.name] = field.default
            continue
        value, errors = field.validate(text, values)
        if errors:
            return None
        values[field.name] = value
    body = await request.body()
    try:
        document = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return None
    if document is None:
        return None
    value, errors = shape.body.validate(document, values)
    if errors:
        return None
    values[shape.body.name] = value
    return values
