"""Given Aroha signed in to the pages with a session and holding an unused sign-in link, when she is erased, then the
session ends, the link no longer signs her in, and her passkeys are gone."""

from domain.values import Actor
from tests.api.conftest import ADMIN_TOKEN
from tests.api.story import bearer, tell
from tests.pages.conftest import Site, make_link, sign_in_with
from web.sessions import SESSION_COOKIE


def test_erasure_ends_her_sessions_and_links(site: Site) -> None:
    story = tell(site.client, ADMIN_TOKEN)
    aroha = story.ids["aroha"]
    browser = site.browser()
    sign_in_with(browser, make_link(site.client, ADMIN_TOKEN, "learner", aroha))
    assert browser.get("/me/account").status_code == 200
    unused = make_link(site.client, ADMIN_TOKEN, "learner", aroha)
    site.services.sign_ins.add_passkey(Actor.learner(aroha), "credential-1", "public-key", 0, "Laptop")
    sam = site.browser()
    sign_in_with(sam, make_link(site.client, ADMIN_TOKEN, "learner", story.ids["sam"]))

    erased = site.client.post(f"/v1/learners/{aroha}/erasure", headers=bearer(ADMIN_TOKEN),
                              json={"reason": "asked to be forgotten"})
    assert erased.status_code == 200, erased.text

    assert browser.get("/me/account").status_code == 401, "her session ended on the server"
    assert SESSION_COOKIE not in sign_in_with(site.browser(), unused).cookies, "her link signs no one in"
    assert site.services.sign_ins.passkeys_of(Actor.learner(aroha)) == [], "her passkeys are gone"
    assert sam.get("/me/account").status_code == 200, "another learner's session goes on"
