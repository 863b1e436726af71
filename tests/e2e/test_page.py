"""The web page and the dashboard in headless Chromium (Debian's ``chromium``, driven by
Playwright over the DevTools protocol; Playwright's own browsers are never downloaded).

Submit a prompt against the simulator, follow the live progress, check the playlist's tracks
and the target-vs-achieved chart, then the dashboard's numbers; screenshots go to
``artifacts/``. Without Chromium the test skips, or fails when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from test_service_harness import FAST_UPSTREAM, RunningService

from moodmix.settings import Settings

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZE = 12
API_KEY = "e2e-page-key"
EXPECTED_CONSOLE = re.compile(r"status of 401")
"""Chromium logs a refused request (the keyed test's first try, on purpose) as an error."""


def chromium_path() -> str:
    """Debian's Chromium, or skip (fail under ``CI``) with what to install."""
    found = os.environ.get("MOODMIX_CHROMIUM") or shutil.which("chromium")
    problem = None
    if not found:
        problem = "Chromium is not installed: apt-get install -y chromium"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            problem = "Playwright is not installed: pip install -e '.[dev]'"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test needs it under CI: {problem}")
        pytest.skip(problem)
    assert found is not None
    return found


async def dashboard_polled(page: Any, times: int) -> None:
    """Return once the dashboard has polled the service ``times`` times.

    Not ``page.wait_for_function``: it polls by evaluating a string inside the page, which the
    page's Content-Security-Policy refuses (no ``'unsafe-eval'``).
    """
    async with asyncio.timeout(60):
        while True:
            if int(await page.get_attribute("body", "data-polls") or 0) >= times:
                return
            await asyncio.sleep(0.05)


@pytest.fixture
async def keyed(simulator: Any, tmp_path: Path) -> AsyncIterator[RunningService]:
    settings = Settings(
        reccobeats_url=simulator.url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'keyed.db'}",
        api_keys=(API_KEY,),  # type: ignore[arg-type]
        **FAST_UPSTREAM,
    )
    service = await RunningService(settings).start()
    yield service
    await service.stop()


@contextlib.asynccontextmanager
async def browser_context() -> AsyncIterator[Any]:
    """A fresh context of Debian's Chromium, headless, 1200 x 900; closed after the block."""
    executable = chromium_path()
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield await browser.new_context(viewport={"width": 1200, "height": 900})
        finally:
            await browser.close()


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    async with browser_context() as context:
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                errors.append(msg.text)
                if msg.type == "error" and not EXPECTED_CONSOLE.search(msg.text)
                else None
            ),
        )
        page.set_default_timeout(60_000)
        yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


async def test_make_a_playlist_then_watch_the_dashboard(page: Any, running: RunningService) -> None:
    await page.goto(running.url + "/")
    assert await page.title() == "moodmix — playlists from a mood"

    await page.fill("#prompt", "rainy Sunday, mellow acoustic, nothing sad")
    await page.fill("#size", str(SIZE))
    await page.click("#submit")

    await page.wait_for_selector("#progress-card:not([hidden])")
    await page.wait_for_selector("#result:not([hidden])")
    assert await page.is_hidden("#error-card")
    assert await page.is_hidden("#progress-card"), "the progress line stays after the playlist"
    assert await page.get_attribute("#progress-stage", "data-stage") == "done"

    rows = page.locator("#tracks li.track")
    assert await rows.count() == SIZE
    for i in range(SIZE):
        row = rows.nth(i)
        assert (await row.locator(".title").inner_text()).strip()
        assert (await row.locator(".artists").inner_text()).strip()
        assert re.fullmatch(r"\d+:\d\d", (await row.locator(".time").inner_text()))
        assert (await row.locator(".reason").inner_text()).strip(), f"track {i} has no reason"
        href = await row.locator("a.spotify").get_attribute("href")
        assert href is not None
        assert re.fullmatch(r"https://open\.spotify\.com/track/[A-Za-z0-9]{22}", href), href

    await page.click("#details summary")
    cost = await page.inner_text("#cost")
    assert cost.isdigit(), cost
    assert int(cost) > 0, "a cold playlist should have cost upstream requests"

    targets = page.locator("#chart svg rect.bar-target[data-feature]")
    achieved = page.locator("#chart svg rect.bar-achieved[data-feature]")
    assert await targets.count() >= 3
    assert await achieved.count() >= 3
    for bars in (targets, achieved):
        for i in range(await bars.count()):
            width = float(await bars.nth(i).get_attribute("width") or "0")
            assert 0 < width <= 420
    await page.screenshot(path=str(ARTIFACTS / "playlist.png"), full_page=True)

    await page.goto(running.url + "/dashboard")
    await dashboard_polled(page, 1)
    # Traffic while the dashboard watches, so its sparkline has something to draw.
    r = await running.http.post(
        "/v1/playlists?wait=true", json={"prompt": "euphoric summer dance party", "size": 5}
    )
    assert r.status_code == 200, r.text
    await dashboard_polled(page, 3)
    assert re.fullmatch(r"\d+\.\d%", await page.inner_text("#m-hit-rate"))
    assert re.fullmatch(r"\d+\.\d%", await page.inner_text("#m-429-rate"))
    assert re.fullmatch(r"\d+\.\d%", await page.inner_text("#m-repeats"))
    assert "answered at once" in await page.inner_text("#m-repeats-sub")
    assert (await page.inner_text("#m-registry")).isdigit()
    assert re.fullmatch(r"\d+(\.\d)?/min", await page.inner_text("#m-rate"))
    assert "limit" in await page.inner_text("#m-quota")
    upstream = await page.inner_text("#m-upstream")
    assert upstream.isdigit()
    assert int(upstream) >= int(cost)
    assert await page.locator("#sparkline svg polyline").count() == 1
    assert await page.locator("#sparkline svg text", has_text="now").count() == 1  # time axis
    assert await page.locator("#ratechart svg polyline.spark-limit").count() == 1
    assert await page.locator("#ratechart svg polyline.spark-line").count() == 1
    jobs = page.locator("#jobs li a.prompt")
    assert await jobs.count() >= 2  # the page's playlist and the one made meanwhile
    assert (await jobs.first.get_attribute("href") or "").startswith("/p/")
    await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)


async def test_with_api_keys_the_page_sends_the_key_it_remembers(
    page: Any, keyed: RunningService
) -> None:
    await page.goto(keyed.url + "/")
    assert await page.is_visible("#api-key")

    # Without the key the API says so, and the page shows it.
    await page.fill("#prompt", "late night drive, synthwave")
    await page.fill("#size", "6")
    await page.click("#submit")
    await page.wait_for_selector("#error-card:not([hidden])")
    assert "API key" in await page.inner_text("#error-message")
    assert await page.is_hidden("#progress-card")  # no empty progress beside the error

    # With it, the playlist is made and its events followed (they need the key too).
    await page.fill("#api-key", API_KEY)
    await page.click("#submit")
    await page.wait_for_selector("#result:not([hidden])")
    assert await page.is_hidden("#error-card")
    assert await page.locator("#tracks li.track").count() == 6

    # Remembered in this browser: the dashboard polls with it.
    await page.goto(keyed.url + "/dashboard")
    assert await page.input_value("#api-key") == API_KEY
    await dashboard_polled(page, 1)
    assert (await page.inner_text("#m-upstream")).isdigit()
