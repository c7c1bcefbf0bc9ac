"""Issuer pages (anyone): who issues credentials through the ledger, their keys and their status lists. The same
facts as the machine-readable `GET /v1/issuers/{id}` and `GET /v1/status-lists/{id}`, which the pages link to."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.context import State
from web.errors import PageProblem, PageRoute
from web.rendering import render
from web.sessions import load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])


@dataclass(frozen=True)
class IssuerKey:
    method: str
    multibase: str


@dataclass(frozen=True)
class StatusListLink:
    purpose: str
    marked: int
    path: str


@dataclass(frozen=True)
class IssuerPage:
    provider_id: str
    name: str
    website: str
    registered: bool
    issuer_id: str
    keys: list[IssuerKey]
    status_lists: list[StatusListLink]


def issuer_page(provider: dict[str, Any], counts: dict[str, int]) -> IssuerPage:
    provider_id = str(provider["id"])
    return IssuerPage(
        provider_id=provider_id, name=str(provider["name"]), website=str(provider.get("website") or ""),
        registered=bool(provider["registered"]), issuer_id=str(provider["issuer_id"]),
        keys=[IssuerKey(method, key) for method, key in provider["keys"].items()],
        status_lists=[StatusListLink(purpose, marked, f"/v1/status-lists/{provider_id}-{purpose}")
                      for purpose, marked in counts.items()],
    )


@router.get("/issuers", response_class=HTMLResponse)
def issuers(request: Request, state: State) -> HTMLResponse:
    return render(request, "issuers.html", title="Issuers", providers=state.read_side.providers())


@router.get("/issuers/{provider_id}", response_class=HTMLResponse)
def issuer(provider_id: UUID, request: Request, state: State) -> HTMLResponse:
    provider = state.read_side.provider(provider_id)
    if provider is None:
        raise PageProblem(404, "No issuer is registered with the ledger under this address.", "Issuer not found")
    page = issuer_page(provider, state.read_side.status_counts(provider_id))
    return render(request, "issuer.html", title=page.name, issuer=page)
