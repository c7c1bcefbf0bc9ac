"""The pages' foundation: landing page, landmarks, stylesheet, strict CSP, error pages in words."""

from tests.pages.conftest import Site


def test_landing_page_has_language_landmarks_and_skip_link(site: Site) -> None:
    answer = site.client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert '<html lang="en">' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and '<nav aria-label="Main">' in page
    assert 'href="/sign-in"' in page


def test_every_page_carries_a_strict_content_security_policy(site: Site) -> None:
    policy = site.client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert site.client.get("/").headers["referrer-policy"] == "no-referrer"
    assert "content-security-policy" in site.client.get("/healthz").headers


def test_pages_have_no_inline_script_or_style(site: Site) -> None:
    page = site.client.get("/").text
    assert "<style" not in page and "style=" not in page
    assert "<script>" not in page and "onclick" not in page


def test_stylesheet_is_served_with_a_phone_width_and_a_print_rule(site: Site) -> None:
    answer = site.client.get("/static/site.css")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
    assert "@media print" in answer.text and "@media (max-width: 30rem)" in answer.text


def test_api_keeps_answering_json_beside_the_pages(site: Site) -> None:
    assert site.client.get("/healthz").json()
    missing = site.client.get("/v1/no-such-thing")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_docs_keep_their_own_policy(site: Site) -> None:
    assert "content-security-policy" not in site.client.get("/docs").headers


def test_a_browser_asking_for_an_unknown_page_gets_a_page_saying_so(site: Site) -> None:
    answer = site.client.get("/no/such/page", headers={"Accept": "text/html"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "There is no page at this address" in answer.text and "Nothing was changed" in answer.text
