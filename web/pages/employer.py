"""The employer's page (signed in): which candidates who shared with this employer hold the skills asked for (a form
over the same query as `POST /v1/employers/skill-queries`)."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.context import State
from projections.employer_view import ShareSummary
from projections.skill_query import LearnerMatch
from projections.skills import SkillDefinition
from projections.work_claims import awaiting_attestation
from web.errors import PageProblem, PageRoute
from web.rendering import day, render
from web.sessions import Employer, load_viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer)])
LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class SkillAsked:
    skill: SkillDefinition
    chosen: bool


@dataclass(frozen=True)
class HeldSkill:
    name: str
    level: int | None
    last_evidenced: str
    verification: str


@dataclass(frozen=True)
class Candidate:
    """A learner who matched, known to the employer only through what they shared: the share's purpose and end."""

    number: int
    shares: list[ShareSummary]
    skills: list[HeldSkill]


def candidates(found: list[LearnerMatch], names: dict[str, str], shares_of: Any) -> list[Candidate]:
    listed = []
    for number, match in enumerate(found, start=1):
        shares = [s for s in shares_of(match.learner_id) if s.share_id in set(match.share_ids)]
        listed.append(Candidate(number, shares, [
            HeldSkill(names.get(s.skill_url, s.skill_url), s.level, day(s.last_evidenced), s.verification.value)
            for s in match.skills]))
    return listed


def _date_or_none(text: str) -> date | None:
    """A form's optional date: empty is none; anything else must be a date."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PageProblem(422, f"“Evidenced on or after” must be a date like 2025-06-30, not {text!r}.") from None


@router.get("/employer", response_class=HTMLResponse)
def employer_home(
    request: Request, state: State, viewer: Employer,
    skill: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006 (FastAPI copies defaults)
    min_level: Annotated[int, Query(ge=1, le=5)] = 1,
    verified_only: Annotated[bool, Query()] = False,
    since: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    evidenced_since = _date_or_none(since)
    catalogue = state.read_side.skill_catalogue()
    asked = [SkillAsked(s, s.url in skill) for s in catalogue]
    results = None
    if skill:
        found = state.read_side.skill_query(viewer.id, skill, verified_only=verified_only, min_level=min_level,
                                            since=evidenced_since)
        results = candidates(found, {s.url: s.name for s in catalogue}, state.read_side.shares)
    employer = state.read_side.views_entry("employer", str(viewer.id)) or {}
    waiting = awaiting_attestation(state.read_side.views, state.read_side.personal, viewer.id, limit=1)
    return render(request, "employer.html", title="Find candidates by skill", employer=employer.get("name", ""),
                  asked=asked, levels=LEVELS, min_level=min_level, verified_only=verified_only or not skill,
                  since=since, results=results, day=day, waiting=bool(waiting))

