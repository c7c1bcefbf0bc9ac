"""One-time sign-in links for the pages: people do not handle bearer tokens. Links are not ledger facts: each call
makes a new link (nothing to replay), the ledger keeps only its hash, and it serves once before it expires."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.context import Principal, State
from api.problems import responses
from domain.values import Actor, ActorKind

router = APIRouter(tags=["sign-in"])
SIGN_IN_PATH = "/sign-in/link/"


class SignInLinkRequest(BaseModel):
    principal_kind: Annotated[ActorKind, Field(description="`learner` or `employer`")]
    principal_id: UUID
    expires_in_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60, description="How long the link works")


class SignInLinkMade(BaseModel):
    url: str = Field(description="The link to give the person (shown once): opening it and pressing Continue signs "
                                 "them in")
    expires_at: datetime


@router.post("/v1/sign-in-links", status_code=201, response_model=SignInLinkMade,
             responses=responses(401, 403, 404, 409, 422),
             summary="Make a one-time sign-in link for the pages (admin; the provider that registered the learner; "
                     "the learner or employer themselves)")
def make_sign_in_link(body: SignInLinkRequest, actor: Principal, state: State) -> dict[str, object]:
    principal = Actor(body.principal_kind, str(body.principal_id))
    link = state.services.sign_ins.create_link(actor, principal, body.expires_in_minutes)
    return {"url": f"{state.services.urls.public_url}{SIGN_IN_PATH}{link.token}", "expires_at": link.expires_at}
