"""The learner's own pages: record (timeline, RPL, work experience), credentials and downloads, skills, pathways,
and a print-friendly transcript. Every page reads the same views as the API, as of a chosen day when asked."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, Response

from api.context import State, parse_as_of
from domain.errors import NotFound
from projections.learner_overview import CredentialLine
from projections.read_side_parts import AsOf
from projections.timeline import TimelineEntry
from web.errors import PageProblem, PageRoute
from web.pages.credential_check import public_path
from web.rendering import render
from web.sessions import Learner, load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
AsOfText = Annotated[str | None, Query(max_length=40)]
TIMELINE_PAGE = 50
CORRECTIONS = {"RecognitionCase.Revised": "corrects an earlier RPL decision",
               "Credential.Superseded": "replaced by a newer credential",
               "Credential.Reinstated": "reverses a suspension"}
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def _as_of(text: str | None) -> AsOf | None:
    return parse_as_of(text) if text else None


@contextmanager
def said_plainly(when: AsOf | None) -> Iterator[None]:
    """As of a moment before the learner was registered, there is no record yet: say so in words."""
    try:
        yield
    except NotFound:
        if when is None:
            raise
        raise PageProblem(404, "Your record did not exist yet at that point: nothing was recorded about you by "
                               "then. Choose a later day.", "No record yet") from None


def _json_download(document: dict[str, Any], filename: str) -> Response:
    body = orjson.dumps(jsonable_encoder(document), option=orjson.OPT_INDENT_2)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/me", response_class=HTMLResponse)
def home(request: Request, state: State, viewer: Learner, as_of: AsOfText = None,
         offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    when = _as_of(as_of)
    with said_plainly(when):
        overview = state.read_side.overview(viewer.id, when)
        entries = state.read_side.record(viewer.id, as_of=when, limit=TIMELINE_PAGE + 1, offset=offset)
    return render(request, "learner/home.html", title="Your record", overview=overview, as_of=as_of or "",
                  entries=entries[:TIMELINE_PAGE], corrections=CORRECTIONS, offset=offset,
                  more=len(entries) > TIMELINE_PAGE, page_size=TIMELINE_PAGE)


def _reasons(state: State, learner_id: UUID, when: AsOf | None) -> dict[str, list[TimelineEntry]]:
    """Each credential's own facts (issued, suspended with a reason, revoked with a reason...), oldest first."""
    found: dict[str, list[TimelineEntry]] = {}
    for entry in reversed(state.read_side.record(learner_id, as_of=when, limit=500)):
        if entry.credential_id:
            found.setdefault(str(entry.credential_id), []).append(entry)
    return found


def linkedin_url(credential: CredentialLine, certificate_url: str) -> str:
    issued = credential.issued_on.isoformat().split("-")
    fields = {"startTask": "CERTIFICATION_NAME", "name": credential.name, "organizationName": credential.issuer,
              "issueYear": issued[0], "issueMonth": str(int(issued[1]))}
    if credential.expires_on:
        expires = credential.expires_on.isoformat().split("-")
        fields |= {"expirationYear": expires[0], "expirationMonth": str(int(expires[1]))}
    fields |= {"certUrl": certificate_url, "certId": str(credential.credential_id)}
    return f"{LINKEDIN_ADD}?{urlencode(fields)}"


@router.get("/me/credentials", response_class=HTMLResponse)
def credentials(request: Request, state: State, viewer: Learner, as_of: AsOfText = None) -> Response:
    when = _as_of(as_of)
    with said_plainly(when):
        overview = state.read_side.overview(viewer.id, when)
        reasons = _reasons(state, viewer.id, when)
    base = state.services.settings.pages_origin or state.services.urls.public_url
    linkedin = {c.credential_id: linkedin_url(c, base + public_path(c.credential_id))
                for c in overview.credentials}
    return render(request, "learner/credentials.html", title="Your credentials", overview=overview,
                  as_of=as_of or "", reasons=reasons, linkedin=linkedin)


@router.get("/me/credentials/{credential_id}.json")
def credential_download(credential_id: UUID, state: State, viewer: Learner) -> Response:
    found = state.read_side.credential(credential_id)
    if found is None or str(found["learner_id"]) != str(viewer.id):
        raise PageProblem(404, "You hold no credential with this id.")
    if not found["document"]:
        raise PageProblem(410, "This credential's signed document is no longer readable: the record was erased.")
    return _json_download(dict(found["document"]), f"credential-{credential_id}.json")


@router.get("/me/clr.json")
def clr_download(state: State, viewer: Learner, as_of: AsOfText = None) -> Response:
    when = _as_of(as_of)
    with said_plainly(when):
        document = state.read_side.clr(viewer.id, as_of=when)
    return _json_download(dict(document), "comprehensive-learner-record.json")


@router.get("/me/transcript", response_class=HTMLResponse)
def transcript(request: Request, state: State, viewer: Learner, as_of: AsOfText = None) -> Response:
    when = _as_of(as_of)
    with said_plainly(when):
        overview = state.read_side.overview(viewer.id, when)
        profile = state.read_side.skills(viewer.id, when)
    return render(request, "learner/transcript.html", title="Transcript", as_of=as_of or "", overview=overview,
                  skills=profile, printed_at=datetime.now(UTC))


@router.get("/me/skills", response_class=HTMLResponse)
def skills(request: Request, state: State, viewer: Learner, as_of: AsOfText = None) -> Response:
    when = _as_of(as_of)
    with said_plainly(when):
        profile = state.read_side.skills(viewer.id, when)
    return render(request, "learner/skills.html", title="Your skills", profile=profile, as_of=as_of or "")


@router.get("/me/pathways", response_class=HTMLResponse)
def pathways(request: Request, state: State, viewer: Learner, as_of: AsOfText = None) -> Response:
    when = _as_of(as_of)
    with said_plainly(when):
        overview = state.read_side.overview(viewer.id, when)
        progress = [state.read_side.pathway(viewer.id, q, when) for q in overview.qualification_ids]
    return render(request, "learner/pathways.html", title="Your pathways", pathways=progress, as_of=as_of or "")
