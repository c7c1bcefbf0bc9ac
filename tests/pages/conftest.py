"""Page fixtures: the whole site (API and pages) over a real ledger and read side, projections in-process."""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from projections.read_side import ReadSide
from tests.api.conftest import ADMIN_TOKEN
from tests.api.story import Story, tell
from web.site import create_site
from wiring.read_side import open_read_side
from wiring.services import Services, build_services
from wiring.settings import Settings, load_settings

BASE_URL = "https://testserver"  # the public URL is https by default, so cookies are Secure


@dataclass
class Site:
    services: Services
    read_side: ReadSide
    client: TestClient

    def browser(self) -> TestClient:
        """Another browser: its own cookie jar."""
        return TestClient(self.client.app, raise_server_exceptions=False, base_url=BASE_URL)

    def close(self) -> None:
        self.client.close()
        self.read_side.close()
        self.services.close()


def open_site(settings: Settings) -> Site:
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=True)
    client = TestClient(create_site(services, read_side, ADMIN_TOKEN), raise_server_exceptions=False,
                        base_url=BASE_URL)
    return Site(services, read_side, client)


@pytest.fixture
def site(sqlite_settings: Settings) -> Iterator[Site]:
    running = open_site(sqlite_settings)
    yield running
    running.close()


@pytest.fixture(scope="module")
def told_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Story]]:
    """The demo story told once through the API (SQLite), for a module's page tests."""
    running = open_site(load_settings({"LER_DATA_DIR": str(tmp_path_factory.mktemp("site") / "data")}))
    story = tell(running.client, ADMIN_TOKEN)
    assert running.read_side.wait_for(story.position, timeout=30)
    yield running, story
    running.close()


CSRF_FIELD = re.compile(r'(?:name="csrf_token" value|data-csrf)="([0-9a-f]{64})"')


def csrf_of(page: str) -> str:
    found = CSRF_FIELD.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def make_link(client: TestClient, who_token: str, kind: str, principal_id: str, minutes: int = 60) -> str:
    answer = client.post("/v1/sign-in-links", headers={"Authorization": f"Bearer {who_token}"},
                         json={"principal_kind": kind, "principal_id": principal_id, "expires_in_minutes": minutes})
    assert answer.status_code == 201, answer.text
    url: str = answer.json()["url"]
    return url[url.index("/sign-in/link/"):]


def sign_in_with(browser: TestClient, link_path: str) -> Any:
    page = browser.get(link_path)
    assert page.status_code == 200, page.text
    return browser.post("/sign-in/link", data={"token": link_path.rsplit("/", 1)[1], "csrf_token": csrf_of(page.text)},
                        follow_redirects=False)


def signed_in_browser(site: Site, story: Story, learner: str) -> TestClient:
    browser = site.browser()
    answer = sign_in_with(browser, make_link(site.client, ADMIN_TOKEN, "learner", story.ids[learner]))
    assert answer.status_code == 303, answer.text
    return browser


def text_of(page: str) -> str:
    """What a person reads: the page without its tags, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
