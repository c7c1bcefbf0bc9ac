"""No existence oracles: a provider registering someone already registered (or erased) gets the answer a new learner
gets; revoking another principal's token answers like revoking an unknown one."""

from typing import Any

from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import Story, bearer


def shape(answer: Any) -> tuple[int, dict[str, Any]]:
    body = answer.json()
    return answer.status_code, {key: value for key, value in body.items() if key not in {"id", "position", "instance"}}


def register(api: Api, story: Story, who: str, value: str, key: str) -> Any:
    return api.client.post("/v1/learners", json={"primary_identifier": {"scheme": "student id", "value": value},
                                                 "profile": {"name": "Someone"}},
                           headers={**bearer(story.tokens[who]), "Idempotency-Key": key})


def test_registering_an_existing_or_erased_learner_answers_like_a_new_one(told: tuple[Api, Story]) -> None:
    api, story = told
    advanced = []

    def registered(who: str, value: str, key: str) -> Any:
        before = api.position
        answer = register(api, story, who, value, key)
        advanced.append(answer.json()["position"] - before)
        return answer

    new = registered("tafe", "T-0000001", "oracle-new")
    existing = registered("tafe", "S1234567", "oracle-existing")  # Aroha, registered by the university
    erased_id = register(api, story, "university", "T-0000002", "oracle-to-erase").json()["id"]
    assert api.client.post(f"/v1/learners/{erased_id}/erasure", json={"reason": "asked"},
                           headers=bearer(ADMIN_TOKEN)).status_code == 200
    erased = registered("tafe", "T-0000002", "oracle-erased")
    assert advanced[0] == advanced[1] == advanced[2], "the log position advances alike"
    assert new.status_code == 201, new.text
    assert shape(new) == shape(existing) == shape(erased)
    assert new.json()["token"] is None
    assert set(new.headers) - {"content-length", "x-request-id", "x-ledger-position"} == \
        set(existing.headers) - {"content-length", "x-request-id", "x-ledger-position"}


def test_revoking_someone_elses_token_answers_like_an_unknown_token(told: tuple[Api, Story]) -> None:
    api, story = told
    theirs = api.client.post("/v1/tokens", json={"principal_kind": "learner", "principal_id": story.ids["sam"]},
                             headers=bearer(ADMIN_TOKEN)).json()["token"]
    before = api.position
    someone_elses = api.client.post("/v1/tokens/revocation", json={"token": theirs},
                                    headers=bearer(story.tokens["aroha"]))
    unknown = api.client.post("/v1/tokens/revocation", json={"token": "A" * 43}, headers=bearer(story.tokens["aroha"]))
    assert someone_elses.status_code == unknown.status_code == 404
    assert shape(someone_elses) == shape(unknown)
    assert api.position == before
    assert api.client.get(f"/v1/learners/{story.ids['sam']}/skills", headers=bearer(theirs)).status_code == 200
