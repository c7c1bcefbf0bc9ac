"""`make run` (ler serve --demo) prints a one-time sign-in link for each demo person, and each signs that person in."""

from ops.cli import demo_sign_in_links
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
