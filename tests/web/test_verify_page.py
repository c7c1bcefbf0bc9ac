"""The verify page: anyone pastes or uploads an OB 3.0 or CLR 2.0 credential and reads each check's result."""

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.browser import PHONE, assert_accessible, horizontal_overflow, screenshot
from tests.web.conftest import Site
from tests.web.hostile import IN_ONE_LINE, PWNED, SHOWN


def signed(site: Site, name: str) -> str:
    issued = site.read_side.credential(site.demo.ids[name])
    assert issued is not None
    return json.dumps(issued["document"])


def paste_and_verify(page: Page, text: str) -> None:
    page.goto("/verify")
    page.get_by_label("or paste the credential's JSON").fill(text)
    page.get_by_role("button", name="Verify").click()


def test_someone_verifies_a_revoked_credential_and_sees_why_it_fails(page: Page, site: Site) -> None:
    page.goto("/verify")
    assert_accessible(page)
    screenshot(page, "verify-form")
    paste_and_verify(page, signed(site, "aroha_self_management"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verification result")
    expect(page.get_by_role("heading", level=2)).to_have_text("Self-Management Micro-credential")
    verdict = page.locator(".notice-error")
    expect(verdict).to_contain_text("Not verified")
    expect(verdict).to_contain_text("Status: the credential is revoked")
    status = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Status", exact=True))
    expect(status).to_contain_text("Failed")
    signature = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Signature"))
    expect(signature).to_contain_text("Passed")
    assert_accessible(page)
    screenshot(page, "verify-revoked")


def test_an_uploaded_transcript_is_checked_with_every_credential_inside(page: Page, site: Site,
                                                                         tmp_path: Path) -> None:
    transcript = tmp_path / "clr.json"
    transcript.write_text(json.dumps(site.read_side.clr(site.demo.ids["aroha"])), encoding="utf-8")
    page.goto("/verify")
    page.get_by_label("Choose a credential file (JSON)").set_input_files(transcript)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".notice-ok").first).to_contain_text("Verified")
    expect(page.locator(".notice-error")).to_have_count(0)
    expect(page.get_by_role("heading", name="Credentials inside this transcript")).to_be_visible()
    nested = page.locator(".verification .verification")
    expect(nested).to_have_count(1)
    expect(nested.get_by_role("heading", level=3)).to_have_text("Written and Oral Communication Micro-credential")
    assert_accessible(page)
    screenshot(page, "verify-transcript")


def test_a_tampered_credential_fails_its_signature(page: Page, site: Site) -> None:
    document = json.loads(signed(site, "aroha_communication"))
    document["credentialSubject"]["achievement"]["name"] = "Doctor of Everything"
    paste_and_verify(page, json.dumps(document))
    signature = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Signature"))
    expect(signature).to_contain_text("Failed")
    expect(page.locator(".notice-error")).to_contain_text("Not verified")


def test_what_is_not_a_credential_is_explained_on_the_form(page: Page) -> None:
    paste_and_verify(page, "{not json")
    expect(page.get_by_role("alert")).to_contain_text("That is not JSON")
    expect(page.get_by_label("or paste the credential's JSON")).to_have_value("{not json")
    paste_and_verify(page, json.dumps({"type": ["Hello"]}))
    expect(page.get_by_role("alert")).to_contain_text("not a Verifiable Credential")
    page.goto("/verify")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("Paste a credential or choose a file")
    assert_accessible(page)


def test_hostile_text_in_a_presented_credential_is_shown_as_text(page: Page) -> None:
    paste_and_verify(page, json.dumps({"type": ["VerifiableCredential"], "name": IN_ONE_LINE,
                                       "issuer": {"id": IN_ONE_LINE, "name": IN_ONE_LINE}}))
    expect(page.get_by_role("heading", level=2)).to_have_text(SHOWN)
    assert not page.evaluate(PWNED), "markup in the credential ran"
    assert page.locator("main script, main img").count() == 0
    expect(page.locator(".notice-error")).to_contain_text("Not verified")


def test_the_verify_page_fits_a_phone(page: Page, site: Site) -> None:
    page.set_viewport_size(PHONE)
    paste_and_verify(page, signed(site, "aroha_self_management"))
    assert horizontal_overflow(page) <= 0
    assert_accessible(page)
