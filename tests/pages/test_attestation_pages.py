"""The employer answers work experience from its page: the claims naming it are listed (and no one else's), attested
with some of the stated skills or disputed with a reason; the learner's record then shows the answer."""

import re
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from projections.work_claims import awaiting_attestation
from tests.api.conftest import ADMIN_TOKEN
from tests.api.story import COMMUNICATION, TEAMWORK, Story, tell
from tests.pages.conftest import Site, csrf_of, make_link, open_site, sign_in_with, signed_in_browser, text_of
from tests.pages.test_escaping import RAW_CONTROL
from tests.web.hostile import IN_ONE_LINE, SHOWN
from wiring.settings import Settings

Told = tuple[Site, Story]
FORM_KEY = re.compile(r'name="form_key" value="([A-Za-z0-9_-]+)"')
PAGE = "/employer/work-experience"


def state_work(site: Site, story: Story, role: str, employer: str = "employer", learner: str = "sam") -> str:
    start = date.today() - timedelta(days=400)
    written = story.write(learner, f"/v1/learners/{story.ids[learner]}/work-experience", {
        "kind": "placement", "employer_name": "Harbour City Council", "role": role, "start": str(start),
        "end": str(start + timedelta(days=90)), "skills": [COMMUNICATION, TEAMWORK],
        "employer_id": story.ids[employer]}, expect=201)
    assert site.read_side.wait_for(written["position"], timeout=10)
    return str(written["id"])


def employer_browser(site: Site, story: Story, employer: str = "employer") -> Any:
    browser = site.browser()
    link = make_link(site.client, ADMIN_TOKEN, "employer", story.ids[employer])
    assert sign_in_with(browser, link).status_code == 303
    return browser


def claim_form(page: str, experience_id: str, kind: str) -> dict[str, str]:
    action = f'action="{PAGE}/{experience_id}/{kind}"'
    form = page[page.index(action):]
    return {"csrf_token": csrf_of(page), "form_key": FORM_KEY.search(form).group(1)}


def second_employer(site: Site, story: Story) -> None:
    if "other_employer" not in story.ids:
        story.remember("other_employer", story.write("admin", "/v1/employers", {"name": "Other Firm Ltd"}))
        assert site.read_side.wait_for(story.position, timeout=10)


def test_the_employer_attests_some_skills_and_the_learner_sees_it(told_site: Told) -> None:
    site, story = told_site
    experience = state_work(site, story, "Community Health Placement")
    before = text_of(signed_in_browser(site, story, "sam").get("/me").text)
    assert "Community Health Placement Harbour City Council · placement" in before
    assert "awaiting attestation" in before and "recorded by you" in before
    assert "Given a token for the ledger's API" in before  # a fact the views fold into nothing, said in words
    browser = employer_browser(site, story)
    home = text_of(browser.get("/employer").text)
    assert "Work experience that names you awaits your answer: attest or dispute it" in home
    page = browser.get(PAGE).text
    assert "Community Health Placement" in page and "Sam O&#39;Brien" in page
    answer = browser.post(f"{PAGE}/{experience}/attestation", follow_redirects=True, data={
        **claim_form(page, experience, "attestation"), "confirmed_skill": [COMMUNICATION["url"]],
        "statement": "Sam ran our community health sessions."})
    assert answer.status_code == 200 and "Attested." in answer.text
    assert "Community Health Placement" not in answer.text  # answered: no longer waiting
    record = text_of(signed_in_browser(site, story, "sam").get("/me").text)
    assert "attested by Harbour City Council on" in record and "awaiting attestation" not in record
    assert "Work experience attested: Sam ran our community health sessions." in record


def test_the_employer_disputes_with_a_reason_the_learner_reads(told_site: Told) -> None:
    site, story = told_site
    experience = state_work(site, story, "Night Shift Supervisor")
    browser = employer_browser(site, story)
    page = browser.get(PAGE).text
    answer = browser.post(f"{PAGE}/{experience}/dispute", follow_redirects=True, data={
        **claim_form(page, experience, "dispute"), "reason": "No such role at our council."})
    assert answer.status_code == 200 and "Disputed." in answer.text
    record = text_of(signed_in_browser(site, story, "sam").get("/me").text)
    assert "disputed" in record and "Work experience disputed: No such role at our council." in record


