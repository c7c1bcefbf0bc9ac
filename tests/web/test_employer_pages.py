"""The employer signed in: the skill query as a form with results, and work experience awaiting its attestation,
attested from the page (a form without its CSRF token is refused and changes nothing)."""

from datetime import timedelta

from playwright.sync_api import Page, expect

from application.commands import StateWorkExperience
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


def asked(page: Page, skill: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("group", name="Skills the candidate must hold").get_by_label(skill)


def test_an_employer_runs_a_skill_query(page: Page, site: Site) -> None:
    site.sign_in(page, employer(site))
    expect(page).to_have_url(site.url("/employer"))
    asked(page, "Written and Oral Communication").check()
    page.get_by_label("At least level").select_option("3")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 candidate found")).to_be_visible()
    row = page.locator("article.candidate").get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Written and Oral Communication"))
    expect(row).to_contain_text("4")
    expect(row).to_contain_text("verified")
    expect(page.locator("article.candidate")).to_contain_text("Application for Communications Advisor")
    assert_accessible(page)
    screenshot(page, "employer-skill-query")


def test_a_skill_not_shared_finds_no_one(page: Page, site: Site) -> None:
    site.sign_in(page, employer(site))
    asked(page, "Self-Management").check()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="0 candidates found")).to_be_visible()


def test_the_employer_attests_work_experience_from_the_page(page: Page, site: Site) -> None:
    experience = claim(site, "Community Health Placement")
    site.sign_in(page, employer(site))
    card = page.locator("article.claim").filter(has_text="Community Health Placement")
    expect(card).to_be_visible()
    assert_accessible(page)
    screenshot(page, "employer-attestation")
    card.get_by_label("Work in teams").uncheck()
    card.get_by_label("Statement (optional)").fill("Sam ran our community health sessions.")
    card.get_by_role("button", name="Attest this work experience").click()
    expect(page.get_by_role("status")).to_contain_text("Attested")
    expect(page.locator("article.claim").filter(has_text="Community Health Placement")).to_have_count(0)
    site.settle()
    assert experience not in {str(c.experience_id) for c in
                              site.read_side.work_awaiting_attestation(site.demo.ids["employer"])}


def test_an_attestation_without_its_csrf_token_is_refused(page: Page, site: Site) -> None:
    experience = claim(site, "Forged Placement")
    site.sign_in(page, employer(site))
    position = site.services.ledger.position()
    answer = page.request.post(f"/employer/work-experience/{experience}/attestation",
                               form={"form_key": "0123456789abcdef", "statement": "forged"})
    assert answer.status == 403
    assert site.services.ledger.position() == position, "nothing was recorded"
    page.reload()
    expect(page.locator("article.claim").filter(has_text="Forged Placement")).to_have_count(1)


def test_a_learner_cannot_open_the_employer_page(page: Page, site: Site) -> None:
    site.sign_in(page, Actor.learner(site.demo.ids["aroha"]))
    response = page.goto("/employer")
    assert response is not None and response.status == 403


def test_hostile_text_in_stated_work_is_shown_as_text(page: Page, site: Site) -> None:
    claim(site, IN_ONE_LINE)
    site.sign_in(page, employer(site))
    heading = page.locator("article.claim h3").filter(has_text="window.__pwned").first
    assert heading.text_content() == f"{SHOWN} (placement)"
    assert not page.evaluate(PWNED)
    assert page.locator("main script, main img").count() == 0


def test_the_employer_page_fits_a_phone(page: Page, site: Site) -> None:
    site.sign_in(page, employer(site))
    page.set_viewport_size(PHONE)
    asked(page, "Written and Oral Communication").check()
    page.get_by_role("button", name="Search").click()
    assert horizontal_overflow(page) <= 0
    assert_accessible(page)
