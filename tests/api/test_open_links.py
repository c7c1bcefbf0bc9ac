"""An employer's click on a share link (api/open_links.py) is answered before FastAPI's router, and answers as the
route does: the same request, taken by the lean path and then left to the route, gets the same status, headers and
body, and each records its opening; every request the lean path does not take is the route's own."""

from typing import Any

import psycopg
import pytest

from api import open_links
from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import Story, bearer

JSON = {"Accept": "application/json"}


@pytest.fixture(params=["sqlite", "postgres"])
def told_any(request: pytest.FixtureRequest) -> tuple[Api, Story]:
    found: tuple[Api, Story] = request.getfixturevalue("told" if request.param == "sqlite" else "told_postgres")
    return found


def _answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(name, value) for name, value in response.headers.items() if name != "x-request-id"]
    return response.status_code, headers, response.content


def _both(api: Api, path: str, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The request as the app answers it, then with the lean path declining every request (the route's answer)."""
    first = _answer(api.client.get(path, headers=headers, follow_redirects=False))
    with monkeypatch.context() as patched:
        patched.setattr(open_links, "_usual_opening", lambda scope: None)
        second = _answer(api.client.get(path, headers=headers, follow_redirects=False))
    return [first, second]


def _openings(api: Api, story: Story) -> int:
    api.read_side.wait_for(api.position, timeout=30)
    shares = story.read("aroha", f"/v1/learners/{story.ids['aroha']}/shares")["shares"]
    return sum(len(share["openings"]) for share in shares)


@pytest.mark.parametrize("caller", [{}, bearer(ADMIN_TOKEN)], ids=["anyone holding the link", "the admin"])
def test_a_link_opens_alike_either_way_and_each_opening_is_recorded(
        told_any: tuple[Api, Story], caller: dict[str, str], solved: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    api, story = told_any
    path = f"/v1/shared/{story.tokens['share_link']}"
    before = _openings(api, story)
    solved.clear()
    lean = _answer(api.client.get(path, headers={**JSON, **caller}))
    assert solved == []
    lean_again, general = _both(api, path, {**JSON, **caller}, monkeypatch)
    assert solved == [path]
    assert lean[0] == 200 and lean[2] and lean == lean_again == general
    assert _openings(api, story) == before + 3


@pytest.mark.parametrize("case", ["unknown link", "revoked link", "malformed token", "short token", "a browser",
                                  "another principal's token", "an unknown bearer token"])
def test_each_other_answer_is_the_routes_own(told_any: tuple[Api, Story], case: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    api, story = told_any
    token, headers = story.tokens["share_link"], dict(JSON)
    if case == "unknown link":
        token = "x" * 43
    elif case == "revoked link":
        token = _revoked_link(story)
    elif case == "malformed token":
        token = "not/a token"
    elif case == "short token":
        token = "short"
    elif case == "a browser":
        headers = {"Accept": "text/html,application/json;q=0.9"}
    elif case == "another principal's token":
        headers.update(bearer(story.tokens["aroha"]))
    else:
        headers.update(bearer("no-such-token-0123456789"))
    first, second = _both(api, f"/v1/shared/{token}", headers, monkeypatch)
    assert first == second
    expected = {"unknown link": 404, "revoked link": 404, "malformed token": 404, "short token": 422, "a browser": 303}
    assert first[0] == expected.get(case, 200)


def _revoked_link(story: Story) -> str:
    aroha = story.ids["aroha"]
    share = story.write("aroha", f"/v1/learners/{aroha}/shares", {
        "employer_id": story.ids["employer"], "skill_urls": [], "credential_ids": [story.ids["aroha_communication"]],
        "purpose": "Revoked at once", "expires_at": "2099-01-01T00:00:00+00:00"}, expect=201)
    story.write("aroha", f"/v1/shares/{share['id']}", method="DELETE", expect=200)
    return str(share["token"])


@pytest.mark.parametrize("failure", [psycopg.OperationalError("the server closed the connection"),
                                     RuntimeError("a bug")], ids=["store unreachable", "unexpected"])
def test_a_failure_is_answered_as_the_route_answers_it(told_any: tuple[Api, Story], failure: Exception,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    api, story = told_any

    def failing(token: str) -> None:
        raise failure

    monkeypatch.setattr(api.read_side, "share_link", failing)
    first, second = _both(api, f"/v1/shared/{story.tokens['share_link']}", JSON, monkeypatch)
    assert first == second
    assert first[0] == (503 if isinstance(failure, psycopg.OperationalError) else 500)
    assert ("content-type", "application/problem+json") in first[1]
