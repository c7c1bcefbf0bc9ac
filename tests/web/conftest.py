"""Browser tests: the real application served by uvicorn on a free port (SQLite in a temporary folder, the demo story
loaded), driven by Playwright through Debian's Chromium. axe-core (tests/web/js, `npm ci` by `make test`) is injected
into pages to check accessibility. Outside CI a missing Chromium or axe skips with the reason; under CI=true, fails."""

import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
import structlog
import uvicorn
from playwright.sync_api import Browser, Page

from application.commands import GrantShare, RevokeShare
from domain.values import Actor
from ops.demo import COMMUNICATION, TEAMWORK, DemoIds, load_demo
from projections.read_side import ReadSide
from tests.web.browser import AXE_SCRIPT, CHROMIUM, launch
from web.site import create_site
from wiring.read_side import open_read_side
from wiring.services import Services, build_services
from wiring.settings import load_settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ADMIN_TOKEN = "web-test-admin-token-0123456789abcdef"


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} (CI=true: browser tests must run, not skip)")
    pytest.skip(f"{what}; `make test` installs it")


@dataclass
class Site:
    """The running application and the handles a test needs to arrange facts (through the Ledger, as a provider or
    learner would) before driving the browser."""

    base_url: str
    services: Services
    read_side: ReadSide
    demo: DemoIds

    def url(self, path: str) -> str:
        return self.base_url + path

    def settle(self) -> None:
        """Wait until the views reflect every write so far (pages read the views)."""
        assert self.read_side.wait_for(self.services.ledger.position(), timeout=30), "views did not catch up"

    def new_share(self, purpose: str = "Application for Communications Advisor",
                  lasts: timedelta = timedelta(days=30)) -> str:
        """A fresh share of the demo learner's communication credential and skills with the demo employer: its
        link path. Tests that revoke a share use their own, so the demo share stays live for the others."""
        aroha = self.demo.ids["aroha"]
        granted = self.services.ledger.execute(Actor.learner(aroha), GrantShare(
            aroha, employer_id=self.demo.ids["employer"], credential_ids=(self.demo.ids["aroha_communication"],),
            skill_urls=(COMMUNICATION.url, TEAMWORK.url), purpose=purpose, expires_at=datetime.now(UTC) + lasts))
        self.settle()
        return f"/v1/shared/{granted.token}"

    def revoke_share(self, link: str) -> None:
        aroha = self.demo.ids["aroha"]
        self.services.ledger.execute(Actor.learner(aroha), RevokeShare(aroha, self.share_id(link)))
        self.settle()

    def sign_in(self, page: Page, principal: Actor) -> None:
        """Sign in as the principal with a one-time link, as a person handed one would."""
        link = self.services.sign_ins.create_link(Actor.admin(), principal)
        page.goto(f"/sign-in/link/{link.token}")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()

    def share_id(self, link: str) -> UUID:
        found = self.read_side.share_by_token(link.rsplit("/", 1)[-1])
        assert found is not None, "no share behind the link"
        return found.share_id


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    sock = _bound_socket()
    base_url = f"http://localhost:{sock.getsockname()[1]}"  # a secure context: Secure cookies are kept
    settings = load_settings({"LER_DATA_DIR": str(tmp_path_factory.mktemp("site") / "data"),
                              "LER_PAGES_ORIGIN": base_url})  # the passkeys' relying party
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=True)
    demo = load_demo(services.ledger)
    server = uvicorn.Server(uvicorn.Config(create_site(services, read_side, ADMIN_TOKEN), log_config=None,
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    running = Site(base_url, services, read_side, demo)
    try:
        _wait_until_started(server)
        running.settle()
        yield running
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        read_side.close()
        services.close()


def _wait_until_started(server: uvicorn.Server, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        _missing(f"Chromium is not installed at {CHROMIUM}")
    if not AXE_SCRIPT.exists():
        _missing(f"axe-core is not installed at {AXE_SCRIPT}")
    with launch() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """A page in its own browser context (own cookies), 1280 px wide."""
    context = browser.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def other_page(browser: Browser, site: Site) -> Iterator[Page]:
    """A second person's browser: a separate context, so nothing is shared with `page`."""
    context = browser.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()
