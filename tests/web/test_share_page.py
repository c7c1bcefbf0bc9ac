"""The page a candidate's share link opens in an employer's browser."""

from playwright.sync_api import Page, expect

from tests.web.browser import assert_accessible, screenshot
from tests.web.conftest import Site


def demo_link(site: Site) -> str:
    return f"/v1/shared/{site.demo.tokens['share']}"


def test_the_share_link_opens_a_page_for_a_person(page: Page, site: Site) -> None:
    page.goto(demo_link(site))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "share-page")


def test_the_share_page_prints(page: Page, site: Site) -> None:
    page.goto(demo_link(site))
    page.emulate_media(media="print")
    assert page.evaluate("() => matchMedia('print').matches")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")
