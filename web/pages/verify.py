"""The verify page (anyone): paste or upload an Open Badges 3.0 or CLR 2.0 credential and read each check's result,
for every credential nested in a CLR too. The checks are the API's (`POST /v1/verify`): one verifier, two faces."""

from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from api.context import State
from credentials.verification import Report, Verifier
from web.errors import PageRoute
from web.pages.credential_checks import CheckLine
from web.rendering import render
from web.sessions import CsrfChecked, load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
MAX_BYTES = 2_000_000
CHECK_NAMES = {"schema": "Schema", "schema-strict": "Strict schema", "proof": "Signature",
               "issuer": "Issuer", "status": "Status", "validity": "Validity period"}


@dataclass(frozen=True)
class VerifiedCredential:
    title: str
    kind: str
    credential_id: str
    issuer: str
    verified: bool
    expired: bool
    checks: list[CheckLine]
    nested: list["VerifiedCredential"]

    @property
    def failed(self) -> list[CheckLine]:
        return [check for check in self.checks if check.outcome == "failed"]


def verified_credential(report: Report, document: dict[str, Any]) -> VerifiedCredential:
    nested_documents = _nested_documents(document)
    return VerifiedCredential(
        title=_title(document), kind="CLR 2.0 transcript" if report.kind == "ClrCredential" else "Open Badges 3.0",
        credential_id=report.credential_id or "", issuer=_issuer_name(document) or report.issuer or "",
        verified=report.verified, expired=report.expired,
        checks=[CheckLine(CHECK_NAMES.get(c.name, c.name), c.outcome, c.detail) for c in report.checks],
        nested=[verified_credential(n, d) for n, d in zip(report.nested, nested_documents, strict=False)],
    )


def _title(document: dict[str, Any]) -> str:
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if isinstance(achievement, dict) and isinstance(achievement.get("name"), str):
        return str(achievement["name"])
    return str(document["name"]) if isinstance(document.get("name"), str) else "Unnamed credential"


def _issuer_name(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    return str(issuer["name"]) if isinstance(issuer, dict) and isinstance(issuer.get("name"), str) else None


def _nested_documents(document: dict[str, Any]) -> list[dict[str, Any]]:
    subject = document.get("credentialSubject")
    nested = subject.get("verifiableCredential", []) if isinstance(subject, dict) else []
    return [item for item in (nested if isinstance(nested, list) else [nested]) if isinstance(item, dict)]


class NotACredential(ValueError):
    """What a person sent is not a JSON credential: said in words, on the form."""


def parse_credential(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise NotACredential("Paste a credential or choose a file to check.")
    if len(raw) > MAX_BYTES:
        raise NotACredential(f"That is larger than {MAX_BYTES // 1_000_000} MB; a credential is far smaller.")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise NotACredential(f"That is not JSON ({str(error).split(':')[0]}). Paste the credential's JSON "
                             "exactly as you received it.") from None
    if not isinstance(document, dict) or "VerifiableCredential" not in _types(document):
        raise NotACredential("That JSON is not a Verifiable Credential (its type has no VerifiableCredential): "
                             "paste an Open Badges 3.0 or CLR 2.0 credential.")
    return document


def _types(document: dict[str, Any]) -> list[Any]:
    kinds = document.get("type")
    return kinds if isinstance(kinds, list) else [kinds]


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> HTMLResponse:
    return render(request, "verify.html", title="Verify a credential", result=None, error="", pasted="")


@router.post("/verify", response_class=HTMLResponse, dependencies=[CsrfChecked])
def verify_submitted(
    request: Request, state: State, pasted: Annotated[str, Form(max_length=MAX_BYTES)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    raw = upload.file.read(MAX_BYTES + 1) if upload is not None and upload.filename else pasted.encode()
    try:
        document = parse_credential(raw)
    except NotACredential as error:
        return render(request, "verify.html", status=422, title="Verify a credential", result=None,
                      error=str(error), pasted=pasted)
    report = Verifier(state.read_side, state.services.urls, state.ledger.clock).verify(document)
    return render(request, "verify.html", title="Verification result", result=verified_credential(report, document),
                  error="", pasted="")
