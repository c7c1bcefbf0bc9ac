"""A credential's public check page (where the learner's LinkedIn entry points): what it is, who issued it and the
server's checks, for anyone, with nothing about its holder."""

import html
from urllib.parse import parse_qs, urlparse
from uuid import uuid4

from tests.api.story import Story
from tests.pages.conftest import Site, signed_in_browser, text_of

Told = tuple[Site, Story]
UNIVERSITY = "Te Whare Wānanga o Aotearoa University"


def test_anyone_sees_an_active_credential_verified_without_its_holder(told_site: Told) -> None:
    site, story = told_site
    page = site.browser().get(f"/credentials/{story.ids['aroha_communication']}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = text_of(page.text)
    assert "Written and Oral Communication Micro-credential" in text and UNIVERSITY in text
    assert "Verified" in text and "Signature Passed" in text and "Status Passed Not revoked or suspended." in text
    assert "Aroha" not in text and "aroha@" not in text and "did:example" not in text


def test_a_revoked_credential_says_so(told_site: Told) -> None:
    site, story = told_site
    text = text_of(site.browser().get(f"/credentials/{story.ids['aroha_self_management']}").text)
    assert "Revoked" in text and "Status Failed Revoked by the issuer." in text
    assert "Verified" not in text


def test_an_unknown_or_malformed_address_is_a_page_not_an_error(told_site: Told) -> None:
    site, _ = told_site
    unknown = site.browser().get(f"/credentials/{uuid4()}", headers={"Accept": "text/html"})
    assert unknown.status_code == 404 and "Credential not found" in unknown.text
    malformed = site.browser().get("/credentials/not-an-id", headers={"Accept": "text/html"})
    assert malformed.status_code == 422 and "<html" in malformed.text


def test_the_linkedin_entry_points_at_the_public_check(told_site: Told) -> None:
    site, story = told_site
    page = html.unescape(signed_in_browser(site, story, "aroha").get("/me/credentials").text)
    kept = story.ids["aroha_communication"]
    linkedin = next(part for part in page.split('"') if part.startswith("https://www.linkedin.com/profile/add?")
                    and kept in part)
    cert_url = parse_qs(urlparse(linkedin).query)["certUrl"][0]
    assert cert_url == f"{site.services.urls.public_url}/credentials/{kept}"
    assert site.browser().get(urlparse(cert_url).path).status_code == 200  # opens for anyone, signed in or not
