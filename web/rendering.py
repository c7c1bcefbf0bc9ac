"""Jinja2 templates with autoescaping on; every page is rendered through `render`."""

import re
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

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


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shown(value: Any) -> Any:
    """Every value a template prints: control characters someone wrote become a visible replacement mark."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return CONTROL_CHARACTERS.sub("\ufffd", value)
    return value


def day(value: Any) -> str:
    """A date or moment as a person reads it (6 December 2026); what does not parse is shown as given."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime | date):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    return f"{moment.day} {moment:%B %Y}"


EVIDENCE_WORDS = {"credential": "Credential", "assessment": "Assessment", "rpl": "RPL decision",
                  "work-experience": "Work experience"}


def evidence_kind(value: Any) -> str:
    text = label(value)
    return EVIDENCE_WORDS.get(text, text.replace("-", " ").capitalize())


templates.env.filters["label"] = label
templates.env.filters["day"] = day
templates.env.filters["evidence_kind"] = evidence_kind
templates.env.finalize = shown


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
