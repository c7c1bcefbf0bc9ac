"""The employer's answers to work experience learners stated naming it: each claim awaiting an answer with a form to
attest it (confirming some or all of the stated skills, with an optional statement) or to dispute it (with a reason),
over the same commands as `POST /v1/work-experience/{id}/attestation` and `/dispute`."""

import secrets
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.context import State
from api.types import LongText, RequiredText, Url
from application.commands import AttestWorkExperience, DisputeWorkExperience
from projections.work_claims import awaiting_attestation
from web.errors import PageRoute
from web.rendering import day, render
from web.sessions import CsrfChecked, Employer, load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
PAGE = "/employer/work-experience"
WAIT_SECONDS = 5.0
PAGE_LIMIT = 50  # the oldest claims first; answering them brings the next ones
DONE = {"attested": "Attested. The learner's record now shows your confirmation.",
        "disputed": "Disputed. The learner's record now shows that you did not confirm it."}
FormKey = Annotated[str, Form(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get(PAGE, response_class=HTMLResponse)
def work_to_attest(request: Request, state: State, viewer: Employer,
                   done: Annotated[str, Query(max_length=20)] = "") -> Response:
    employer = state.read_side.views_entry("employer", str(viewer.id)) or {}
    claims = awaiting_attestation(state.read_side.views, state.read_side.personal, viewer.id, PAGE_LIMIT + 1)
    return render(request, "attestation.html", title="Work experience to attest", employer=employer.get("name", ""),
                  claims=claims[:PAGE_LIMIT], more=len(claims) > PAGE_LIMIT, done=DONE.get(done, ""),
                  form_key=secrets.token_urlsafe(24), day=day)


@router.post(PAGE + "/{experience_id}/attestation", dependencies=[CsrfChecked])
def attest(
    experience_id: UUID, state: State, viewer: Employer, form_key: FormKey,
    confirmed_skill: Annotated[list[Url], Form(max_length=100)] = [],  # noqa: B006 (FastAPI copies defaults)
    statement: Annotated[LongText, Form()] = "",
) -> Response:
    command = AttestWorkExperience(experience_id, tuple(dict.fromkeys(confirmed_skill)), statement.strip())
    outcome = state.ledger.execute(viewer.actor, command, f"web-attest-{form_key}")
    state.read_side.wait_for(outcome.position, timeout=WAIT_SECONDS)
    return RedirectResponse(f"{PAGE}?done=attested", status_code=303)


@router.post(PAGE + "/{experience_id}/dispute", dependencies=[CsrfChecked])
def dispute(experience_id: UUID, state: State, viewer: Employer, form_key: FormKey,
            reason: Annotated[RequiredText, Form()]) -> Response:
    outcome = state.ledger.execute(viewer.actor, DisputeWorkExperience(experience_id, reason.strip()),
                                   f"web-dispute-{form_key}")
    state.read_side.wait_for(outcome.position, timeout=WAIT_SECONDS)
    return RedirectResponse(f"{PAGE}?done=disputed", status_code=303)
