"""Duplicate issuance over HTTP: a second issue on the same basis with a fresh Idempotency-Key answers 409
`already-issued` naming the credential and records nothing; two at once make one credential (one 201, one 409), on
SQLite and PostgreSQL; re-issuing is its own route."""

import threading
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from application.commands import IssueToken
from application.ledger import Ledger
from tests.api.conftest import Api
from tests.api.story import Story, bearer
from tests.domain.gwt import ADMIN, FixedClock, World


def basis(api: Api) -> tuple[str, dict[str, Any], str]:
    """A provider's token, an issue request on a completed enrolment, and the learner's path."""
    ledger: Ledger = api.services.ledger
    world = World(ledger, FixedClock())
    uni = world.provider()
    token = ledger.execute(ADMIN, IssueToken(uni)).token
    learner = world.learner(by=uni)
    course = world.achievement(uni)
    enrolment = world.completed_enrolment(uni, learner, course)
    body = {"achievement_id": str(course), "basis": "enrolment", "basis_id": str(enrolment),
            "issued_on": str(date(2024, 6, 1))}
    return token, body, f"/v1/learners/{learner}/credentials"


def test_a_resync_with_a_fresh_key_answers_409_naming_the_credential(told: tuple[Api, Story]) -> None:
    api, story = told
    before = api.position
    enrolment = story.ids["aroha_communication_enrolment"]
    again = api.client.post(f"/v1/learners/{story.ids['aroha']}/credentials", json={
        "achievement_id": story.ids["communication"], "basis": "enrolment", "basis_id": enrolment},
        headers={**bearer(story.tokens["university"]), "Idempotency-Key": "sis-resync-1"})
    assert again.status_code == 409, again.text
    assert again.headers["content-type"] == "application/problem+json"
    problem = again.json()
    existing = story.ids["aroha_communication"]
    assert problem["code"] == "already-issued" and problem["existing"] == f"/v1/credentials/{existing}"
    assert existing in problem["detail"]
    assert api.position == before, "nothing recorded"
    read = api.client.get(problem["existing"], headers=bearer(story.tokens["university"]))
    assert read.status_code == 200


def test_two_issues_at_once_make_one_credential(api: Api) -> None:
    token, body, path = basis(api)
    barrier = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def issue(n: int) -> None:
        with TestClient(api.client.app, raise_server_exceptions=False) as client:
            barrier.wait()
            answers[n] = client.post(path, json=body, headers={**bearer(token), "Idempotency-Key": f"race-{n}"})

    threads = [threading.Thread(target=issue, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409], [answer.text for answer in answers]
    created = next(answer.json() for answer in answers if answer.status_code == 201)
    refused = next(answer.json() for answer in answers if answer.status_code == 409)
    assert refused["existing"] == f"/v1/credentials/{created['id']}"


def test_reissue_after_revocation_over_http(api: Api) -> None:
    token, body, path = basis(api)
    headers = bearer(token)
    first = api.client.post(path, json=body, headers=headers).json()
    revoked = api.client.post(f"/v1/credentials/{first['id']}/revocation", json={"reason": "wrong name"},
                              headers=headers)
    assert revoked.status_code == 200, revoked.text
    assert api.client.post(path, json=body, headers=headers).status_code == 409
    again = api.client.post(f"/v1/credentials/{first['id']}/reissue", json={"reason": "name corrected"},
                            headers={**headers, "Idempotency-Key": "reissue-1"})
    assert again.status_code == 201, again.text
    assert again.json()["credential"]["proof"] and again.json()["id"] != first["id"]
    replay = api.client.post(f"/v1/credentials/{first['id']}/reissue", json={"reason": "name corrected"},
                             headers={**headers, "Idempotency-Key": "reissue-1"})
    assert replay.json()["id"] == again.json()["id"] and replay.json()["replayed"]
    refused = api.client.post(path, json=body, headers=headers).json()
    assert refused["existing"] == f"/v1/credentials/{again.json()['id']}"
