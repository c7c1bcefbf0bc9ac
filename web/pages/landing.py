"""The landing page: what the ledger is, and where to go."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web.errors import PageRoute
from web.rendering import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    return render(request, "landing.html", title="Learner employment record ledger")
