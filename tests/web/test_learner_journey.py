"""The learner's journeys in a real browser: sign in with a one-time link, read the record, download a credential,
share with an expiry and watch the employer's link work and then stop; add a passkey (Chromium's virtual
authenticator), sign out, and sign back in with it alone."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import CDPSession, Page, expect

from domain.values import Actor
from tests.web.browser import PHONE, assert_accessible, horizontal_overflow, screenshot
from tests.web.conftest import Site

LEARNER_PAGES = ("/me", "/me/credentials", "/me/skills", "/me/pathways", "/me/shares", "/me/account",
                 "/me/transcript")


def sign_in(page: Page, site: Site, who: str = "aroha") -> None:
    link = site.services.sign_ins.create_link(Actor.admin(), Actor.learner(site.demo.ids[who]), 10)
    page.goto(f"/sign-in/link/{link.token}")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(site.url("/me"))


def test_a_learner_signs_in_with_a_link_and_reads_their_record(page: Page, site: Site) -> None:
    sign_in(page, site)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your record")
    expect(page.get_by_text("Credential revoked: Issued in error", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="Communications Intern")).to_be_visible()
    screenshot(page, "learner-home")
    for path in LEARNER_PAGES:
        page.goto(path)
        assert_accessible(page)
    page.set_viewport_size(PHONE)
    for path in ("/me", "/me/credentials", "/me/shares"):
        page.goto(path)
        assert horizontal_overflow(page) == 0, f"{path} scrolls sideways at 390 px"


def test_a_learner_downloads_a_signed_credential(page: Page, site: Site) -> None:
    sign_in(page, site)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Credentials").click()
    screenshot(page, "learner-credentials")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download signed Open Badges 3.0 JSON for Written and Oral Communication "
                                       "Micro-credential").click()
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert "OpenBadgeCredential" in document["type"] and document["proof"]


def test_a_learner_shares_the_employer_opens_it_then_it_is_revoked(page: Page, other_page: Page,
                                                                     site: Site) -> None:
    sign_in(page, site)
    page.goto("/me/shares")
    page.get_by_label("Written and Oral Communication Micro-credential", exact=False).check()
    page.get_by_label("Purpose").fill("Browser journey share")
    page.get_by_label("Last day it can be opened").fill((datetime.now(UTC) + timedelta(days=7)).date().isoformat())
    page.get_by_role("button", name="Create the share link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share created")
    expect(page.get_by_role("img", name="QR code of the share link")).to_be_visible()
    screenshot(page, "learner-share-made")
    link = page.locator("p.secret").inner_text()
    path = link[link.index("/v1/shared/"):]

    opened = other_page.goto(path)
    assert opened is not None and opened.status == 200
    assert "Browser journey share" in other_page.content()

    site.settle()
    page.goto("/me/shares")
    card = page.get_by_role("article").filter(has_text="Browser journey share")
    expect(card).to_contain_text("link holder (not signed in)")
    card.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("article").filter(has_text="Browser journey share")).to_contain_text("revoked")
    gone = other_page.goto(path)
    assert gone is not None and gone.status in (404, 410)


@pytest.fixture
def authenticator(page: Page) -> Iterator[CDPSession]:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})
    yield session
    session.send("WebAuthn.disable")


def test_a_learner_adds_a_passkey_signs_out_and_back_in_with_it(page: Page, site: Site,
                                                               authenticator: CDPSession) -> None:
    sign_in(page, site, "sam")
    page.goto("/me/account")
    page.get_by_label("Name for the new passkey").fill("Browser test key")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Browser test key")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed out")
    assert page.goto("/me") is not None and page.get_by_role("heading", level=1).inner_text() == "Please sign in"

    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(site.url("/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your record")
