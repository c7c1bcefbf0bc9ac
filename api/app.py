"""The HTTP API (contract version 1 in DESIGN.md): `create_app(services, read_side, admin_token)`."""


import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import problems
from api.body_guard import BodyGuard, BodyLimits
from api.context import ApiState, hash_token
from api.direct_writes import DirectWrites
from api.middleware import RequestLogging
from api.open_links import OpenLinks
from api.routers import (
    achievements,
    credentials,
    employers,
    enrolments,
    events,
    health,
    issuers,
    learners,
    log,
    principals,
    providers,
    rpl,
    shares,
    sign_in_links,
    verify,
    work_experience,
)
from projections.read_side import ReadSide
from wiring.services import Services

DESCRIPTION = """
A learner employment record ledger: providers append what they assessed and awarded, learners add work experience
and share chosen parts with employers, employers read verified skills through what was shared.

* **Authentication**: `Authorization: Bearer <token>`; one token per principal (admin, provider, learner, employer).
  Tokens are stored hashed and can be revoked (`POST /v1/tokens/revocation`).
* **Errors** are RFC 9457 `application/problem+json`; `type` is stable per problem:
  `https://ler-ledger.example/problems/<code>` (e.g. `not-found`, `not-permitted`, `validation-failed`,
  `not-completed`, `idempotency-key-reused`). A refused command records nothing.
* **Idempotency**: send `Idempotency-Key` on every write. A retry with the same key and command returns the first
  outcome (`replayed: true`) and records nothing. A token (registration, share link) is shown only in the first
  response: the ledger keeps only its hash, so a replay answers `token: null`.
* **Read your writes**: every write answers with `position` (and `X-Ledger-Position`); pass it to a read as
  `?min_position=` (or `X-Min-Position`) and the read waits, briefly, until the views have reached it.
"""

API_ROUTERS = tuple(module.router for module in (
    providers, principals, achievements, enrolments, credentials, rpl, work_experience, shares, learners, employers,
    verify, issuers, events, health, sign_in_links, log))


def create_app(services: Services, read_side: ReadSide, admin_token: str, wait_seconds: float = 5.0,
               limits: BodyLimits | None = None) -> FastAPI:
    app = FastAPI(title="Learner employment record ledger", version="1.0.0", description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.api = ApiState(services, read_side, hash_token(admin_token) if admin_token else "", wait_seconds)
    problems.install(app)

    @app.exception_handler(Exception)
    def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        structlog.get_logger("api").error("unhandled error", error=type(error).__name__, exc_info=error)
        found = problems.problem(500, "internal-error", "the ledger failed to answer; the request id is in the log",
                                 request.url.path)
        return problems.respond(found)

    for router in API_ROUTERS:  # first: the pages' routers and mounts come after them (web/site.py)
        app.include_router(router)
    app.add_middleware(DirectWrites, routers=API_ROUTERS)
    app.add_middleware(OpenLinks)
    app.add_middleware(BodyGuard, limits=limits or body_limits(services))
    app.add_middleware(RequestLogging)

    return app


def body_limits(services: Services | None) -> BodyLimits:
    if services is None:
        return BodyLimits()
    settings = services.settings
    return BodyLimits(settings.max_body_bytes, settings.max_import_body_bytes, settings.body_timeout_seconds)
