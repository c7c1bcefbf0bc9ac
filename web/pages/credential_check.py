"""A credential's public check (anyone with its address, e.g. from the learner's LinkedIn profile): what it is, who
issued it, and the server's checks (signature, issuer, status, validity). Nothing about its holder is shown: to know
who holds it, ask them for the signed document and check it on the verify page."""

from dataclasses import dataclass
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.context import State
from domain.credential import CredentialStatus
from projections.catalogue import entry_name
from projections.employer_view import CredentialCheck
from web.errors import PageProblem, PageRoute
from web.pages.credential_checks import CheckLine, share_checks
from web.rendering import day, render
from web.sessions import load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
NOT_FOUND = "The ledger recorded no credential at this address. Check that the whole address was copied."


@dataclass(frozen=True)
class CredentialFacts:
    credential_id: UUID
    achievement: str
    issuer: str
    provider_id: str
    issued_on: str
    status: str
    checks: list[CheckLine]


def public_path(credential_id: UUID) -> str:
    return f"/credentials/{credential_id}"


@router.get("/credentials/{credential_id}", response_class=HTMLResponse)
def credential_check(credential_id: UUID, request: Request, state: State) -> HTMLResponse:
    found = state.read_side.credential(credential_id)
    checked = state.read_side.credential_status(credential_id)
    if found is None or checked is None:
        raise PageProblem(404, NOT_FOUND, "Credential not found")
    if not found["document"]:
        raise PageProblem(410, "This credential's record was erased at its holder's request. Nothing is shown.",
                          "Credential erased")
    verification = CredentialCheck(**{key: checked[key] for key in CredentialCheck.__dataclass_fields__
                                      if key != "status"}, status=CredentialStatus(checked["status"]))
    facts = CredentialFacts(
        credential_id, entry_name(state.read_side.views_entry("achievement", str(found["achievement_id"])),
                                  "a credential"),
        entry_name(state.read_side.views_entry("provider", str(found["provider_id"])), "an unknown issuer"),
        str(found["provider_id"]), day(found["issued_on"]), verification.status.value,
        share_checks(verification, dict(found["document"])))
    return render(request, "credential_check.html", title=f"Check: {facts.achievement}", credential=facts,
                  standing=_standing(verification), headers={"Cache-Control": "no-store"})


def _standing(verification: CredentialCheck) -> tuple[str, str]:
    """The verdict in a word, and the colour it is shown in."""
    status = verification.status.value
    if verification.valid:
        return "Verified", "active"
    if status != "active":
        return status.capitalize(), status
    if verification.expired:
        return "Expired", "expired"
    return "Does not verify", "revoked"
