"""Jinja2 templates with autoescaping on; every page is rendered through `render`."""

from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
CSRF_COOKIE = "ler_csrf"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.autoescape = True
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def label(value: Any) -> str:
    """How a value reads on a page: an enumeration by its value, a missing one as a dash."""
    if value is None:
        return "—"
    return str(value.value) if isinstance(value, Enum) else str(value)


templates.env.filters["label"] = label


def render(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    page_context = {"viewer": viewer, "csrf_token": getattr(request.state, "csrf_token", ""), **context}
    response: HTMLResponse = templates.TemplateResponse(request, template, page_context, status_code=status,
                                                        headers=headers)
    fresh = getattr(request.state, "new_csrf_cookie", None)
    if fresh is not None:
        secret, secure = fresh
        response.set_cookie(CSRF_COOKIE, secret, path="/", secure=secure, httponly=True, samesite="lax")
    return response
