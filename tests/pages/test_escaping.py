"""Pages never echo unescaped input: names, roles, purposes written by anyone reach the pages as text."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import ADMIN_TOKEN
from tests.pages.conftest import Site, make_link, open_site, sign_in_with
from wiring.settings import Settings

HOSTILE = {
    "quotes": "O'Brien \"the\" `tester`",
    "markup": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "control": "tab\there\x07bell\x1bescape",
    "emoji": "Kaiako 👩🏽‍🏫 🎓",
    "combining": "Ma\u0304ori Te\u0301",
    "rtl": "\u202eevil\u202c مرحبا עברית",
}
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.fixture
def hostile_site(sqlite_settings: Settings) -> Iterator[tuple[Site, str, str]]:
    running = open_site(sqlite_settings)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert running.client.post("/v1/employers", headers=admin, json={"name": HOSTILE["markup"]}).status_code == 201
    learner = running.client.post("/v1/learners", headers=admin, json={
        "primary_identifier": {"scheme": "test", "value": "H-1"}, "profile": {"name": HOSTILE["quotes"]}}).json()
    yield running, learner["id"], learner["token"]
    running.close()


def _write(site: Site, token: str, path: str, body: dict[str, object]) -> int:
    answer = site.client.post(path, headers={"Authorization": f"Bearer {token}"}, json=body)
    assert answer.status_code < 500, answer.text
    return answer.status_code


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_reaches_the_pages_escaped(hostile_site: tuple[Site, str, str], name: str) -> None:
    site, learner_id, token = hostile_site
    text = HOSTILE[name]
    accepted = _write(site, token, f"/v1/learners/{learner_id}/work-experience", {
        "kind": "employment", "employer_name": text, "role": text, "start": "2024-01-01"}) < 300
    assert site.read_side.wait_for(site.services.ledger.position(), timeout=10)  # the employer is in the views
    employer_id = site.read_side.employers()[0]["id"]
    expires = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    _write(site, token, f"/v1/learners/{learner_id}/shares", {
        "employer_id": employer_id, "skill_urls": ["https://example.org/skills/x"], "purpose": text,
        "expires_at": expires})
    assert site.read_side.wait_for(site.services.ledger.position(), timeout=10)
    browser = site.browser()
    sign_in_with(browser, make_link(site.client, ADMIN_TOKEN, "learner", learner_id))
    for path in ("/me", "/me/shares", "/me/transcript"):
        page = browser.get(path)
        assert page.status_code == 200, (path, page.text)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert not RAW_CONTROL.search(page.text), path
    shares = browser.get("/me/shares").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in shares  # the employer's name, as text
    if accepted and name in ("emoji", "combining", "rtl"):
        assert text in browser.get("/me").text  # shown as written, not mangled
