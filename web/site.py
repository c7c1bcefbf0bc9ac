"""The whole application: the HTTP API (api.create_app) with the pages for people mounted beside it."""

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from api.app import create_app
from projections.read_side import ReadSide
from web.errors import error_page, wants_page
from web.pages import (
    attestation,
    credential_check,
    employer,
    issuers,
    landing,
    learner,
    passkeys,
    shared,
    sharing,
    sign_in,
    verify,
)
from web.rendering import STATIC_DIR
from web.security import SecurityHeaders
from web.sessions import load_viewer
from wiring.services import Services

PAGE_ROUTERS = (landing.router, sign_in.router, passkeys.router, learner.router, sharing.router, shared.router,
                verify.router, issuers.router, employer.router, attestation.router,
                credential_check.router)


def create_site(services: Services, read_side: ReadSide, admin_token: str, wait_seconds: float = 5.0) -> FastAPI:
    app = create_app(services, read_side, admin_token, wait_seconds)
    mount_pages(app)
    return app


def mount_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router, dependencies=[Depends(load_viewer)])  # every page knows who is looking
    app.add_middleware(SecurityHeaders)
    _answer_browsers_with_pages(app)


def _answer_browsers_with_pages(app: FastAPI) -> None:
    """An unknown path asked for by a browser gets a page; programs keep getting problem+json."""
    api_handler = app.exception_handlers[HTTPException]

    async def on_http_error(request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException) and wants_page(request):
            return error_page(request, error.status_code, _http_detail(error))
        answer: Response = await _maybe_await(api_handler(request, error))
        return answer

    app.exception_handlers[HTTPException] = on_http_error


def _http_detail(error: HTTPException) -> str:
    if error.status_code == 404:
        return "There is no page at this address. Check the link, or start again from the start page."
    return str(error.detail)


async def _maybe_await(value: object) -> Response:
    if isinstance(value, Response):
        return value
    return await value  # type: ignore[no-any-return, misc]
