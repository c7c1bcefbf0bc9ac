"""The employer's side of a share: the page a candidate's link opens in another browser, the signed documents to
download, and what a link says once it has been withdrawn or has expired."""

import json
import time
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.web.browser import PHONE, assert_accessible, horizontal_overflow, screenshot
from tests.web.conftest import Site
from tests.web.hostile import IN_ONE_LINE, PWNED, SHOWN

CREDENTIAL = "Written and Oral Communication Micro-credential"


def test_an_employer_opens_a_share_link_and_sees_verified_credentials(other_page: Page, site: Site) -> None:
    link = site.new_share()
    response = other_page.goto(link)
    assert response is not None and response.status == 200
    assert other_page.url.endswith(link.replace("/v1/shared/", "/shared/")), "a browser is sent to the share page"
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Shared learner record")
    card = other_page.get_by_role("article").filter(has=other_page.get_by_role("heading", name=CREDENTIAL))
    expect(card.get_by_text("Verified", exact=True)).to_be_visible()
    for check in ("Signature", "Issuer", "Status", "Validity period"):
        expect(card.get_by_role("row").filter(has=other_page.get_by_role("rowheader", name=check))).to_contain_text(
            "Passed")
    skills = other_page.locator("article.skill h3")
    expect(skills).to_have_text(["Work in teams", "Written and Oral Communication"])
    assert "Self-Management" not in other_page.content(), "nothing beyond what the share grants"
    assert_accessible(other_page)
    screenshot(other_page, "share-page")


def test_the_opening_is_recorded_for_the_learner(other_page: Page, site: Site) -> None:
    link = site.new_share()
    other_page.goto(link)
    site.settle()
    shares = site.read_side.shares(site.demo.ids["aroha"])
    opened = next(s for s in shares if s.share_id == site.share_id(link))
    assert [o.viewer for o in opened.openings] == ["link holder (not signed in)"]


def test_the_signed_credential_downloads_as_issued(other_page: Page, site: Site) -> None:
    other_page.goto(site.new_share())
    with other_page.expect_download() as download:
        other_page.get_by_role("link", name="Download signed credential (JSON)").click()
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    issued = site.read_side.credential(site.demo.ids["aroha_communication"])
    assert issued is not None and document == issued["document"]
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_a_withdrawn_share_stops_the_link_and_shows_nothing(other_page: Page, site: Site) -> None:
    link = site.new_share()
    other_page.goto(link)
    expect(other_page.get_by_role("heading", name=CREDENTIAL)).to_be_visible()
    site.revoke_share(link)
    response = other_page.reload()
    assert response is not None and response.status == 410
    expect(other_page.get_by_role("heading", level=1)).to_have_text("This share was withdrawn")
    assert CREDENTIAL not in other_page.content() and "Communication" not in other_page.content()
    download = other_page.request.get(link.replace("/v1/shared/", "/shared/") + "/credentials/"
                                      f"{site.demo.ids['aroha_communication']}.json")
    assert download.status == 410
    assert_accessible(other_page)
    screenshot(other_page, "share-page-withdrawn")


def test_an_expired_share_says_it_ended(other_page: Page, site: Site) -> None:
    link = site.new_share(lasts=timedelta(seconds=2))
    time.sleep(2.5)
    response = other_page.goto(link)
    assert response is not None and response.status == 410
    expect(other_page.get_by_role("heading", level=1)).to_have_text("This share has ended")
    assert CREDENTIAL not in other_page.content()


def test_an_unknown_link_is_not_found(other_page: Page) -> None:
    response = other_page.goto("/v1/shared/" + "x" * 43)
    assert response is not None and response.status == 404
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Link not found")


def test_a_hostile_purpose_is_shown_as_text(other_page: Page, site: Site) -> None:
    other_page.goto(site.new_share(purpose=IN_ONE_LINE))
    purpose = other_page.locator("dl.facts dd").nth(1)
    assert purpose.text_content() == SHOWN
    assert not other_page.evaluate(PWNED), "markup in the purpose ran"
    assert other_page.locator("main script, main img").count() == 0


def test_the_share_page_fits_a_phone(other_page: Page, site: Site) -> None:
    other_page.set_viewport_size(PHONE)
    other_page.goto(site.new_share())
    assert horizontal_overflow(other_page) <= 0
    assert_accessible(other_page)
    screenshot(other_page, "share-page-phone")


def test_the_share_page_prints_without_navigation_or_buttons(other_page: Page, site: Site) -> None:
    other_page.goto(site.new_share())
    other_page.emulate_media(media="print")
    expect(other_page.get_by_role("heading", name=CREDENTIAL)).to_be_visible()
    expect(other_page.get_by_role("link", name="Download signed credential (JSON)")).to_be_hidden()
    expect(other_page.locator(".site-header nav")).to_be_hidden()
    assert other_page.pdf(format="A4").startswith(b"%PDF")
