"""Input that is not Unicode text, or too large, or too slow: every route answers 4xx problem+json and records
nothing."""

import json
import uuid

import pytest

from api.app import create_app
from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import Story, bearer

PROBLEM_JSON = "application/problem+json"
LONE_SURROGATES = [
    b'{"name": "\\ud800"}',
    b'{"name": "tail \\udc00 alone"}',
    b'{"name": "\\ud83d\\u0041"}',
    b'{"credentialSubject": {"id": "x", "name": ["\\udbff"]}, "type": ["VerifiableCredential"]}',
]
NOT_UTF8 = [b'{"name": "\xed\xa0\x80"}', b'{"name": "\xff\xfe"}']


def routes_with_bodies() -> list[tuple[str, str]]:
    """Every documented operation that takes a body (the OpenAPI document lists routes however they are nested)."""
    document = create_app(None, None, "").openapi()  # type: ignore[arg-type]
    return [(method.upper(), path) for path, operations in document["paths"].items() for method in operations
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}]


def concrete(path: str) -> str:
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + str(uuid.uuid4()) + path[end + 1:]
    return path


ROUTES = routes_with_bodies()


def test_every_write_route_is_covered() -> None:
    assert ("POST", "/v1/verify") in ROUTES and ("POST", "/v1/events") in ROUTES and len(ROUTES) > 20


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("body", LONE_SURROGATES + NOT_UTF8)
def test_text_that_is_not_unicode_answers_4xx_and_records_nothing(told: tuple[Api, Story], method: str, path: str,
                                                                   body: bytes) -> None:
    api, story = told
    before = api.position
    for token in (ADMIN_TOKEN, story.tokens["university"], story.tokens["aroha"]):
        answer = api.client.request(method, concrete(path), content=body,
                                    headers={**bearer(token), "Content-Type": "application/json",
                                             "Idempotency-Key": f"bad-{uuid.uuid4().hex}"})
        assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith(PROBLEM_JSON)
    assert api.position == before


def test_verify_names_the_lone_surrogate(told: tuple[Api, Story]) -> None:
    api, _ = told
    answer = api.client.post("/v1/verify", content=LONE_SURROGATES[0], headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid-text"


@pytest.mark.parametrize("text", ['"\\ud83d\\ude00"', '"\\\\ud800"', '"\\\\\\ud83d\\ude00"', '"\\u00e9\\u0041"'])
def test_paired_surrogates_and_escaped_backslashes_pass(told: tuple[Api, Story], text: str) -> None:
    api, _ = told
    body = ('{"type": ["VerifiableCredential"], "name": ' + text + "}").encode()
    answer = api.client.post("/v1/verify", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text


def test_surrogates_in_query_and_path_answer_4xx(told: tuple[Api, Story]) -> None:
    api, story = told
    aroha = story.ids["aroha"]
    for url in (f"/v1/learners/{aroha}/clr?as_of=%ED%A0%80", "/v1/learners/%ED%A0%80/record",
                "/v1/shared/%ED%A0%80", f"/v1/learners/{aroha}/skills?as_of=%5Cud800"):
        answer = api.client.get(url, headers=bearer(story.tokens["aroha"]))
        assert 400 <= answer.status_code < 500, (url, answer.status_code, answer.text)


def test_a_signed_credential_with_a_lone_surrogate_answers_422(told: tuple[Api, Story]) -> None:
    api, story = told
    document = story.read("aroha", f"/v1/credentials/{story.ids['aroha_communication']}")["document"]
    document["credentialSubject"]["achievement"]["name"] = "Communication \ud800"
    body = json.dumps(document).encode()
    assert b"\\ud800" in body
    answer = api.client.post("/v1/verify", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
