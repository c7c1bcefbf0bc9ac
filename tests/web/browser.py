"""Driving Debian's Chromium with Playwright, and the checks every page gets: axe-core (no serious or critical
violation), no horizontal scroll at a phone's width, screenshots for the README."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_SCRIPT = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


@contextmanager
def launch() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Evaluated through the DevTools protocol, so the page's Content-Security-Policy (no inline script) stays on."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return violations


def assert_accessible(page: Page) -> None:
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found serious or critical violations on {page.url}: {blocking}"


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    overflow: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return overflow


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
