"""Sharing, for the learner: choose credentials and skills, the employer, purpose and expiry; see the link once, with
a QR code; list shares with who opened them and when; revoke."""

import secrets
from datetime import UTC, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.context import State
from api.requests.shares import ShareGrant
from application.commands.shares import RevokeShare
from web.errors import PageProblem, PageRoute
from web.rendering import render
from web.sessions import CsrfChecked, Learner, load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
DEFAULT_DAYS = 30
WAIT_SECONDS = 5.0
FormKey = Annotated[str, Form(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _share_form(request: Request, state: State, viewer: Learner, status: int = 200, problem: str = "") -> Response:
    overview = state.read_side.overview(viewer.id)
    return render(
        request, "learner/shares.html", status=status, title="Your shares", shares=state.read_side.shares(viewer.id),
        credentials=[c for c in overview.credentials if c.standing == "active"],
        skills=state.read_side.skills(viewer.id), employers=state.read_side.employers(),
        default_expiry=(datetime.now(UTC) + timedelta(days=DEFAULT_DAYS)).date().isoformat(),
        form_key=secrets.token_urlsafe(24), problem=problem)


@router.get("/me/shares", response_class=HTMLResponse)
def shares(request: Request, state: State, viewer: Learner) -> Response:
    return _share_form(request, state, viewer)


def _expiry(text: str) -> datetime:
    try:
        day = datetime.fromisoformat(text).date() if "T" in text else datetime.fromisoformat(text[:10]).date()
    except ValueError:
        raise PageProblem(422, "The expiry is not a date: choose the last day the employer may look.") from None
    return datetime.combine(day, time.max, tzinfo=UTC)


@router.post("/me/shares", dependencies=[CsrfChecked], response_class=HTMLResponse)
def create_share(
    request: Request, state: State, viewer: Learner, form_key: FormKey,
    employer_id: Annotated[UUID, Form()], purpose: Annotated[str, Form(max_length=500)],
    expires_on: Annotated[str, Form(max_length=40)],
    credential_ids: Annotated[list[UUID] | None, Form()] = None,
    skill_urls: Annotated[list[str] | None, Form()] = None,
) -> Response:
    if not credential_ids and not skill_urls:
        return _share_form(request, state, viewer, 422, "Choose at least one credential or skill to share.")
    grant = ShareGrant(employer_id=employer_id, credential_ids=credential_ids or [], skill_urls=skill_urls or [],
                       purpose=purpose, expires_at=_expiry(expires_on))
    outcome = state.ledger.execute(viewer.actor, grant.to_command(viewer.id), f"web-share-{form_key}")
    state.read_side.wait_for(outcome.position, timeout=WAIT_SECONDS)
    if not outcome.token:
        return RedirectResponse("/me/shares", status_code=303)
    url = f"{state.services.settings.pages_origin or state.services.urls.public_url}/v1/shared/{outcome.token}"
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000", light="#fff")
    return render(request, "learner/share_made.html", status=201, title="Share created", url=url, qr=qr,
                  share=next((s for s in state.read_side.shares(viewer.id)
                              if str(_share_id(s)) == str(outcome.id)), None))


def _share_id(share: object) -> object:
    return share.get("share_id") if isinstance(share, dict) else getattr(share, "share_id", None)


@router.post("/me/shares/{share_id}/revocation", dependencies=[CsrfChecked])
def revoke_share(share_id: UUID, state: State, viewer: Learner,
                 form_key: FormKey) -> Response:
    outcome = state.ledger.execute(viewer.actor, RevokeShare(viewer.id, share_id), f"web-revoke-{form_key}")
    state.read_side.wait_for(outcome.position, timeout=WAIT_SECONDS)
    return RedirectResponse("/me/shares", status_code=303)
