"""An employer answers work experience in the browser: the claim naming it is listed, attested with some of the stated
skills; the learner then reads the attestation on their record. Another employer never sees the claim."""

from datetime import timedelta

from playwright.sync_api import Page, expect

from application.commands import RegisterEmployer, StateWorkExperience
from domain.values import Actor, Period
from domain.work_experience import Position, WorkKind
from ops.demo import COMMUNICATION, TEAMWORK
from tests.web.browser import PHONE, assert_accessible, horizontal_overflow, screenshot
from tests.web.conftest import Site
from tests.web.hostile import IN_ONE_LINE, PWNED, SHOWN


def employer(site: Site) -> Actor:
    return Actor.employer(site.demo.ids["employer"])


def claim(site: Site, role: str) -> str:
    sam = site.demo.ids["sam"]
    start = site.services.ledger.today() - timedelta(days=300)
    written = site.services.ledger.execute(Actor.learner(sam), StateWorkExperience(sam, Position(
        WorkKind.PLACEMENT, "Harbour City Council", role, Period(start, start + timedelta(days=60)),
        skills=(COMMUNICATION, TEAMWORK), employer_id=site.demo.ids["employer"])))
    site.settle()
    return str(written.id)


def test_the_employer_attests_work_and_the_learner_reads_it(page: Page, other_page: Page, site: Site) -> None:
    claim(site, "Community Health Placement")
    site.sign_in(page, employer(site))
    page.get_by_role("link", name="Work to attest").click()
    card = page.locator("article.claim").filter(has_text="Community Health Placement")
    expect(card).to_contain_text("Sam O'Brien")
    assert_accessible(page)
    screenshot(page, "employer-attestation")
    card.get_by_label("Work in teams").uncheck()
    card.get_by_label("Statement (optional)").fill("Sam ran our community health sessions.")
    card.get_by_role("button", name="Attest this work experience").click()
    expect(page.get_by_role("status")).to_contain_text("Attested")
    expect(page.locator("article.claim").filter(has_text="Community Health Placement")).to_have_count(0)
    assert_accessible(page)

    site.sign_in(other_page, Actor.learner(site.demo.ids["sam"]))
    work = other_page.locator("li, article").filter(has_text="Community Health Placement").last
    expect(work).to_contain_text("attested")
    expect(other_page.locator("main")).to_contain_text("Work experience attested: Sam ran our community health")


def test_the_employer_disputes_work_with_a_reason(page: Page, site: Site) -> None:
    claim(site, "Weekend Cook")
    site.sign_in(page, employer(site))
    page.goto("/employer/work-experience")
    card = page.locator("article.claim").filter(has_text="Weekend Cook")
    card.get_by_text("This is not right: dispute it").click()
    card.get_by_label("Reason (shown to the learner)").fill("We have no kitchen.")
    card.get_by_role("button", name="Dispute this work experience").click()
    expect(page.get_by_role("status")).to_contain_text("Disputed")
    expect(page.locator("article.claim").filter(has_text="Weekend Cook")).to_have_count(0)


def test_another_employer_does_not_see_the_claim(page: Page, site: Site) -> None:
    claim(site, "Only For Harbour City")
    other = site.services.ledger.execute(Actor.admin(), RegisterEmployer("Another Employer Ltd"))
    site.settle()
    site.sign_in(page, Actor.employer(str(other.id)))
    page.goto("/employer/work-experience")
    expect(page.get_by_role("heading", level=1)).to_have_text("Work experience to attest")
    expect(page.locator("main")).not_to_contain_text("Only For Harbour City")


def test_hostile_text_in_a_claim_is_shown_as_text(page: Page, site: Site) -> None:
    claim(site, IN_ONE_LINE)
    site.sign_in(page, employer(site))
    page.goto("/employer/work-experience")
    heading = page.locator("article.claim h3").filter(has_text="window.__pwned").first
    assert heading.text_content() == f"{SHOWN} (placement)"
    assert not page.evaluate(PWNED)
    assert page.locator("main script, main img").count() == 0


def test_the_attestation_page_fits_a_phone(page: Page, site: Site) -> None:
    claim(site, "Phone Width Placement")
    site.sign_in(page, employer(site))
    page.set_viewport_size(PHONE)
    page.goto("/employer/work-experience")
    expect(page.locator("article.claim").first).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert_accessible(page)
