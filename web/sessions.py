"""Who is looking at a page: the session cookie resolves, server-side, to a principal; every form carries a CSRF
token derived from the browser's secret (its session token, or before signing in a random cookie), so a post from
another site, or without the token, is refused."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request, Response

from api.context import State
from application.sign_in import Session
from domain.values import Actor, ActorKind
from web.errors import PageProblem
from web.rendering import CSRF_COOKIE

SESSION_COOKIE = "ler_session"
CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LEARNER_NAV = (
    ("/me", "Record"), ("/me/credentials", "Credentials"), ("/me/skills", "Skills"), ("/me/pathways", "Pathways"),
    ("/me/shares", "Shares"), ("/me/account", "Sign-in & passkeys"),
)
EMPLOYER_NAV = (("/employer", "Find candidates"), ("/employer/work-experience", "Work to attest"))


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    expires_at: datetime

    @property
    def id(self) -> UUID:
        return UUID(self.actor.id)

    @property
    def is_learner(self) -> bool:
        return self.actor.kind is ActorKind.LEARNER

    @property
    def nav(self) -> tuple[tuple[str, str], ...]:
        return LEARNER_NAV if self.is_learner else EMPLOYER_NAV

    @property
    def home(self) -> str:
        return self.nav[0][0]


def csrf_token_for(browser_secret: str) -> str:
    return hmac.new(browser_secret.encode(), b"ler-ledger/csrf", hashlib.sha256).hexdigest()


def secure_cookies(state: State) -> bool:
    return state.services.urls.public_url.startswith("https://")


def load_viewer(request: Request, state: State) -> Viewer | None:
    """Runs before every page: resolves the session and prepares the CSRF token the page's forms carry."""
    session_token = request.cookies.get(SESSION_COOKIE, "")
    session: Session | None = state.services.sign_ins.session(session_token)
    viewer = Viewer(session.principal, session.expires_at) if session else None
    if viewer is not None:
        browser_secret = session_token
    else:
        browser_secret = request.cookies.get(CSRF_COOKIE, "")
        if not 32 <= len(browser_secret) <= 100:
            browser_secret = secrets.token_urlsafe(32)
            request.state.new_csrf_cookie = (browser_secret, secure_cookies(state))
    request.state.viewer = viewer
    request.state.csrf_token = csrf_token_for(browser_secret)
    return viewer


MaybeViewer = Annotated[Viewer | None, Depends(load_viewer)]


async def check_csrf(request: Request, viewer: MaybeViewer) -> None:
    """A post must carry the token its form was rendered with; nothing is done otherwise."""
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(FORM_TYPES):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not sent or not hmac.compare_digest(sent, request.state.csrf_token):
        raise PageProblem(403, "This form was not sent from this site's own page, or it has expired. Nothing was "
                               "changed: go back, reload the page and try again.", "Form refused")


CsrfChecked = Depends(check_csrf)


def signed_in(viewer: MaybeViewer) -> Viewer:
    if viewer is None:
        raise PageProblem(401, "Sign in to see this page: use the sign-in link you were given, or a passkey.",
                          "Please sign in")
    return viewer


def signed_in_learner(viewer: Annotated[Viewer, Depends(signed_in)]) -> Viewer:
    if not viewer.is_learner:
        raise PageProblem(403, "These pages are for learners.")
    return viewer


Learner = Annotated[Viewer, Depends(signed_in_learner)]


def signed_in_employer(viewer: Annotated[Viewer, Depends(signed_in)]) -> Viewer:
    if viewer.actor.kind is not ActorKind.EMPLOYER:
        raise PageProblem(403, "These pages are for employers.")
    return viewer


Employer = Annotated[Viewer, Depends(signed_in_employer)]
AnyViewer = Annotated[Viewer, Depends(signed_in)]


def set_session_cookie(response: Response, token: str, session: Session, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, expires=session.expires_at, path="/", secure=secure, httponly=True,
                        samesite="lax")


def clear_session_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
