"""The page a candidate's share link opens: exactly what the share grants, each credential with the server's
verification checks and its signed document to download. A link that has ended says so and shows nothing else."""

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.context import ApiState, MaybePrincipal, State
from api.problems import ApiProblem
from api.routers.shares import opened_share
from projections.employer_view import EmployerView, SharedCredential
from web.errors import PageProblem, PageRoute
from web.pages.credential_checks import CheckLine, share_checks
from web.rendering import day, render
from web.sessions import MaybeViewer, load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
ShareToken = Annotated[str, Path(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


@dataclass(frozen=True)
class CredentialCard:
    """A shared credential with its checks in words and where to download it."""

    credential: SharedCredential
    checks: list[CheckLine]
    download: str


def credential_cards(view: EmployerView, token: str) -> list[CredentialCard]:
    return [CredentialCard(c, share_checks(c.verification, c.document),
                           f"/shared/{token}/credentials/{c.credential_id}.json") for c in view.credentials]


def _ended(state: ApiState, token: str) -> PageProblem:
    """What the holder of a dead link learns: that it ended and how, never what it granted."""
    share = state.read_side.share_by_token(token)
    if share is None:
        return PageProblem(404, "There is no shared record at this link. Check that the whole link was copied.",
                           "Link not found")
    if share.revoked:
        return PageProblem(410, "The person who shared this record has withdrawn it. Nothing is shown.",
                           "This share was withdrawn")
    return PageProblem(410, f"This share ended on {day(share.expires_at)}. Nothing is shown. Ask the "
                            "person who shared it for a new link if you still need it.", "This share has ended")


@router.get("/shared/{token}", response_class=HTMLResponse)
def shared_page(token: ShareToken, request: Request, state: State, actor: MaybePrincipal,
                viewer: MaybeViewer) -> HTMLResponse:
    try:
        with opened_share(state, token, actor or (viewer.actor if viewer else None)) as view:
            return render(request, "shared.html", title="Shared learner record", view=view,
                          cards=credential_cards(view, token), expires=day(view.expires_at), day=day,
                          headers={"Cache-Control": "no-store"})
    except ApiProblem:
        raise _ended(state, token) from None


@router.get("/shared/{token}/credentials/{credential_id}.json")
def shared_credential(token: ShareToken, credential_id: UUID, state: State) -> Response:
    """The signed OB 3.0 credential as issued, for checking with any verifier. Not an opening of the share."""
    view = state.read_side.employer_view(token)
    if view is None:
        raise _ended(state, token)
    for credential in view.credentials:
        if credential.credential_id == credential_id:
            return _json_download(credential.document, f"credential-{credential_id}.json")
    raise PageProblem(404, "This share does not include that credential.", "Credential not shared")


def _json_download(document: dict[str, Any], filename: str) -> Response:
    return Response(orjson.dumps(document, option=orjson.OPT_INDENT_2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
