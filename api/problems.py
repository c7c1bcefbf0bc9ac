"""RFC 9457 problem details: the one place that maps errors to HTTP. Every domain error has a stable `type`
(https://ler-ledger.example/problems/<code>); validation errors list each field's problem."""

import inspect
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.storage.availability import STORE_UNAVAILABLE
from domain.errors import (
    AlreadyIssued,
    ConcurrencyConflict,
    DomainError,
    IdempotencyKeyReused,
    InvalidValue,
    NotFound,
    NotPermitted,
    RuleBroken,
)

PROBLEM_BASE = "https://ler-ledger.example/problems/"
PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (NotPermitted, 403),
    (InvalidValue, 422),
    (RuleBroken, 409),
    (ConcurrencyConflict, 409),
    (IdempotencyKeyReused, 422),
)

TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Not permitted", 404: "Not found", 405: "Method not allowed",
    406: "Not acceptable", 408: "Request timeout", 409: "Conflict with the ledger's rules", 413: "Request too large",
    415: "Unsupported media type", 422: "Invalid request", 500: "Internal error", 503: "Service unavailable",
}


class FieldProblem(BaseModel):
    """One field's problem in a request that failed validation."""

    field: str = Field(description="Where: e.g. `body.credits`, `query.limit`, `header.idempotency-key`")
    message: str
    kind: str = Field(description="The validator's error type, e.g. `missing`, `greater_than_equal`")


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field(description="A stable URI per kind of problem: https://ler-ledger.example/problems/<code>")
    title: str
    status: int
    detail: str
    code: str = Field(description="The stable code the `type` ends with")
    instance: str | None = None
    errors: list[FieldProblem] | None = Field(default=None, description="Each field's problem (validation only)")
    existing: str | None = Field(default=None, description="What stands already (`already-issued`: the path of the "
                                                           "credential issued on this basis)")


class ApiProblem(Exception):
    """A problem raised by the HTTP layer itself (authentication, capability links, waiting for projections)."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def unauthenticated(detail: str = "a bearer token is required") -> ApiProblem:
    return ApiProblem(401, "unauthenticated", detail, {"WWW-Authenticate": 'Bearer realm="ler-ledger"'})


def status_for(error: DomainError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 409


def problem(status: int, code: str, detail: str, instance: str | None = None,
            errors: list[FieldProblem] | None = None) -> Problem:
    return Problem(type=PROBLEM_BASE + code, title=TITLES.get(status, "Problem"), status=status, detail=detail,
                   code=code, instance=instance, errors=errors)


def domain_problem(error: DomainError, instance: str | None = None) -> Problem:
    found = problem(status_for(error), error.code, error.message, instance)
    if isinstance(error, AlreadyIssued):
        found.existing = f"/v1/credentials/{error.existing_id}"
    return found


def field_problems(errors: Any) -> list[FieldProblem]:
    found = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()))
        found.append(FieldProblem(field=location or "body", message=str(error.get("msg", "")),
                                  kind=str(error.get("type", ""))))
    return found


def validation_problem(errors: Any, instance: str | None = None) -> Problem:
    fields = field_problems(errors)
    detail = "; ".join(f"{f.field}: {f.message}" for f in fields[:10]) or "the request is not valid"
    return problem(422, "validation-failed", detail, instance, fields)


def respond(found: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(found.model_dump(exclude_none=True), status_code=found.status, headers=headers,
                        media_type=PROBLEM_JSON)


def answer_for(error: Exception, path: str, api: Any) -> JSONResponse | None:
    """The problem answer for a refusal or an unreachable store (None for anything else)."""
    if isinstance(error, ApiProblem):
        return respond(problem(error.status, error.code, error.detail, path), error.headers)
    if isinstance(error, DomainError):
        return respond(domain_problem(error, path))
    if isinstance(error, STORE_UNAVAILABLE):
        found = problem(503, "store-unavailable", "the ledger's database cannot be reached just now: retry with the"
                        " same Idempotency-Key (a write that did reach the log is answered, not repeated)", path)
        return respond(found, {"Retry-After": str(api.services.settings.operations.retry_after_seconds)})
    return None


async def answered_by_app(error: Exception, request: Request) -> Response:
    """The app's own answer to an error raised outside FastAPI's router (api/direct_writes.py, api/open_links.py):
    its handler for the nearest class, as Starlette's exception middleware finds it; anything only the catch-all
    handles is raised on to the server-error middleware, as behind the router."""
    handlers = request.app.exception_handlers
    handler = handlers.get(error.status_code) if isinstance(error, StarletteHTTPException) else None
    for kind in type(error).__mro__:
        if handler is not None or kind is Exception:
            break
        handler = handlers.get(kind)
    if handler is None:
        raise error
    answer = handler(request, error)
    found: Response = await answer if inspect.isawaitable(answer) else answer
    return found


def install(app: FastAPI) -> None:
    def on_error(request: Request, error: Exception) -> JSONResponse:
        answer = answer_for(error, request.url.path, request.app.state.api)
        if answer is None:  # registered for the errors it answers alone
            raise error
        return answer

    for handled in (*STORE_UNAVAILABLE, DomainError, ApiProblem):
        app.add_exception_handler(handled, on_error)

    @app.exception_handler(RequestValidationError)
    def on_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return respond(validation_problem(error.errors(), request.url.path))

    @app.exception_handler(StarletteHTTPException)
    def on_http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "no-such-path", 405: "method-not-allowed"}.get(error.status_code, f"http-{error.status_code}")
        detail = str(error.detail) if error.detail else TITLES.get(error.status_code, "")
        return respond(problem(error.status_code, code, detail, request.url.path), dict(error.headers or {}))


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries: each problem a route can answer with."""
    described = {
        400: "Malformed request", 401: "No valid bearer token (see `WWW-Authenticate`)",
        403: "The principal may not do this (`not-permitted`)", 404: "Not found, or not visible to this principal",
        409: "A registrar's rule refuses the command (`type` names the rule) or a concurrent write collided",
        422: "Invalid input: each field's problem in `errors`, or `invalid-value` / `idempotency-key-reused`",
        503: "Retry after `Retry-After` seconds: the database cannot be reached (`store-unavailable`), the read side"
             " has not reached `min_position` in time, or (readiness) the ledger is `not-ready`",
    }
    return {
        status: {"model": Problem, "description": described.get(status, TITLES.get(status, "")),
                 "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for status in sorted({400, *statuses})
    }