def test_a_blank_reason_is_refused_and_records_nothing(told_site: Told) -> None:
    site, story = told_site
    experience = state_work(site, story, "Blank Reason Placement")
    browser = employer_browser(site, story)
    page = browser.get(PAGE).text
    before = site.services.ledger.position()
    answer = browser.post(f"{PAGE}/{experience}/dispute", data={**claim_form(page, experience, "dispute"),
                                                                "reason": "   "})
    assert answer.status_code == 422 and "<html" in answer.text
    assert site.services.ledger.position() == before


def test_a_post_without_its_csrf_token_is_refused(told_site: Told) -> None:
    site, story = told_site
    experience = state_work(site, story, "Forged Placement")
    browser = employer_browser(site, story)
    page = browser.get(PAGE).text
    before = site.services.ledger.position()
    form = {**claim_form(page, experience, "attestation"), "statement": "forged"}
    del form["csrf_token"]
    assert browser.post(f"{PAGE}/{experience}/attestation", data=form).status_code == 403
    assert site.services.ledger.position() == before
    assert "Forged Placement" in browser.get(PAGE).text


def test_another_employer_neither_sees_nor_attests_it(told_site: Told) -> None:
    site, story = told_site
    second_employer(site, story)
    experience = state_work(site, story, "Not Yours Placement")
    other = employer_browser(site, story, "other_employer")
    page = other.get(PAGE)
    assert page.status_code == 200 and "Not Yours Placement" not in page.text
    before = site.services.ledger.position()
    answer = other.post(f"{PAGE}/{experience}/attestation", data={
        "csrf_token": csrf_of(page.text), "form_key": "k" * 20, "statement": "hijack"})
    assert answer.status_code == 403 and "<html" in answer.text
    assert site.services.ledger.position() == before
    assert "Not Yours Placement" in employer_browser(site, story).get(PAGE).text  # still awaiting its employer


def test_learners_cannot_open_the_page(told_site: Told) -> None:
    site, story = told_site
    assert signed_in_browser(site, story, "sam").get(PAGE).status_code == 403
    assert site.browser().get(PAGE).status_code == 401


def test_hostile_words_in_a_claim_are_shown_as_text(told_site: Told) -> None:
    site, story = told_site
    state_work(site, story, IN_ONE_LINE[:300])
    page = employer_browser(site, story).get(PAGE).text
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert not RAW_CONTROL.search(page) and SHOWN.count("\ufffd") <= page.count("\ufffd")


def test_the_claims_awaiting_an_employer_on_both_databases(any_settings: Settings) -> None:
    site = open_site(any_settings)
    try:
        story = tell(site.client, ADMIN_TOKEN)
        second_employer(site, story)
        mine = state_work(site, story, "Mine, waiting")
        state_work(site, story, "Someone else's", employer="other_employer")
        answered = state_work(site, story, "Mine, answered", learner="aroha")
        story.write("employer", f"/v1/work-experience/{answered}/dispute", {"reason": "Never worked here."})
        assert site.read_side.wait_for(story.position, timeout=10)
        claims = awaiting_attestation(site.read_side.views, site.read_side.personal, UUID(story.ids["employer"]))
        found = [(str(c.experience_id), c.role, c.learner_name) for c in claims]
        assert found == [(mine, "Mine, waiting", "Sam O'Brien")]
        assert [s.url for s in claims[0].skills] == [COMMUNICATION["url"], TEAMWORK["url"]]
        later = state_work(site, story, "Mine, stated later")
        assert site.read_side.wait_for(story.position, timeout=10)
        employer = UUID(story.ids["employer"])
        every = awaiting_attestation(site.read_side.views, site.read_side.personal, employer)
        assert [str(c.experience_id) for c in every] == [mine, later]
        first = awaiting_attestation(site.read_side.views, site.read_side.personal, employer, limit=1)
        assert [str(c.experience_id) for c in first] == [mine]
    finally:
        site.close()
