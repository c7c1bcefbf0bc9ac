"""The demo story through HTTP alone, on SQLite and PostgreSQL, then what each principal reads from it."""

from fastapi.testclient import TestClient

from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import COMMUNICATION, TEAMWORK, Story, bearer, tell


def test_the_demo_story_through_http_alone(api: Api) -> None:
    story = tell(api.client, ADMIN_TOKEN)
    aroha, employer = story.ids["aroha"], story.tokens["employer"]
    assert story.position == api.position

    record = story.read("aroha", f"/v1/learners/{aroha}/record", limit=100)
    positions = [entry["position"] for entry in record["entries"]]
    assert positions == sorted(positions, reverse=True), "newest first"
    assert {e["recorded_by"] for e in record["entries"]} >= {
        f"provider:{story.ids['university']}", f"learner:{aroha}", f"employer:{story.ids['employer']}"}

    skills = story.read("aroha", f"/v1/learners/{aroha}/skills")
    by_url = {entry["skill"]["url"]: entry for entry in skills["skills"]}
    assert by_url[COMMUNICATION["url"]]["verification"] == "verified"

    clr = story.read("aroha", f"/v1/learners/{aroha}/clr")
    report = api.client.post("/v1/verify", json=clr).json()
    assert report["verified"], report
    assert report["nested"] and all(nested["verified"] for nested in report["nested"])

    # The employer opens the link (recorded), asks for skills; the learner sees the opening, revokes the share.
    link = f"/v1/shared/{story.tokens['share_link']}"
    opened = api.client.get(link, headers=bearer(employer))
    assert opened.status_code == 200, opened.text
    assert [c["credential_id"] for c in opened.json()["credentials"]] == [story.ids["aroha_communication"]]
    page = api.client.get(link, headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/shared/{story.tokens['share_link']}"

    query = {"skills": [COMMUNICATION["url"], TEAMWORK["url"]], "min_level": 3}
    found = api.client.post("/v1/employers/skill-queries", json=query, headers=bearer(employer))
    assert found.status_code == 200, found.text
    assert [r["learner_id"] for r in found.json()["results"]] == [aroha]

    story.position = api.position
    shares = story.read("aroha", f"/v1/learners/{aroha}/shares")["shares"]
    assert shares[0]["share_id"] == story.ids["share"]
    assert "employer:" + story.ids["employer"] in str(shares[0])

    story.write("aroha", f"/v1/shares/{story.ids['share']}", method="DELETE", expect=200)
    gone = api.client.get(link, headers=bearer(employer))
    assert gone.status_code == 404 and gone.json()["code"] == "share-not-found"
    api.read_side.wait_for(api.position)
    after = api.client.post("/v1/employers/skill-queries", json=query, headers=bearer(employer))
    assert after.json()["results"] == []

    events = story.read("admin", "/v1/events", after=0, limit=5)
    assert [e["position"] for e in events["events"]] == [1, 2, 3, 4, 5] and events["next_after"] == 5
    ready = api.client.get("/readyz").json()
    assert ready["position"] == api.position and all("lag" in v for v in ready["projections"].values())


def test_verify_reports_each_check_of_an_issued_credential(told: tuple[Api, Story]) -> None:
    api, story = told
    revoked = api.read_side.credential(story.ids["aroha_self_management"])
    assert revoked is not None
    report = api.client.post("/v1/verify", json=revoked["document"]).json()
    checks = {check["name"]: check["outcome"] for check in report["checks"]}
    assert checks == {"schema": "passed", "schema-strict": "passed", "proof": "passed", "issuer": "passed",
                      "status": "failed", "validity": "passed"}
    assert not report["verified"]

    active = api.read_side.credential(story.ids["aroha_communication"])
    assert active is not None
    tampered = {**active["document"], "name": "Something else"}
    tampered_report = api.client.post("/v1/verify", json=tampered).json()
    assert {c["name"]: c["outcome"] for c in tampered_report["checks"]}["proof"] == "failed"
    assert api.client.post("/v1/verify", json={"hello": "world"}).json()["verified"] is False


def test_time_travel_and_pagination(told: tuple[Api, Story]) -> None:
    api, story = told
    aroha = story.ids["aroha"]
    now = story.read("aroha", f"/v1/learners/{aroha}/record", limit=500)["entries"]
    early = story.read("aroha", f"/v1/learners/{aroha}/record", as_of=now[-1]["position"], limit=500)["entries"]
    assert [e["position"] for e in early] == [now[-1]["position"]]
    first = story.read("aroha", f"/v1/learners/{aroha}/record", limit=2)
    second = story.read("aroha", f"/v1/learners/{aroha}/record", limit=2, offset=first["next_offset"])
    assert [e["position"] for e in first["entries"] + second["entries"]] == [e["position"] for e in now[:4]]
    bad = api.client.get(f"/v1/learners/{aroha}/record", params={"as_of": "last tuesday"},
                         headers=bearer(story.tokens["aroha"]))
    assert bad.status_code == 422 and bad.json()["code"] == "invalid-as-of"
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        refused = api.client.get(f"/v1/learners/{aroha}/record", params=params, headers=bearer(story.tokens["aroha"]))
        assert refused.status_code == 422, params


def test_a_provider_reads_only_what_it_recorded(told: tuple[Api, Story]) -> None:
    _api, story = told
    aroha = story.ids["aroha"]
    entries = story.read("university", f"/v1/learners/{aroha}/record", limit=500)["entries"]
    assert entries and {e["recorded_by"] for e in entries} == {f"provider:{story.ids['university']}"}


def test_read_your_writes_waits_for_the_position(told: tuple[Api, Story]) -> None:
    api, _story = told
    client: TestClient = api.client
    ahead = client.get("/v1/issuers/ledger", params={"min_position": api.position + 1000})
    assert ahead.status_code == 422 and ahead.json()["code"] == "position-ahead-of-ledger"
    reached = client.get("/v1/issuers/ledger", headers={"X-Min-Position": str(api.position)})
    assert reached.status_code == 200


def test_the_same_journey_on_postgres_reads_the_same(told_postgres: tuple[Api, Story]) -> None:
    api, story = told_postgres
    aroha = story.ids["aroha"]
    skills = story.read("aroha", f"/v1/learners/{aroha}/skills")
    assert COMMUNICATION["url"] in {entry["skill"]["url"] for entry in skills["skills"]}
    clr = story.read("aroha", f"/v1/learners/{aroha}/clr")
    assert api.client.post("/v1/verify", json=clr).json()["verified"]
