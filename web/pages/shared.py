"""The page a candidate's share link opens: exactly what the share grants, each credential with the server's
verification checks and its signed document to download. A link that has ended says so and shows nothing else."""

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.context import ApiState, MaybePrincipal, State
from api.problems import ApiProblem
from api.routers.shares import open_shared_view
from web.errors import PageProblem, PageRoute
from web.pages.credential_checks import PASSED, CheckLine, day, share_checks
from web.rendering import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ShareToken = Annotated[str, Path(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


@dataclass(frozen=True)
class SharedCredential:
    credential_id: str
    achievement: str
    issuer: str
    status: str
    verified: bool
    checks: list[CheckLine]
    download: str


@dataclass(frozen=True)
class Evidence:
    kind: str
    issuer: str
    date: str
    level: int | None
    verification: str


@dataclass(frozen=True)
class SharedSkill:
    name: str
    url: str
    framework: str
    level: int | None
    verification: str
    first_evidenced: str
    last_evidenced: str
    currency_percent: int
    evidence: list[Evidence]


@dataclass(frozen=True)
class SharedRecord:
    purpose: str
    employer: str
    expires: str
    credentials: list[SharedCredential]
    skills: list[SharedSkill]


def shared_record(view: dict[str, Any], token: str) -> SharedRecord:
    credentials = [SharedCredential(
        credential_id=str(c["credential_id"]), achievement=str(c["achievement"]), issuer=str(c["issuer"]),
        status=str(c["verification"].get("status", "unknown")), verified=bool(c["verification"].get("valid")),
        checks=share_checks(c["verification"], c.get("document") or {}),
        download=f"/shared/{token}/credentials/{c['credential_id']}.json",
    ) for c in view.get("credentials", [])]
    skills = [SharedSkill(
        name=str(s["skill"].get("name") or s["skill"]["url"]), url=str(s["skill"]["url"]),
        framework=str(s["skill"].get("framework") or ""), level=s.get("level"),
        verification=str(s.get("verification", "")), first_evidenced=day(s.get("first_evidenced")),
        last_evidenced=day(s.get("last_evidenced")), currency_percent=round(100 * float(s.get("currency") or 0)),
        evidence=[Evidence(str(e.get("kind", "")).replace("-", " "), str(e.get("issuer", "")), day(e.get("date")),
                           e.get("level"), str(e.get("verification", ""))) for e in s.get("evidence", [])],
    ) for s in view.get("skills", [])]
    return SharedRecord(str(view.get("purpose") or ""), str(view.get("employer", {}).get("name", "")),
                        day(view.get("expires_at")), credentials, skills)


def _opened(state: ApiState, token: str, actor: Any) -> dict[str, Any]:
    try:
        return open_shared_view(state, token, actor)
    except ApiProblem:
        raise _ended(state, token) from None


def _ended(state: ApiState, token: str) -> PageProblem:
    """What the holder of a dead link learns: that it ended and how, never what it granted."""
    share = state.read_side.share_by_token(token)
    if share is None:
        return PageProblem(404, "There is no shared record at this link. Check that the whole link was copied.",
                           "Link not found")
    if share.get("revoked"):
        return PageProblem(410, "The person who shared this record has withdrawn it. Nothing is shown.",
                           "This share was withdrawn")
    return PageProblem(410, f"This share ended on {day(share.get('expires_at'))}. Nothing is shown. Ask the "
                            "person who shared it for a new link if you still need it.", "This share has ended")


@router.get("/shared/{token}", response_class=HTMLResponse)
def shared_page(token: ShareToken, request: Request, state: State, actor: MaybePrincipal) -> HTMLResponse:
    record = shared_record(_opened(state, token, actor), token)
    return render(request, "shared.html", title="Shared learner record", record=record, passed=PASSED,
                  headers={"Cache-Control": "no-store"})


@router.get("/shared/{token}/credentials/{credential_id}.json")
def shared_credential(token: ShareToken, credential_id: UUID, state: State) -> Response:
    """The signed OB 3.0 credential as issued, for checking with any verifier. Not an opening of the share."""
    view = state.read_side.employer_view(token)
    if view is None:
        raise _ended(state, token)
    for credential in view.get("credentials", []):
        if str(credential["credential_id"]) == str(credential_id):
            return _json_download(credential["document"], f"credential-{credential_id}.json")
    raise PageProblem(404, "This share does not include that credential.", "Credential not shared")


def _json_download(document: dict[str, Any], filename: str) -> Response:
    return Response(orjson.dumps(document, option=orjson.OPT_INDENT_2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
