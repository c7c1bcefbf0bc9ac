"""Signing in with a one-time link, signing out, and the account page (passkeys, a link for another device)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.context import State
from web.errors import PageProblem, PageRoute
from web.rendering import render
from web.sessions import (
    SESSION_COOKIE,
    AnyViewer,
    CsrfChecked,
    load_viewer,
    secure_cookies,
    set_session_cookie,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
LinkToken = Annotated[str, Form(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
DEVICE_LINK_MINUTES = 15


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request) -> Response:
    return render(request, "sign_in.html", title="Sign in")


@router.get("/sign-in/link/{token}", response_class=HTMLResponse)
def confirm_link(request: Request, token: str) -> Response:
    """Opening the link only asks to continue: mail scanners that fetch links do not use it up."""
    return render(request, "sign_in_link.html", title="Sign in", token=token)


@router.post("/sign-in/link", dependencies=[CsrfChecked])
def use_link(request: Request, state: State, token: LinkToken) -> Response:
    started = state.services.sign_ins.sign_in_with_link(token)
    if started is None:
        raise PageProblem(400, "This sign-in link is unknown, has expired or was used already: each link works "
                               "once. Ask for a new one.", "Sign-in link not valid")
    session_token, session = started
    home = "/me" if session.principal.kind.value == "learner" else "/employer"
    response = RedirectResponse(home, status_code=303)
    set_session_cookie(response, session_token, session, secure_cookies(state))
    return response


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request, state: State) -> Response:
    state.services.sign_ins.sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/signed-out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure_cookies(state), httponly=True, samesite="lax")
    return response


@router.get("/signed-out", response_class=HTMLResponse)
def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html", title="Signed out")


@router.get("/me/account", response_class=HTMLResponse)
def account(request: Request, state: State, viewer: AnyViewer) -> Response:
    passkeys = state.services.sign_ins.passkeys_of(viewer.actor)
    return render(request, "account.html", title="Sign-in and passkeys", passkeys=passkeys)


@router.post("/me/account/sign-in-link", dependencies=[CsrfChecked], response_class=HTMLResponse)
def device_link(request: Request, state: State, viewer: AnyViewer) -> Response:
    link = state.services.sign_ins.create_link(viewer.actor, viewer.actor, DEVICE_LINK_MINUTES)
    url = f"{request.base_url}".rstrip("/") + f"/sign-in/link/{link.token}"
    passkeys = state.services.sign_ins.passkeys_of(viewer.actor)
    return render(request, "account.html", title="Sign-in and passkeys", passkeys=passkeys, device_link=url,
                  device_link_expires=link.expires_at)
