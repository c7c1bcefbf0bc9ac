"""Pages for anyone: the landing page and the issuer pages."""

from playwright.sync_api import Page, expect

from tests.web.browser import PHONE, assert_accessible, horizontal_overflow, screenshot
from tests.web.conftest import Site

UNIVERSITY = "Te Whare Wānanga o Aotearoa University"


def test_the_landing_page_says_what_the_ledger_is(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learner employment record ledger")
    expect(page.get_by_role("link", name="Verify a credential")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "landing")


def test_the_landing_page_fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/")
    assert horizontal_overflow(page) <= 0
    assert_accessible(page)
    screenshot(page, "landing-phone")


def test_issuers_list_and_an_issuer_page_with_keys_and_status_lists(page: Page, site: Site) -> None:
    page.goto("/issuers")
    expect(page.get_by_role("heading", level=2)).to_have_text(["Southern Health TAFE", UNIVERSITY])
    assert_accessible(page)
    page.get_by_role("link", name=UNIVERSITY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UNIVERSITY)
    provider = site.read_side.provider(site.demo.ids["university"])
    assert provider is not None
    for key in provider["keys"].values():
        expect(page.get_by_text(key, exact=True)).to_be_visible()
    revocation = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Revocation"))
    expect(revocation.get_by_role("cell").first).to_have_text("1")
    assert_accessible(page)
    screenshot(page, "issuer")
    page.get_by_role("link", name="Revocation list (JSON)").click()
    assert "BitstringStatusListCredential" in page.content()


def test_an_unknown_issuer_is_a_page_not_found(page: Page) -> None:
    response = page.goto("/issuers/00000000-0000-0000-0000-000000000000")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Issuer not found")
    response = page.goto("/issuers/not-an-id")
    assert response is not None and response.status == 422


def test_a_credential_check_page_for_anyone(page: Page, site: Site) -> None:
    page.goto(f"/credentials/{site.demo.ids['aroha_self_management']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-Management Micro-credential")
    status = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Status"))
    expect(status).to_contain_text("Revoked by the issuer.")
    assert_accessible(page)
    page.goto(f"/credentials/{site.demo.ids['aroha_communication']}")
    expect(page.locator("main .badge")).to_have_text("Verified")
    assert_accessible(page)
    screenshot(page, "credential-check")
