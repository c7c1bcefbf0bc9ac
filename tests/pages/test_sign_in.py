"""Signing in with a one-time link, sessions held server-side, signing out, CSRF refusals."""

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
import structlog
from structlog.testing import capture_logs

from tests.api.conftest import ADMIN_TOKEN
from tests.api.story import Story
from tests.pages.conftest import Site, csrf_of, make_link, open_site, sign_in_with
from web.sessions import SESSION_COOKIE
from wiring.settings import Settings

Told = tuple[Site, Story]


def test_a_link_signs_a_learner_in_once_with_a_safe_cookie(told_site: Told) -> None:
    site, story = told_site
    browser = site.browser()
    link = make_link(site.client, ADMIN_TOKEN, "learner", story.ids["aroha"])
    answer = sign_in_with(browser, link)
    assert answer.status_code == 303 and answer.headers["location"] == "/me"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" in cookie  # the public URL is https by default
    assert browser.get("/me/account").status_code == 200

    again = sign_in_with(site.browser(), link)
    assert again.status_code == 400 and "was used already" in again.text


def test_the_ledger_keeps_only_hashes_of_links_and_sessions(told_site: Told) -> None:
    site, story = told_site
    link = make_link(site.client, ADMIN_TOKEN, "learner", story.ids["aroha"])
    token = link.rsplit("/", 1)[1]
    session = sign_in_with(site.browser(), link).cookies[SESSION_COOKIE]
    stored = (site.services.settings.data_dir / "sign-in.sqlite3").read_bytes()
    assert token.encode() not in stored and session.encode() not in stored


def test_an_expired_link_is_refused(told_site: Told) -> None:
    site, story = told_site
    link = make_link(site.client, ADMIN_TOKEN, "learner", story.ids["sam"], minutes=1)
    sign_ins = site.services.sign_ins
    real_clock = sign_ins.clock
    sign_ins.clock = lambda: real_clock() + timedelta(minutes=2)
    try:
        answer = sign_in_with(site.browser(), link)
    finally:
        sign_ins.clock = real_clock
    assert answer.status_code == 400 and "has expired" in answer.text


def test_who_may_make_a_link(told_site: Told) -> None:
    site, story = told_site
    aroha, sam = story.ids["aroha"], story.ids["sam"]
    assert make_link(site.client, story.tokens["university"], "learner", aroha)  # registered her
    refused = site.client.post("/v1/sign-in-links", headers={"Authorization": f"Bearer {story.tokens['university']}"},
                               json={"principal_kind": "learner", "principal_id": sam})
    assert refused.status_code == 403 and refused.json()["code"] == "not-permitted"
    assert make_link(site.client, story.tokens["aroha"], "learner", aroha)  # herself
    other = site.client.post("/v1/sign-in-links", headers={"Authorization": f"Bearer {story.tokens['aroha']}"},
                             json={"principal_kind": "learner", "principal_id": sam})
    assert other.status_code == 403
    assert make_link(site.client, ADMIN_TOKEN, "employer", story.ids["employer"])
    unknown = site.client.post("/v1/sign-in-links", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                               json={"principal_kind": "learner", "principal_id": story.ids["employer"]})
    assert unknown.status_code == 404
    anonymous = site.client.post("/v1/sign-in-links", json={"principal_kind": "learner", "principal_id": aroha})
    assert anonymous.status_code == 401


def test_sign_out_ends_the_session_on_the_server(told_site: Told) -> None:
    site, story = told_site
    browser = site.browser()
    sign_in_with(browser, make_link(site.client, ADMIN_TOKEN, "learner", story.ids["aroha"]))
    stolen = browser.cookies[SESSION_COOKIE]
    page = browser.get("/me/account")
    answer = browser.post("/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/signed-out"
    replayed = site.browser()
    replayed.cookies.set(SESSION_COOKIE, stolen)
    assert replayed.get("/me/account").status_code == 401


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(told_site: Told) -> None:
    site, story = told_site
    browser = site.browser()
    sign_in_with(browser, make_link(site.client, ADMIN_TOKEN, "learner", story.ids["aroha"]))
    missing = browser.post("/sign-out", data={}, follow_redirects=False)
    assert missing.status_code == 403 and "Form refused" in missing.text
    forged = browser.post("/sign-out", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403
    assert browser.get("/me/account").status_code == 200  # still signed in

    link = make_link(site.client, ADMIN_TOKEN, "learner", story.ids["aroha"])
    stranger = site.browser()
    no_token = stranger.post("/sign-in/link", data={"token": link.rsplit("/", 1)[1]}, follow_redirects=False)
    assert no_token.status_code == 403
    assert sign_in_with(stranger, link).status_code == 303  # the refused post did not use the link up


def test_a_page_needing_a_session_says_so(site: Site) -> None:
    answer = site.client.get("/me/account")
    assert answer.status_code == 401 and "Sign in to see this page" in answer.text


@pytest.fixture
def info_logs() -> Iterator[None]:
    """Request lines are info: other tests' fixtures may have quietened the logs to warnings."""
    before = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    yield
    structlog.configure(**before)


def test_sign_in_links_never_reach_the_log(sqlite_settings: Settings, info_logs: None) -> None:
    with capture_logs() as logged:  # the site is made inside, so its loggers are the capturing ones
        site = open_site(sqlite_settings)
        try:
            learner = site.client.post("/v1/learners", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, json={
                "primary_identifier": {"scheme": "test", "value": "LOG-1"}}).json()
            link = make_link(site.client, ADMIN_TOKEN, "learner", learner["id"])
            assert sign_in_with(site.browser(), link).status_code == 303
        finally:
            site.close()
    assert logged and link.rsplit("/", 1)[1] not in repr(logged)
    assert any(entry.get("path") == "/sign-in/link/[secret]" for entry in logged)


def test_every_page_knows_who_is_signed_in(told_site: Told) -> None:
    site, story = told_site
    browser = site.browser()
    assert "Sign out" not in browser.get("/").text
    sign_in_with(browser, make_link(site.client, ADMIN_TOKEN, "learner", story.ids["aroha"]))
    landing = browser.get("/").text
    assert "Sign out" in landing and 'href="/me/credentials"' in landing
