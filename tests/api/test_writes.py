"""Idempotent writes, the batch endpoint, problem details, request ids."""

import logging

import structlog

from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import COMMUNICATION, Story, bearer


def _admin(key: str | None = None) -> dict[str, str]:
    return {**bearer(ADMIN_TOKEN), **({"Idempotency-Key": key} if key else {})}


def test_a_replay_returns_the_first_outcome_and_records_nothing(api: Api) -> None:
    body = {"name": "Harbour City Council", "identifiers": [{"scheme": "NZBN", "value": "1"}]}
    first = api.client.post("/v1/employers", json=body, headers=_admin("emp-1"))
    assert first.status_code == 201 and first.json()["token"], first.text
    position = api.position
    again = api.client.post("/v1/employers", json=body, headers=_admin("emp-1"))
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["token"] is None and "only once" in again.json()["token_note"]
    assert api.position == position
    reused = api.client.post("/v1/employers", json={**body, "name": "Other"}, headers=_admin("emp-1"))
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency-key-reused"
    assert api.position == position


def test_a_refused_command_is_a_problem_with_a_stable_type_and_records_nothing(api: Api) -> None:
    provider = api.client.post("/v1/providers", json={"name": "P", "identifiers": [{"scheme": "RTO", "value": "1"}]},
                               headers=_admin()).json()
    position = api.position
    answer = api.client.post("/v1/achievements", headers=bearer(provider["token"]), json={
        "achievement_type": "MicroCredential", "name": "M", "description": "d", "criteria": "c",
        "level": 5, "level_framework": "NZQF", "credits": 50})
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {"type": "https://ler-ledger.example/problems/invalid-value", "title": "Invalid request",
                             "status": 422, "detail": "an NZQF micro-credential carries 5 to 40 credits",
                             "code": "invalid-value", "instance": "/v1/achievements"}
    assert api.position == position


def test_validation_errors_name_each_field(sqlite_api: Api) -> None:
    answer = sqlite_api.client.post("/v1/providers", headers=_admin(), json={"name": 5, "identifiers": []})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == "https://ler-ledger.example/problems/validation-failed"
    assert {e["field"] for e in problem["errors"]} == {"body.name", "body.identifiers"}
    broken = sqlite_api.client.post("/v1/providers", headers={**_admin(), "Content-Type": "application/json"},
                                    content=b"{not json")
    assert broken.status_code == 422 and broken.json()["code"] == "validation-failed"
    nul = sqlite_api.client.post("/v1/employers", headers=_admin(), json={"name": "a\x00b"})
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "body.name"


def test_unknown_paths_and_methods_are_problems_too(sqlite_api: Api) -> None:
    missing = sqlite_api.client.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    wrong = sqlite_api.client.put("/v1/providers")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method-not-allowed"


def test_every_request_is_logged_with_its_request_id(sqlite_api: Api) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    try:
        with structlog.testing.capture_logs() as logs:
            answer = sqlite_api.client.get("/healthz", headers={"X-Request-Id": "abc-123"})
            generated = sqlite_api.client.get("/v1/events", headers=_admin())
    finally:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    assert answer.headers["X-Request-Id"] == "abc-123"
    assert len(generated.headers["X-Request-Id"]) == 32
    lines = [line for line in logs if line["event"] == "request"]
    assert lines[0] | {"ms": 0} == {"event": "request", "log_level": "info", "method": "GET", "path": "/healthz",
                                    "status": 200, "ms": 0, "principal": "anonymous", "request_id": "abc-123"}
    assert lines[1]["principal"] == "admin:admin" and lines[1]["status"] == 200


def test_a_batch_runs_good_items_and_says_exactly_what_was_wrong_with_bad_ones(api: Api) -> None:
    from tests.api.story import tell

    story: Story = tell(api.client, ADMIN_TOKEN)
    uni, aroha, sam = story.tokens["university"], story.ids["aroha"], story.ids["sam"]
    items = [
        {"command": "register_learner", "idempotency_key": "b-0",
         "primary_identifier": {"scheme": "university student id", "value": "S7654321"}},
        {"command": "enrol", "idempotency_key": "b-1", "learner_id": aroha,
         "achievement_id": story.ids["self_management"], "term": "2026-T3"},
        {"command": "enrol", "idempotency_key": "b-2", "learner_id": sam, "achievement_id": "not-a-uuid",
         "term": "2026-T3"},
        {"command": "enrol", "idempotency_key": "b-3", "learner_id": sam,
         "achievement_id": story.ids["care_certificate"], "term": "2026-T3"},
        {"command": "launch_rocket", "idempotency_key": "b-4"},
        {"command": "record_assessment", "idempotency_key": "b-5",
         "enrolment_id": story.ids["aroha_communication_enrolment"], "title": "Late", "outcome": "passed",
         "assessor": "X", "skill_levels": [{"skill_url": COMMUNICATION["url"], "level": 2}]},
    ]
    before = api.position
    answer = api.client.post("/v1/events", json={"items": items}, headers=bearer(uni))
    assert answer.status_code == 200, answer.text
    result = answer.json()
    statuses = [(r["ok"], r["status"], (r.get("problem") or {}).get("code")) for r in result["results"]]
    assert statuses == [(True, 200, None), (True, 200, None), (False, 422, "validation-failed"),
                        (False, 403, "not-permitted"), (False, 422, "validation-failed"),
                        (False, 409, "enrolment-closed")]
    assert result["results"][0].get("token") is None, "a provider's registration carries no token (no oracle)"
    assert result["results"][2]["problem"]["errors"][0]["field"] == "items.2.enrol.achievement_id"
    assert (result["succeeded"], result["failed"]) == (2, 4)
    assert result["position"] == api.position > before
    assert answer.headers["X-Ledger-Position"] == str(api.position)

    position = api.position
    retried = api.client.post("/v1/events", json={"items": items}, headers=bearer(uni)).json()
    assert [r["replayed"] for r in retried["results"][:2]] == [True, True]
    assert [r["id"] for r in retried["results"][:2]] == [r["id"] for r in result["results"][:2]]
    assert api.position == position

    too_many = api.client.post("/v1/events", json={"items": items * 200}, headers=bearer(uni))
    assert too_many.status_code == 422
    learner = api.client.post("/v1/events", json={"items": items[:1]}, headers=bearer(story.tokens["aroha"]))
    assert learner.status_code == 403
