"""The command routes' lean handler (api/writes.py) answers as FastAPI's own handler does: the same request sent as
`application/json` (solved by the lean handler) and as `application/json; charset=utf-8` (left to FastAPI) gets the
same status, headers and body bytes, for a replayed write and for each refusal."""

from typing import Any

import pytest

from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import bearer

LEAN = "application/json"
GENERAL = "application/json; charset=utf-8"


def _post(api: Api, path: str, body: bytes, token: str, content_type: str, key: str | None = None) -> Any:
    headers = {**bearer(token), "Content-Type": content_type, **({"Idempotency-Key": key} if key else {})}
    return api.client.post(path, content=body, headers=headers)


def _answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(name, value) for name, value in response.headers.items() if name != "x-request-id"]
    return response.status_code, headers, response.content


def _enrolment(api: Api) -> tuple[str, str]:
    admin = bearer(ADMIN_TOKEN)
    provider = api.client.post("/v1/providers", headers=admin, json={
        "name": "P", "identifiers": [{"scheme": "RTO", "value": "1"}], "effective": "2024-01-01"}).json()
    token = provider["token"]
    achievement = api.client.post("/v1/achievements", headers=bearer(token), json={
        "achievement_type": "Certificate", "name": "C", "description": "d", "criteria": "c",
        "effective": "2024-01-01"}).json()["id"]
    learner = api.client.post("/v1/learners", headers=bearer(token), json={
        "primary_identifier": {"scheme": "student id", "value": "S1"}, "effective": "2024-01-01"}).json()["id"]
    enrolment = api.client.post(f"/v1/learners/{learner}/enrolments", headers=bearer(token), json={
        "achievement_id": achievement, "term": "2024-T1", "effective": "2024-02-01"})
    assert enrolment.status_code == 201, enrolment.text
    return token, enrolment.json()["id"]


ASSESSMENT = (b'{"title": "Portfolio", "outcome": "passed", "score": "B", "assessor": "A", '
              b'"assessed_on": "2024-03-01"}')


def test_a_write_and_its_replay_answer_alike_through_either_handler(api: Api, solved: list[str]) -> None:
    token, enrolment = _enrolment(api)
    path = f"/v1/enrolments/{enrolment}/assessments"
    solved.clear()
    first = _post(api, path, ASSESSMENT, token, LEAN, key="k-1")
    assert first.status_code == 201 and first.json()["replayed"] is False, first.text
    assert first.headers["X-Ledger-Position"] == str(first.json()["position"])
    assert solved == []
    replays = [_answer(_post(api, path, ASSESSMENT, token, kind, key="k-1")) for kind in (LEAN, GENERAL, LEAN)]
    assert solved == [path]
    assert replays[0] == replays[1] == replays[2]
    assert replays[0][0] == 201 and ("idempotent-replayed", "true") in replays[0][1]


REFUSALS = ("unknown token", "no such enrolment", "bad path id", "bad body", "bad key", "not json", "refused by a rule")


def refused(case: str, token: str, enrolment: str) -> tuple[str, bytes, str | None, str]:
    """What a request refused for ``case`` sends: its path, body, idempotency key and bearer token."""
    path, body, key = f"/v1/enrolments/{enrolment}/assessments", ASSESSMENT, None
    if case == "unknown token":
        token = "no-such-token"
    elif case == "no such enrolment":
        path = "/v1/enrolments/00000000-0000-4000-8000-000000000000/assessments"
    elif case == "bad path id":
        path = "/v1/enrolments/not-a-uuid/assessments"
    elif case == "bad body":
        body = b'{"title": 5}'
    elif case == "bad key":
        key = "a key with spaces"
    elif case == "not json":
        body = b"{not json"
    elif case == "refused by a rule":
        path, body = f"/v1/enrolments/{enrolment}/completion", b'{"effective": "2024-06-01"}'
    return path, body, key, token


@pytest.mark.parametrize("case", [*REFUSALS, "unknown token, refused value"])
def test_each_refusal_is_fastapis_own(api: Api, case: str) -> None:
    token, enrolment = _enrolment(api)
    path, body, key, token = refused(case, token, enrolment)
    if case == "unknown token, refused value":
        token, path = "no-such-token", "/v1/achievements"
        body = (b'{"achievement_type": "MicroCredential", "name": "M", "description": "d", "criteria": "c", '
                b'"level": 5, "level_framework": "NZQF", "credits": 50}')
    lean, general = (_answer(_post(api, path, body, token, kind, key)) for kind in (LEAN, GENERAL))
    assert lean == general
    assert lean[0] in (401, 404, 409, 422), lean


def test_an_unknown_token_is_refused_before_a_bad_body(api: Api) -> None:
    _, enrolment = _enrolment(api)
    answer = _post(api, f"/v1/enrolments/{enrolment}/assessments", b'{"title": 5}', "no-such-token", LEAN)
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
