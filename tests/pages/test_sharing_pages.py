"""Sharing from the pages: create a share, see its link once with a QR code, list it with its openings, revoke."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tests.api.conftest import ADMIN_TOKEN
from tests.api.story import COMMUNICATION, Story
from tests.pages.conftest import Site, csrf_of, make_link, sign_in_with, signed_in_browser, text_of

Told = tuple[Site, Story]
FORM_KEY = re.compile(r'name="form_key" value="([A-Za-z0-9_-]+)"')


def share_form(site: Site, story: Story, browser: Any, **fields: object) -> dict[str, object]:
    page = browser.get("/me/shares").text
    expires = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    return {"csrf_token": csrf_of(page), "form_key": FORM_KEY.search(page).group(1),
            "employer_id": story.ids["employer"], "purpose": "Application for Analyst", "expires_on": expires,
            "credential_ids": [story.ids["aroha_communication"]], "skill_urls": [COMMUNICATION["url"]], **fields}


def test_a_learner_shares_sees_the_link_once_and_the_employer_opens_it(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    made = browser.post("/me/shares", data=share_form(site, story, browser), follow_redirects=False)
    assert made.status_code == 201, made.text
    link = re.search(r'<p class="secret">([^<]+)</p>', made.text).group(1)
    assert "/v1/shared/" in link and 'src="data:image/svg+xml' in made.text

    token = link.rsplit("/", 1)[1]
    assert site.browser().get(f"/v1/shared/{token}").status_code == 200  # the employer opens it
    assert site.read_side.wait_for(site.services.ledger.position(), timeout=10)
    listed = text_of(browser.get("/me/shares").text)
    assert "Application for Analyst" in listed and "link holder (not signed in)" in listed
    assert token not in browser.get("/me/shares").text  # never shown again


def test_resending_the_same_form_makes_one_share(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    form = share_form(site, story, browser, purpose="Sent twice")
    assert browser.post("/me/shares", data=form, follow_redirects=False).status_code == 201
    again = browser.post("/me/shares", data=form, follow_redirects=False)
    assert again.status_code == 303
    assert text_of(browser.get("/me/shares").text).count("Sent twice") == 1


def test_revoking_stops_the_link(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    made = browser.post("/me/shares", data=share_form(site, story, browser, purpose="To revoke"))
    token = re.search(r"/v1/shared/([A-Za-z0-9_-]+)", made.text).group(1)
    share_id = next(s.share_id for s in site.read_side.shares(story_id(story)) if s.purpose == "To revoke")
    page = browser.get("/me/shares").text
    revoked = browser.post(f"/me/shares/{share_id}/revocation", follow_redirects=False,
                           data={"csrf_token": csrf_of(page), "form_key": FORM_KEY.search(page).group(1)})
    assert revoked.status_code == 303
    assert site.browser().get(f"/v1/shared/{token}").status_code == 404


def test_a_share_of_nothing_is_refused_and_records_nothing(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    before = site.services.ledger.position()
    answer = browser.post("/me/shares", data=share_form(site, story, browser, credential_ids=[], skill_urls=[]))
    assert answer.status_code == 422 and "Choose at least one credential or skill" in answer.text
    bad_date = browser.post("/me/shares", data=share_form(site, story, browser, expires_on="soon"))
    assert bad_date.status_code == 422 and "not a date" in bad_date.text
    blank = browser.post("/me/shares", data=share_form(site, story, browser, purpose="   "))
    assert blank.status_code == 422 and "purpose" in blank.text
    past = browser.post("/me/shares", data=share_form(site, story, browser, expires_on="2001-01-01"))
    assert past.status_code in (409, 422) and "Nothing was changed" in past.text
    assert site.services.ledger.position() == before


def test_a_learner_cannot_revoke_anothers_share(told_site: Told) -> None:
    site, story = told_site
    sam = signed_in_browser(site, story, "sam")
    page = sam.get("/me/shares").text
    answer = sam.post(f"/me/shares/{story.ids['share']}/revocation",
                      data={"csrf_token": csrf_of(page), "form_key": FORM_KEY.search(page).group(1)})
    assert answer.status_code in (403, 404)
    assert any(str(s.share_id) == story.ids["share"] and not s.revoked
               for s in site.read_side.shares(story_id(story)))


def story_id(story: Story) -> UUID:
    return UUID(story.ids["aroha"])


def test_an_employer_signed_in_who_opens_a_share_is_named_to_the_learner(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    made = browser.post("/me/shares", data=share_form(site, story, browser, purpose="Opened by name"))
    token = re.search(r"/v1/shared/([A-Za-z0-9_-]+)", made.text).group(1)
    employer = site.browser()
    sign_in_with(employer, make_link(site.client, ADMIN_TOKEN, "employer", story.ids["employer"]))
    assert employer.get(f"/shared/{token}").status_code == 200
    assert site.read_side.wait_for(site.services.ledger.position(), timeout=10)
    shares = text_of(browser.get("/me/shares").text)
    assert "Harbour City Council (signed in)" in shares and "employer:" not in shares
    assert "A share was opened by Harbour City Council" in text_of(browser.get("/me").text)


def test_every_opening_answered_is_already_stored(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    made = browser.post("/me/shares", data=share_form(site, story, browser, purpose="Counted openings"))
    token = re.search(r"/v1/shared/([A-Za-z0-9_-]+)", made.text).group(1)
    employer, seen = site.browser(), text_of(browser.get("/me/shares").text).count("link holder (not signed in)")
    for _ in range(3):
        before = site.services.ledger.position()
        assert employer.get(f"/shared/{token}").status_code == 200
        assert site.services.ledger.position() == before + 1  # stored before the page was given
    assert site.read_side.wait_for(site.services.ledger.position(), timeout=10)
    assert text_of(browser.get("/me/shares").text).count("link holder (not signed in)") == seen + 3
