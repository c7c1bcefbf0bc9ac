"""The learner's pages, signed in with a session cookie: they show the same views as the API, only their own."""
import html
from urllib.parse import parse_qs, urlparse
from uuid import UUID

from tests.api.story import Story
from tests.pages.conftest import Site, signed_in_browser, text_of

Told = tuple[Site, Story]


def test_home_shows_the_timeline_with_who_recorded_each_fact(told_site: Told) -> None:
    site, story = told_site
    page = signed_in_browser(site, story, "aroha").get("/me")
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Credential revoked: Issued in error" in text
    assert "recorded by Te Whare Wānanga o Aotearoa University" in text
    assert "Communications Intern" in text and "attested" in text  # work experience with its attestation


def test_rpl_cases_show_their_decision(told_site: Told) -> None:
    site, story = told_site
    text = text_of(signed_in_browser(site, story, "sam").get("/me").text)
    assert "Recognition of prior learning" in text
    assert "granted" in text.lower()


def test_credentials_show_standing_reason_downloads_and_linkedin(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    page = html.unescape(browser.get("/me/credentials").text)
    text = text_of(page)
    assert "revoked" in text and "Issued in error" in text and "active" in text
    revoked, kept = story.ids["aroha_self_management"], story.ids["aroha_communication"]
    assert f"/me/credentials/{kept}.json" in page
    linkedin = next(part for part in page.split('"') if part.startswith("https://www.linkedin.com/profile/add?"))
    fields = parse_qs(urlparse(linkedin).query)
    assert fields["startTask"] == ["CERTIFICATION_NAME"] and fields["certId"] == [kept]
    assert fields["organizationName"] == ["Te Whare Wānanga o Aotearoa University"]
    download = browser.get(f"/me/credentials/{kept}.json")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    document = download.json()
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    assert "OpenBadgeCredential" in document["type"] and proofs[0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert browser.get(f"/me/credentials/{revoked}.json").status_code == 200  # still hers, still downloadable


def test_the_signed_clr_downloads_and_the_transcript_prints(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    clr = browser.get("/me/clr.json")
    assert clr.status_code == 200 and "ClrCredential" in clr.json()["type"] and clr.json()["proof"]
    transcript = text_of(browser.get("/me/transcript").text)
    assert "Written and Oral Communication Micro-credential" in transcript and "Skills" in transcript


def test_skills_show_provenance_and_currency(told_site: Told) -> None:
    site, story = told_site
    text = text_of(signed_in_browser(site, story, "aroha").get("/me/skills").text)
    assert "Written and Oral Communication" in text and "verified" in text and "self-asserted" in text
    assert "Currency" in text and "%" in text


def test_pathways_count_credits_and_say_what_is_missing(told_site: Told) -> None:
    site, story = told_site
    text = text_of(signed_in_browser(site, story, "aroha").get("/me/pathways").text)
    assert "Bachelor of Business" in text and "still missing" in text and "credits counted" in text


def test_as_of_shows_the_record_as_it_stood(told_site: Told) -> None:
    site, story = told_site
    browser = signed_in_browser(site, story, "aroha")
    revoked_at = next(entry.position for entry in site.read_side.record(UUID(story.ids["aroha"]), limit=100)
                      if entry.fact == "Credential.Revoked")
    today = text_of(browser.get("/me").text)
    then = text_of(browser.get("/me", params={"as_of": str(revoked_at - 1)}).text)
    assert "Credential revoked" in today and "Credential revoked" not in then
    assert f"as it stood on {revoked_at - 1}" in then and "Communications Intern" in then
    before = browser.get("/me/skills", params={"as_of": "1999-01-01"})
    assert before.status_code == 404 and "did not exist yet" in before.text
    bad = browser.get("/me", params={"as_of": "yesterday"})
    assert bad.status_code == 422 and "as_of is a log position" in text_of(bad.text)


def test_one_learners_session_never_shows_anothers_data(told_site: Told) -> None:
    site, story = told_site
    sam = signed_in_browser(site, story, "sam")
    for path in ("/me", "/me/credentials", "/me/skills", "/me/pathways", "/me/transcript"):
        text = text_of(sam.get(path).text)
        assert "Communications Intern" not in text and "Written and Oral Communication" not in text, path
    theirs = sam.get(f"/me/credentials/{story.ids['aroha_communication']}.json")
    assert theirs.status_code == 404 and "no credential with this id" in theirs.text


def test_learner_pages_need_a_learner_session(told_site: Told) -> None:
    site, _ = told_site
    assert site.browser().get("/me/credentials").status_code == 401
