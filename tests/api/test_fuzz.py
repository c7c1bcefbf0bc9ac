"""The API fuzzed from its own OpenAPI document (schemathesis): no 5xx, and every response conforms to the schema
it declares (status code, content type, headers, body). Bounded: a few examples per operation."""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import Story, bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


class Proxy:
    """The ASGI app the schema calls: the OpenAPI document is static, so it loads from an app without state; the
    calls then go to the app over the told demo story (schemathesis.pytest.from_fixture does not run on pytest 9)."""

    def __init__(self) -> None:
        self.target: Any = create_app(None, None, "")  # type: ignore[arg-type]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.target(scope, receive, send)


PROXY = Proxy()
schema = schemathesis.openapi.from_asgi("/openapi.json", PROXY)


def token_for(story: Story, method: str, path: str) -> str:
    """Each operation fuzzed as the principal it is for, so the fuzzing reaches past authorization."""
    if path.startswith(("/v1/providers", "/v1/tokens", "/v1/events")) or path == "/v1/employers":
        return ADMIN_TOKEN
    if path.startswith("/v1/employers/") or "/attestation" in path or "/dispute" in path:
        return story.tokens["employer"]
    if path.startswith(("/v1/learners/{learner_id}/", "/v1/shares", "/v1/work-experience")) \
            and not path.endswith(("/enrolments", "/credentials", "/rpl-cases")):
        return story.tokens["aroha"]
    return story.tokens["university"]


@schema.parametrize()
@settings(max_examples=6, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case: schemathesis.Case,
                                                         told: tuple[Api, Story]) -> None:
    api, story = told
    PROXY.target = api.client.app
    headers = {**bearer(token_for(story, case.method, case.path)), **(case.headers or {})}
    case.call_and_validate(headers=headers, checks=CHECKS)
