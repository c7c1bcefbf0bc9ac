"""`make run` (ler serve --demo) prints a one-time sign-in link for each demo person, and each signs that person in."""

import pytest

from ops.cli import demo_settings, demo_sign_in_links
from ops.demo import load_demo
from tests.pages.conftest import Site, sign_in_with


def test_each_demo_person_gets_a_link_that_signs_them_in(site: Site) -> None:
    demo = load_demo(site.services.ledger)
    links = demo_sign_in_links(site.services, demo, "http://127.0.0.1:8000")
    assert sorted(links) == ["aroha", "employer", "sam"]
    assert all(url.startswith("http://localhost:8000/sign-in/link/") for url in links.values())
    for name in ("aroha", "sam"):
        answer = sign_in_with(site.browser(), links[name][len("http://localhost:8000"):])
        assert answer.status_code == 303 and answer.headers["location"] == "/me", name
    employer = sign_in_with(site.browser(), links["employer"][len("http://localhost:8000"):])
    assert employer.status_code == 303 and employer.headers["location"] == "/employer"


def test_the_demo_pages_are_where_it_is_served_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LER_PAGES_ORIGIN", raising=False)
    assert demo_settings("127.0.0.1", 8123).pages_origin == "http://localhost:8123"  # share links, passkeys
    monkeypatch.setenv("LER_PAGES_ORIGIN", "https://ledger.example.org")
    assert demo_settings("127.0.0.1", 8123).pages_origin == "https://ledger.example.org"
