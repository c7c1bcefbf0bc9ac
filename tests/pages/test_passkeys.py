"""Passkeys: a learner adds one after signing in with a link, signs out, and signs back in with it alone."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.story import Story
from tests.pages.conftest import Site, csrf_of, signed_in_browser
from tests.pages.soft_authenticator import SoftAuthenticator
from web.sessions import SESSION_COOKIE

Told = tuple[Site, Story]
ORIGIN, RP_ID = "https://ler.localhost", "ler.localhost"  # the default public URL


def _post(browser: TestClient, path: str, csrf: str, body: dict[str, Any] | None = None) -> Any:
    return browser.post(path, json=body or {}, headers={"X-CSRF-Token": csrf})


def add_passkey(browser: TestClient, authenticator: SoftAuthenticator, label: str = "Laptop") -> Any:
    csrf = csrf_of(browser.get("/me/account").text)
    options = _post(browser, "/passkeys/register/options", csrf).json()
    assert options["rp"]["id"] == RP_ID and options["authenticatorSelection"]["residentKey"] == "required"
    return _post(browser, "/passkeys/register", csrf, {"credential": authenticator.create(options), "label": label})


def sign_in_with_passkey(browser: TestClient, authenticator: SoftAuthenticator) -> Any:
    csrf = csrf_of(browser.get("/sign-in").text)
    options = _post(browser, "/passkeys/sign-in/options", csrf).json()
    return _post(browser, "/passkeys/sign-in", csrf, {"credential": authenticator.get(options, RP_ID)})


def test_add_a_passkey_then_sign_in_with_it_alone(told_site: Told) -> None:
    site, story = told_site
    authenticator = SoftAuthenticator(ORIGIN)
    browser = signed_in_browser(site, story, "aroha")
    added = add_passkey(browser, authenticator)
    assert added.status_code == 200 and added.json()["ok"], added.text
    assert "Laptop" in browser.get("/me/account").text

    stranger = site.browser()
    answer = sign_in_with_passkey(stranger, authenticator)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "redirect": "/me"}, answer.text
    assert SESSION_COOKIE in stranger.cookies
    assert "Communications Intern" in stranger.get("/me").text  # aroha's record


def test_an_unknown_passkey_or_a_replayed_answer_is_refused(told_site: Told) -> None:
    site, story = told_site
    unknown = sign_in_with_passkey(site.browser(), SoftAuthenticator(ORIGIN))
    assert unknown.status_code == 401 and not unknown.json()["ok"]

    authenticator = SoftAuthenticator(ORIGIN)
    assert add_passkey(signed_in_browser(site, story, "sam"), authenticator).json()["ok"]
    browser = site.browser()
    csrf = csrf_of(browser.get("/sign-in").text)
    options = _post(browser, "/passkeys/sign-in/options", csrf).json()
    answer = authenticator.get(options, RP_ID)
    assert _post(browser, "/passkeys/sign-in", csrf, {"credential": answer}).json()["ok"]
    replayed = _post(site.browser(), "/passkeys/sign-in", csrf_of(site.browser().get("/sign-in").text),
                     {"credential": answer})
    assert replayed.status_code in (401, 403)


def test_a_passkey_for_another_site_is_refused(told_site: Told) -> None:
    site, story = told_site
    phished = SoftAuthenticator("https://evil.example")
    refused = add_passkey(signed_in_browser(site, story, "aroha"), phished)
    assert refused.status_code == 400 and not refused.json()["ok"]


def test_passkey_requests_need_the_csrf_token(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    assert browser.post("/passkeys/register/options", json={}).status_code == 403
