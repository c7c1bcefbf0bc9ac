"""A term's results in one `POST /v1/events`: items see what earlier items wrote, each keeps its own rules and result,
and the batch is appended in one go (a retry replays item by item)."""

from typing import Any

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
