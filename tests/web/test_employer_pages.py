"""The employer signed in: the skill query as a form with its candidates; a learner cannot open it."""


from playwright.sync_api import Page, expect

from domain.values import Actor
from tests.web.browser import assert_accessible, screenshot
from tests.web.conftest import Site


def employer(site: Site) -> Actor:
    return Actor.employer(site.demo.ids["employer"])


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


def test_a_learner_cannot_open_the_employer_page(page: Page, site: Site) -> None:
    site.sign_in(page, Actor.learner(site.demo.ids["aroha"]))
    response = page.goto("/employer")
    assert response is not None and response.status == 403
