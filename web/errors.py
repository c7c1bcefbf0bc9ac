"""Errors on pages become a page that says what is wrong (never a stack trace, never JSON): `PageRoute` catches what
a page's handler or its dependencies raise and renders `error.html` with the same status the API would answer."""

from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from api.problems import TITLES, ApiProblem, status_for
from domain.errors import DomainError
from web.rendering import render

log = structlog.get_logger("web")


class PageProblem(Exception):
    """Something a page refuses, in words for a person."""

    def __init__(self, status: int, detail: str, title: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or TITLES.get(status, "Something is wrong")


def wants_page(request: Request) -> bool:
    """A browser asking for a path outside the API: it gets an HTML page rather than problem+json."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/v1/") and "text/html" in accept


def error_page(request: Request, status: int, detail: str, title: str | None = None) -> Response:
    return render(request, "error.html", status=status, title=title or TITLES.get(status, "Something is wrong"),
                  detail=detail)


def _validation_detail(error: RequestValidationError | ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        field = str(item.get("loc", ("", ""))[-1])
        parts.append(f"{field}: {item.get('msg', 'not valid')}")
    return "; ".join(parts) or "the form is not valid"


def problem_page(request: Request, error: Exception) -> Response | None:
    if isinstance(error, PageProblem):
        return error_page(request, error.status, error.detail, error.title)
    if isinstance(error, DomainError):
        return error_page(request, status_for(error), error.message)
    if isinstance(error, ApiProblem):
        return error_page(request, error.status, error.detail)
    if isinstance(error, RequestValidationError | ValidationError):
        return error_page(request, 422, _validation_detail(error))
    if isinstance(error, HTTPException):
        return error_page(request, error.status_code, str(error.detail))
    return None


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:
                page = problem_page(request, error)
                if page is not None:
                    return page
                log.exception("page_failed", path=request.url.path)
                return error_page(request, 500, "The ledger failed to show this page. Please try again later.")

        return handle
