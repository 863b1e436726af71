"""The pages under their Content-Security-Policy in headless Chromium (as in test_page.py).

The playlist page makes a playlist, the dashboard polls, Swagger UI (``/docs``) renders the
operations and tries one out, ReDoc (``/redoc``) renders and searches them, all from the
service's own files, and the browser refuses nothing they do (but ReDoc's external logo).
Every refusal is recorded twice: by a ``securitypolicyviolation`` listener added before any
page script runs, and from the console ("... violates the following Content Security Policy
directive ..."). A script injected inline first shows the policy is in force.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from test_page import ARTIFACTS, browser_context, dashboard_polled
from test_service_harness import RunningService

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
      `at ${event.sourceFile}:${event.lineNumber}`,
  );
});
"""
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
"""ReDoc's "API docs by Redocly" link loads its logo from Redocly's CDN; the policy refuses it
(no third party learns of a visit) and ReDoc then shows the link without it."""
INJECT_INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.head.appendChild(script);
  return window.injected === true;
}"""


@dataclass
class Browser:
    """A Chromium tab and what it refused or logged as an error."""

    page: Any
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def violations(self) -> list[str]:
        """What the page's listener and the console recorded since the last navigation."""
        recorded: list[str] = await self.page.evaluate("window.cspViolations || []")
        logged = [text for text in self.console if "Content Security Policy" in text]
        return recorded + logged

    async def open(self, url: str) -> None:
        self.console.clear()
        response = await self.page.goto(url)
        assert response is not None
        assert response.status == 200, url
        policy = await response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy, f"{url} has no strict policy: {policy!r}"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with browser_context() as context:
        await context.add_init_script(RECORD_VIOLATIONS)
        page = await context.new_page()
        page.set_default_timeout(60_000)
        tab = Browser(page)
        page.on("console", lambda msg: tab.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        yield tab
    assert not tab.errors, f"JavaScript errors: {tab.errors}"


async def test_the_pages_run_under_a_strict_policy(
    browser: Browser, running: RunningService
) -> None:
    page = browser.page
    await browser.open(running.url + "/")
    assert not await page.evaluate(INJECT_INLINE_SCRIPT), "an inline script ran"
    refused = await browser.violations()
    assert any("script-src" in v for v in refused), f"the refusal was not seen: {refused}"

    await browser.open(running.url + "/")
    await page.fill("#prompt", "rainy Sunday, mellow acoustic, nothing sad")
    await page.fill("#size", "8")
    await page.click("#submit")
    await page.wait_for_selector("#result:not([hidden])")
    assert await page.is_hidden("#error-card")
    assert await page.locator("#tracks li.track").count() == 8
    assert await page.locator("#chart svg rect.bar-achieved[data-feature]").count() >= 3
    width = await page.evaluate("document.getElementById('progress-bar').style.width")
    assert width == "100%", "the progress bar was not drawn"
    assert await browser.violations() == []

    await browser.open(running.url + "/dashboard")
    await dashboard_polled(page, 2)
    assert (await page.inner_text("#m-upstream")).isdigit()
    assert await browser.violations() == []

    await browser.open(running.url + "/docs")
    operation = page.locator(".opblock-summary-path", has_text="/v1/playlists").first
    await operation.wait_for()
    health = page.locator(".opblock").filter(has=page.locator('[data-path="/healthz"]'))
    await health.locator(".opblock-summary").click()
    await health.locator(".try-out__btn").click()
    await health.locator(".execute").click()
    status = health.locator(".live-responses-table tr.response .response-col_status").first
    await status.wait_for()
    assert (await status.inner_text()).strip() == "200"
    await operation.click()
    await page.screenshot(path=str(ARTIFACTS / "docs.png"))
    assert await browser.violations() == []

    await browser.open(running.url + "/redoc")
    await page.get_by_text("/v1/playlists").first.wait_for()
    await page.get_by_placeholder("Search...").fill("playlist")
    await page.locator("[role=search] li").first.wait_for()  # its search worker runs
    await page.screenshot(path=str(ARTIFACTS / "redoc.png"))
    refused = await browser.violations()
    assert [v for v in refused if REDOCLY_LOGO not in v] == []
