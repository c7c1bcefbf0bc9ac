"""axe-core on the pages the journeys pass through without checking: signing in and out, the pages that say
something is wrong, the share link once made, and the learner's pages at a phone's width."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from domain.values import Actor
from tests.web.browser import PHONE, assert_accessible
from tests.web.conftest import Site
from tests.web.test_learner_journey import LEARNER_PAGES


def test_signing_in_and_out_and_the_pages_that_refuse(page: Page, site: Site) -> None:
    page.goto("/sign-in")
    assert_accessible(page)
    assert page.goto("/me") is not None  # not signed in: a page that says so
    expect(page.get_by_role("heading", level=1)).to_have_text("Please sign in")
    assert_accessible(page)
    page.goto("/no/such/page", wait_until="load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    assert_accessible(page)
    page.goto("/shared/" + "x" * 43)
    assert_accessible(page)
    link = site.services.sign_ins.create_link(Actor.admin(), Actor.learner(site.demo.ids["aroha"]), 10)
    page.goto(f"/sign-in/link/{link.token}")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.goto("/employer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not permitted")
    assert_accessible(page)
    page.goto("/me")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed out")
    assert_accessible(page)


def test_the_share_made_and_the_learner_pages_at_a_phones_width(page: Page, site: Site) -> None:
    link = site.services.sign_ins.create_link(Actor.admin(), Actor.learner(site.demo.ids["aroha"]), 10)
    page.set_viewport_size(PHONE)
    page.goto(f"/sign-in/link/{link.token}")
    page.get_by_role("button", name="Continue").click()
    for path in LEARNER_PAGES:
        page.goto(path)
        assert_accessible(page)
    page.goto("/me/shares")
    page.get_by_label("Written and Oral Communication Micro-credential", exact=False).check()
    page.get_by_label("Purpose").fill("Accessibility check")
    page.get_by_label("Last day it can be opened").fill((datetime.now(UTC) + timedelta(days=2)).date().isoformat())
    page.get_by_role("button", name="Create the share link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share created")
    assert_accessible(page)
