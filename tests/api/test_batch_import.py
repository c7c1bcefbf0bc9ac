"""A term's results in one `POST /v1/events`: items see what earlier items wrote, each keeps its own rules and result,
and the batch is appended in one go (a retry replays item by item)."""

import gc
import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
import structlog
from starlette.requests import Request

from adapters.logs import configure_logging
from api.context import POSITION_HEADER
from api.routers.events import BatchResult
from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import COMMUNICATION, bearer


def _setup(api: Api, learners: int) -> tuple[str, str, list[str]]:
    admin = bearer(ADMIN_TOKEN)
    provider = api.client.post("/v1/providers", headers=admin, json={
        "name": "Import Polytechnic", "identifiers": [{"scheme": "NZQA provider", "value": "8080"}]}).json()
    token = provider["token"]
    achievement = api.client.post("/v1/achievements", headers=bearer(token), json={
        "achievement_type": "MicroCredential", "name": "Data Storytelling", "description": "Stories with data.",
        "criteria": "Present.", "skills": [COMMUNICATION]}).json()["id"]
    ids = [api.client.post("/v1/learners", headers=bearer(token), json={
        "primary_identifier": {"scheme": "student id", "value": f"S{n:06d}"}}).json()["id"] for n in range(learners)]
    return token, achievement, ids


def _term(achievement: str, learners: list[str], enrolment_ids: dict[str, str] | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for n, learner in enumerate(learners):
        if not enrolment_ids:
            items.append({"command": "enrol", "idempotency_key": f"e-{n}", "learner_id": learner,
                          "achievement_id": achievement, "term": "2026-T1"})
        else:
            items.append({"command": "record_assessment", "idempotency_key": f"a-{n}",
                          "enrolment_id": enrolment_ids[learner], "title": "Presentation", "outcome": "passed",
                          "assessor": "Dr Tane", "skill_levels": [{"skill_url": COMMUNICATION["url"], "level": 3}]})
    return items


def test_items_see_earlier_items_and_fail_alone(api: Api) -> None:
    token, achievement, learners = _setup(api, 6)
    first = api.client.post("/v1/events", headers=bearer(token), json={"items": _term(achievement, learners)})
    enrolments = {learner: r["id"] for learner, r in zip(learners, first.json()["results"], strict=True)}
    items = [
        *_term(achievement, learners[:3], enrolments),
        {"command": "complete_enrolment", "idempotency_key": "c-0", "enrolment_id": enrolments[learners[0]]},
        {"command": "record_assessment", "idempotency_key": "late", "enrolment_id": enrolments[learners[0]],
         "title": "Too late", "outcome": "passed", "assessor": "X"},  # the enrolment completed two items earlier
        {"command": "complete_enrolment", "idempotency_key": "c-5", "enrolment_id": enrolments[learners[5]]},
    ]
    before = api.position
    answer = api.client.post("/v1/events", headers=bearer(token), json={"items": items})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    codes = [(r["ok"], (r.get("problem") or {}).get("code")) for r in results]
    assert codes == [(True, None)] * 4 + [(False, "enrolment-closed"), (False, "not-assessed")]
    positions = [r["position"] for r in results[:4]]
    assert before < positions[0] < positions[1] < positions[2] < positions[3]
    assert answer.json()["position"] == api.position == positions[-1]

    retried = api.client.post("/v1/events", headers=bearer(token), json={"items": items}).json()["results"]
    assert [r["replayed"] for r in retried[:4]] == [True] * 4 and api.position == positions[-1]
    assert [r["id"] for r in retried[:4]] == [r["id"] for r in results[:4]]


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    lines = io.StringIO()
    configure_logging(json_logs=True, stream=lines)
    yield lines
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def test_a_batch_logs_one_line_for_what_it_appended_and_one_per_refusal(api: Api, logged: io.StringIO) -> None:
    token, achievement, learners = _setup(api, 4)
    items = [*_term(achievement, learners), {"command": "complete_enrolment", "idempotency_key": "c",
                                             "enrolment_id": str(uuid4())}]
    logged.seek(0)
    logged.truncate()
    answer = api.client.post("/v1/events", headers=bearer(token), json={"items": items}).json()
    lines = [json.loads(line) for line in logged.getvalue().splitlines()]
    ledger = [line for line in lines if line.get("logger") == "ledger" or "command" in line or "commands" in line]
    assert [(line["event"], line.get("commands"), line.get("events")) for line in ledger] == [
        ("command refused", None, None), ("batch handled", {"enrol": 4}, 8)]
    assert ledger[1]["position"] == answer["position"] and ledger[0]["error"] == "not-found"


def test_the_collector_is_off_from_reading_a_batch_to_answering_it(api: Api, monkeypatch) -> None:
    token, achievement, learners = _setup(api, 2)
    seen: list[bool] = []
    read = Request.body

    async def body(request: Request) -> bytes:
        seen.append(gc.isenabled())
        return await read(request)

    monkeypatch.setattr(Request, "body", body)
    assert api.client.post("/v1/events", headers=bearer(token),
                           json={"items": _term(achievement, learners)}).status_code == 200
    assert seen and not any(seen) and gc.isenabled()


def test_the_collector_is_on_again_after_a_batch_request_good_or_bad(api: Api) -> None:
    token, achievement, learners = _setup(api, 2)
    assert api.client.post("/v1/events", headers=bearer(token), json={"items": []}).status_code == 422
    assert gc.isenabled()
    assert api.client.post("/v1/events", headers=bearer(token),
                           json={"items": _term(achievement, learners)}).status_code == 200
    assert gc.isenabled()


def test_the_answer_is_the_documented_batch_result_as_fastapi_would_encode_it(api: Api) -> None:
    token, achievement, learners = _setup(api, 2)
    items = [*_term(achievement, learners), {"command": "complete_enrolment", "idempotency_key": "c",
                                             "enrolment_id": str(uuid4())}, {"command": "enrol", "term": ""}]
    answer = api.client.post("/v1/events", headers=bearer(token), json={"items": items})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body == BatchResult.model_validate(body).model_dump(mode="json")
    assert answer.headers[POSITION_HEADER] == str(body["position"]) and body["failed"] == 2
    assert [(r["ok"], r["status"], r["position"] is None) for r in body["results"]] == [
        (True, 200, False), (True, 200, False), (False, 404, True), (False, 422, True)]
