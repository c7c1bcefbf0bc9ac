"""The authorization matrix: every route x every kind of principal. Each forbidden cell is tried and refused
(401, 403 or 404) and records nothing (the log position does not move)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import COMMUNICATION, PATIENT_CARE, Story, bearer

PRINCIPALS = ("anonymous", "stranger", "admin", "university", "tafe", "aroha", "sam", "employer")
REFUSED = {401, 403, 404}


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    allowed: frozenset[str]
    body: Callable[[Story], dict[str, Any] | None] = lambda story: None


def cell(method: str, path: str, allowed: str, body: Callable[[Story], dict[str, Any] | None] | None = None) -> Cell:
    return Cell(method, path, frozenset(allowed.split()), body or (lambda story: None))


def _skill_level(url: str) -> list[dict[str, Any]]:
    return [{"skill_url": url, "level": 3}]


ROUTES = (
    cell("POST", "/v1/providers", "admin",
         lambda s: {"name": "Rogue Institute", "identifiers": [{"scheme": "RTO", "value": "66666"}]}),
    cell("POST", "/v1/providers/{university}/key-rotation", "admin university"),
    cell("POST", "/v1/learners", "admin university tafe",
         lambda s: {"primary_identifier": {"scheme": "USI", "value": "NEW000001"}}),
    cell("POST", "/v1/employers", "admin", lambda s: {"name": "Rogue Employer"}),
    cell("POST", "/v1/learners/{aroha}/erasure", "admin aroha", lambda s: {"reason": "asked"}),
    cell("POST", "/v1/tokens", "admin", lambda s: {"principal_kind": "learner", "principal_id": s.ids["aroha"]}),
    cell("POST", "/v1/tokens/revocation", "admin aroha", lambda s: {"token": s.tokens["aroha"]}),
    cell("POST", "/v1/sign-in-links", "admin university aroha",
         lambda s: {"principal_kind": "learner", "principal_id": s.ids["aroha"]}),
    cell("POST", "/v1/achievements", "university tafe",
         lambda s: {"achievement_type": "Badge", "name": "Badge", "description": "d", "criteria": "c"}),
    cell("POST", "/v1/learners/{aroha}/enrolments", "university",
         lambda s: {"achievement_id": s.ids["communication"], "term": "2099-T9"}),
    cell("POST", "/v1/enrolments/{aroha_communication_enrolment}/assessments", "university",
         lambda s: {"title": "Extra", "outcome": "passed", "assessor": "X",
                    "skill_levels": _skill_level(COMMUNICATION["url"])}),
    cell("POST", "/v1/enrolments/{aroha_communication_enrolment}/completion", "university", lambda s: {}),
    cell("POST", "/v1/enrolments/{aroha_communication_enrolment}/withdrawal", "university aroha",
         lambda s: {"reason": "moved away"}),
    cell("POST", "/v1/learners/{aroha}/credentials", "university",
         lambda s: {"achievement_id": s.ids["communication"], "basis": "enrolment",
                    "basis_id": s.ids["aroha_communication_enrolment"]}),
    cell("POST", "/v1/credentials/{aroha_communication}/revocation", "university", lambda s: {"reason": "r"}),
    cell("POST", "/v1/credentials/{aroha_communication}/reissue", "university", lambda s: {"reason": "r"}),
    cell("POST", "/v1/credentials/{aroha_communication}/suspension", "university", lambda s: {"reason": "r"}),
    cell("POST", "/v1/credentials/{aroha_communication}/reinstatement", "university", lambda s: {"reason": "r"}),
    cell("POST", "/v1/credentials/{aroha_communication}/supersession", "university",
         lambda s: {"replaced_by": s.ids["aroha_self_management"]}),
    cell("POST", "/v1/learners/{sam}/rpl-cases", "sam tafe",
         lambda s: {"achievement_id": s.ids["care_certificate"], "claim": "I know this"}),
    cell("POST", "/v1/rpl-cases/{sam_rpl}/evidence", "sam tafe", lambda s: {"description": "a letter"}),
    cell("POST", "/v1/rpl-cases/{sam_rpl}/decision", "tafe",
         lambda s: {"outcome": "granted", "credits_granted": 10, "rationale": "r", "assessor": "a",
                    "evidence_reviewed": [0], "skill_levels": _skill_level(PATIENT_CARE["url"])}),
    cell("POST", "/v1/rpl-cases/{sam_rpl}/appeal", "sam", lambda s: {"grounds": "unfair"}),
    cell("POST", "/v1/rpl-cases/{sam_rpl}/revision", "tafe",
         lambda s: {"outcome": "granted", "credits_granted": 10, "rationale": "r", "assessor": "a",
                    "evidence_reviewed": [0]}),
    cell("POST", "/v1/learners/{aroha}/work-experience", "aroha",
         lambda s: {"kind": "employment", "employer_name": "Cafe", "role": "Barista", "start": "2024-01-01"}),
    cell("POST", "/v1/work-experience/{internship}/attestation", "employer university",
         lambda s: {"confirmed_skills": [COMMUNICATION["url"]]}),
    cell("POST", "/v1/work-experience/{internship}/dispute", "employer university", lambda s: {"reason": "no"}),
    cell("POST", "/v1/work-experience/{internship}/end", "aroha", lambda s: {"ended_on": "2025-01-01"}),
    cell("POST", "/v1/learners/{aroha}/shares", "aroha",
         lambda s: {"employer_id": s.ids["employer"], "skill_urls": [COMMUNICATION["url"]], "purpose": "p",
                    "expires_at": "2099-01-01T00:00:00Z"}),
    cell("DELETE", "/v1/shares/{share}", "aroha"),
    cell("POST", "/v1/events", "admin university tafe",
         lambda s: {"items": [{"command": "enrol", "idempotency_key": "m-1", "learner_id": s.ids["aroha"],
                               "achievement_id": s.ids["communication"], "term": "2099-T8"}]}),
    cell("GET", "/v1/learners/{aroha}/record", "admin aroha university"),
    cell("GET", "/v1/learners/{aroha}/clr", "admin aroha"),
    cell("GET", "/v1/learners/{aroha}/skills", "admin aroha"),
    cell("GET", "/v1/learners/{aroha}/pathways/{bachelor}", "admin aroha"),
    cell("GET", "/v1/learners/{aroha}/shares", "admin aroha"),
    cell("GET", "/v1/credentials/{aroha_communication}", "admin aroha university"),
    cell("POST", "/v1/employers/skill-queries", "employer", lambda s: {"skills": [COMMUNICATION["url"]]}),
    cell("GET", "/v1/events", "admin"),
    cell("GET", "/v1/learners/{aroha}/clr/log-bundle", "admin aroha"),
    cell("GET", "/v1/log/leaves", "admin"),
)

FORBIDDEN = [(route, who) for route in ROUTES for who in PRINCIPALS if who not in route.allowed]


def _headers(story: Story, who: str) -> dict[str, str]:
    if who == "anonymous":
        return {}
    token = {"admin": ADMIN_TOKEN, "stranger": "not-a-token-anyone-was-given"}.get(who) or story.tokens[who]
    return {**bearer(token), "Idempotency-Key": f"matrix-{who}"}


@pytest.mark.parametrize(("route", "who"), FORBIDDEN,
                         ids=[f"{route.method} {route.path} as {who}" for route, who in FORBIDDEN])
def test_every_forbidden_cell_is_refused_and_records_nothing(told: tuple[Api, Story], route: Cell, who: str) -> None:
    api, story = told
    before = api.position
    answer = api.client.request(route.method, route.path.format(**story.ids), json=route.body(story),
                                headers=_headers(story, who))
    assert answer.status_code in REFUSED, f"{who}: {answer.status_code} {answer.text}"
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == answer.status_code and problem["type"].endswith("/" + problem["code"])
    if answer.status_code == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.position == before, "a refused command records nothing"


READS = [(route, who) for route in ROUTES if route.method == "GET" for who in sorted(route.allowed)]


@pytest.mark.parametrize(("route", "who"), READS, ids=[f"{route.path} as {who}" for route, who in READS])
def test_every_allowed_read_answers(told: tuple[Api, Story], route: Cell, who: str) -> None:
    api, story = told
    answer = api.client.get(route.path.format(**story.ids), headers=_headers(story, who))
    assert answer.status_code == 200, answer.text


def test_the_matrix_covers_every_authenticated_route(told: tuple[Api, Story]) -> None:
    api, _ = told
    public = {"/v1/verify", "/v1/issuers/{issuer_id}", "/v1/status-lists/{list_id}", "/v1/shared/{token}",
              "/healthz", "/readyz", "/v1/log/checkpoint", "/v1/log/key", "/v1/log/keys", "/v1/log/proofs/inclusion",
              "/v1/log/proofs/consistency", "/v1/shared/{token}/log-bundle"}
    documented = {(method.upper(), path) for path, operations in api.client.get("/openapi.json").json()["paths"].items()
                  for method in operations if path not in public}
    covered = {(route.method, _template(route.path)) for route in ROUTES}
    assert documented == covered


def _template(path: str) -> str:
    names = {"{university}": "{provider_id}", "{aroha}": "{learner_id}", "{sam}": "{learner_id}",
             "{aroha_communication_enrolment}": "{enrolment_id}", "{aroha_communication}": "{credential_id}",
             "{sam_rpl}": "{case_id}", "{internship}": "{experience_id}", "{share}": "{share_id}",
             "{bachelor}": "{qualification_id}"}
    for concrete, template in names.items():
        path = path.replace(concrete, template)
    return path


def test_an_employer_sees_nothing_not_shared_with_it(told: tuple[Api, Story]) -> None:
    api, _story = told
    other = api.client.post("/v1/employers", json={"name": "Another Employer"}, headers=bearer(ADMIN_TOKEN)).json()
    api.read_side.wait_for(api.position)
    found = api.client.post("/v1/employers/skill-queries", json={"skills": [COMMUNICATION["url"]]},
                            headers=bearer(other["token"]))
    assert found.status_code == 200 and found.json()["results"] == []


def test_a_revoked_token_stops_working_at_once(told: tuple[Api, Story]) -> None:
    api, story = told
    issued = api.client.post("/v1/tokens", json={"principal_kind": "learner", "principal_id": story.ids["sam"]},
                             headers=bearer(ADMIN_TOKEN))
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    path = f"/v1/learners/{story.ids['sam']}/skills"
    assert api.client.get(path, headers=bearer(token)).status_code == 200
    revoked = api.client.post("/v1/tokens/revocation", json={"token": token}, headers=bearer(token))
    assert revoked.status_code == 200, revoked.text
    refused = api.client.get(path, headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"


def test_share_links_carry_at_least_128_bits_and_unknown_links_are_404(told: tuple[Api, Story]) -> None:
    api, story = told
    token = story.tokens["share_link"]
    assert len(token) >= 22  # url-safe base64: 6 bits a character; the ledger uses 256 bits (43 characters)
    for fake in ("A" * 43, token[:-1] + ("A" if token[-1] != "A" else "B")):
        answer = api.client.get(f"/v1/shared/{fake}")
        assert answer.status_code == 404 and answer.json()["code"] == "share-not-found"


@pytest.mark.parametrize("path", [
    "/v1/enrolments/{id}/assessments", "/v1/learners/{id}/enrolments", "/v1/achievements",
    "/v1/credentials/{id}/revocation",
])
@pytest.mark.parametrize("token", ["an-unknown-token", None])
def test_a_write_without_a_known_token_is_401_even_with_a_bad_body(told: tuple[Api, Story], path: str,
                                                                   token: str | None) -> None:
    api, _ = told
    position = api.position
    answer = api.client.post(path.format(id=uuid.uuid4()), json={"title": "", "outcome": 7},
                             headers=bearer(token) if token else {})
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    assert api.position == position
