"""A batch's body is validated in one pass from its bytes when every item is valid; otherwise FastAPI parses it with
`json` and validates each item alone. Wherever the one pass succeeds it must give the items the other way gives."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.routers import events
from api.routers.events import EventBatch, InvalidItem
from tests.api.conftest import Api
from tests.api.story import bearer
from tests.api.test_batch_import import _setup, _term

ID = "6bf1b421-06ae-5be4-9541-7d750dceaa98"
ENROL = {"command": "enrol", "idempotency_key": "k1", "learner_id": ID, "achievement_id": ID, "term": "2026-T1",
         "effective": "2026-02-01"}
ASSESS = {"command": "record_assessment", "idempotency_key": "k2", "enrolment_id": ID, "title": "Portfolio",
          "outcome": "passed", "assessor": "Dr Tane", "score": "B", "assessed_on": "2026-03-01",
          "skill_levels": [{"skill_url": "https://skills.example.org/a", "level": 3}],
          "evidence": [{"description": "Work", "url": "https://evidence.example.org/1"}]}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


def _both_ways(body: bytes) -> None:
    try:
        slow = EventBatch.model_validate(json.loads(body)).items
    except (ValueError, ValidationError):
        slow = None
    try:
        fast = events._AllValid.model_validate_json(body).items
    except ValidationError:
        return
    assert slow is not None and not any(isinstance(item, InvalidItem) for item in slow)
    assert fast == slow


@given(base=st.sampled_from([ENROL, ASSESS]), field=st.sampled_from(
    ["term", "effective", "title", "outcome", "assessor", "score", "assessed_on", "skill_levels", "evidence",
     "learner_id", "enrolment_id", "idempotency_key", "command", "extra"]),
    value=json_values, ascii_only=st.booleans())
@settings(max_examples=400, deadline=None)
def test_one_pass_gives_what_item_by_item_gives_wherever_it_succeeds(base: dict[str, Any], field: str, value: Any,
                                                                    ascii_only: bool) -> None:
    item = {**base, field: value}
    _both_ways(json.dumps({"items": [base, item]}, ensure_ascii=ascii_only).encode())


@pytest.mark.parametrize("body", [
    b'{"items":[{"command":"enrol","idempotency_key":"k","learner_id":"%s","achievement_id":"%s","term":"\\ud800"}]}',
    b'{"items":[{"command":"enrol","idempotency_key":"k","learner_id":"%s","achievement_id":"%s","term":"a\\u0000"}]}',
    b'{"items":[{"command":"enrol","idempotency_key":"k","learner_id":"%s","achievement_id":"%s","term":"a","term":"b"}]}',
    b'{"items":[],"items":[{"command":"enrol","idempotency_key":"k","learner_id":"%s","achievement_id":"%s","term":"a"}]}',
    b'\xef\xbb\xbf{"items":[{"command":"enrol","idempotency_key":"k","learner_id":"%s","achievement_id":"%s","term":"a"}]}',
    b'{"items":[{"command":"enrol","idempotency_key":"k","learner_id":"%s","achievement_id":"%s","term":"a","effective":NaN}]}',
])
def test_one_pass_on_surrogates_nul_repeated_keys_bom_and_nan(body: bytes) -> None:
    _both_ways(body % (ID.encode(), ID.encode()))


def test_a_valid_batch_is_not_parsed_by_json(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    token, achievement, learners = _setup(api, 2)
    parsed: list[Any] = []
    loads = json.loads

    def counted(text: Any, **kwargs: Any) -> Any:
        if isinstance(text, bytes) and text.startswith(b'{"items"'):
            parsed.append(text)
        return loads(text, **kwargs)

    monkeypatch.setattr("starlette.requests.json.loads", counted)
    good = api.client.post("/v1/events", headers=bearer(token), json={"items": _term(achievement, learners)})
    assert good.status_code == 200 and good.json()["failed"] == 0 and not parsed
    bad = api.client.post("/v1/events", headers=bearer(token), json={"items": [{"command": "enrol", "term": ""}]})
    assert bad.status_code == 200 and bad.json()["failed"] == 1 and len(parsed) == 1
