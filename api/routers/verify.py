"""Verify a presented credential (anyone): each check's result."""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from api.context import State
from api.problems import responses
from credentials.verification import Verifier

router = APIRouter(tags=["verification"])


class CheckResult(BaseModel):
    name: str = Field(description="schema, schema-strict, proof, issuer, status or validity")
    outcome: str = Field(description="passed, failed, warning (e.g. expired, strict schema) or skipped")
    detail: str


class VerificationReport(BaseModel):
    kind: str = Field(description="OpenBadgeCredential or ClrCredential")
    credential_id: str | None
    issuer: str | None
    verified: bool = Field(description="No check failed (here and in every nested credential)")
    expired: bool = Field(description="Past its validity period: reported, but not a failure")
    checks: list[CheckResult]
    nested: list["VerificationReport"] = Field(description="For a CLR: each nested credential's report")


@router.post("/v1/verify", response_model=VerificationReport, responses=responses(422),
             summary="Verify a presented OB 3.0 or CLR 2.0 credential: schema, proof, issuer, status, validity")
def verify(state: State, credential: dict[str, Any] = Body(  # noqa: B008
        description="The credential as presented (JSON-LD)", examples=[{"type": ["VerifiableCredential"]}])
) -> dict[str, Any]:
    verifier = Verifier(state.read_side, state.services.urls, state.ledger.clock)
    return asdict(verifier.verify(credential))
