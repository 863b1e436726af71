"""The listener's page on a phone (390 x 844) and a desktop (1280 x 800), in headless Chromium.

At each size: make a playlist, find it at its own address and in "Your playlists", export it
as M3U, and check the page never scrolls sideways, logs no error, and axe-core (run in the page
from ``axe-playwright-python``'s bundled copy, nothing fetched) finds no serious or critical
violation. The whole flow also refines the playlist twice, replaces a track and undoes once.
Screenshots go to ``artifacts/listener-*.png``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_page import ARTIFACTS, CHROMIUM_ARGS, chromium_path, dashboard_polled
from test_service_harness import RunningService

pytestmark = pytest.mark.e2e

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
SERIOUS = {"serious", "critical"}
SIZE = 8


@dataclass
class Tab:
    """A Chromium tab at one size, with the errors it logged and the answers it was refused."""

    page: Any
    name: str
    errors: list[str] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)

    async def check(self, step: str) -> None:
        """No sideways scroll, no serious axe-core violation; a screenshot of ``step``."""
        scroll = await self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll[0] <= scroll[1], f"{self.name} {step}: scrolls sideways {scroll}"
        from axe_playwright_python.async_playwright import Axe

        results = await Axe().run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        assert not serious, f"{self.name} {step}: axe-core finds {serious}"
        await self.page.screenshot(
            path=str(ARTIFACTS / f"listener-{self.name}-{step}.png"), full_page=True
        )

    def unexpected_errors(self, allowed: Callable[[int, str], bool]) -> list[str]:
        """Errors logged, less Chromium's "Failed to load resource" lines when every answer
        refused (status >= 400) is one ``allowed`` expects."""
        if all(allowed(status, url) for status, url in self.refused):
            return [e for e in self.errors if not e.startswith("Failed to load resource")]
        return [*self.errors, *(f"{status} {url}" for status, url in self.refused)]


@contextlib.asynccontextmanager
async def tab(name: str) -> AsyncIterator[Tab]:
    executable = chromium_path()
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    width, height = SIZES[name]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": width, "height": height}, accept_downloads=True
            )
            page = await context.new_page()
            page.set_default_timeout(60_000)
            found = Tab(page, name)
            page.on("pageerror", lambda exc: found.errors.append(str(exc)))
            page.on(
                "console",
                lambda msg: found.errors.append(msg.text) if msg.type == "error" else None,
            )
            page.on(
                "response",
                lambda r: found.refused.append((r.status, r.url)) if r.status >= 400 else None,
            )
            yield found
        finally:
            await browser.close()


async def make(t: Tab, url: str, prompt: str) -> str:
    """Make a playlist from the page; its id, read from the address it moves to."""
    page = t.page
    await page.goto(url + "/")
    await page.focus("#prompt")
    await page.keyboard.type(prompt)
    await page.fill("#size", str(SIZE))
    await page.focus("#submit")
    await page.keyboard.press("Enter")  # the form works from the keyboard
    await page.wait_for_selector("#result:not([hidden])")
    assert await page.is_hidden("#error-card")
    assert await page.locator("#tracks li.track").count() == SIZE
    match = re.fullmatch(re.escape(url) + r"/p/([A-Za-z0-9_-]+)", page.url)
    assert match, page.url
    return match.group(1)


async def exported_m3u(t: Tab) -> str:
    async with t.page.expect_download() as info:
        await t.page.click("#export-m3u8")
    download = await info.value
    path = await download.path()
    return await asyncio.to_thread(Path(path).read_text, encoding="utf-8")


async def titles(t: Tab) -> list[str]:
    return [s.strip() for s in await t.page.locator("#tracks li.track .title").all_inner_texts()]


async def at_version(t: Tab, version: int) -> list[str]:
    """The track titles once the page shows ``version`` (it re-renders on the service's answer)."""
    for _ in range(600):
        if await t.page.text_content("#version") == str(version):
            return await titles(t)
        await t.page.wait_for_timeout(100)
    raise AssertionError(f"never at version {version}; status line: {await status_line(t)!r}")


async def status_line(t: Tab) -> str:
    return str(await t.page.inner_text("#edit-state"))


def expected_refusal(status: int, url: str) -> bool:
    """Redo with nothing to redo (on a service without redo, a 404 or 405)."""
    return url.endswith("/redo") and 400 <= status < 500


@pytest.mark.parametrize("name", list(SIZES))
async def test_make_find_and_export_a_playlist(running: RunningService, name: str) -> None:
    async with tab(name) as t:
        page = t.page
        await page.goto(running.url + "/")
        await t.check("empty")

        id = await make(t, running.url, "rainy Sunday, mellow acoustic, nothing sad")
        assert (await page.inner_text("#playlist-name")).strip()
        assert "rainy Sunday" in await page.inner_text("#playlist-prompt")
        summary = await page.inner_text("#summary")
        assert f"{SIZE} tracks" in summary, summary
        assert "min" in summary, summary
        # Plain words on the page; the figures wait behind "Details".
        assert not await page.is_visible("#distance")
        assert not await page.is_visible("#cost")
        for i in range(SIZE):
            track = page.locator("#tracks li.track").nth(i)
            assert (await track.locator(".title").inner_text()).strip()
            assert re.fullmatch(r"\d+:\d\d", await track.locator(".time").inner_text())
            assert await track.locator("button.replace").is_visible()
        await t.check("playlist")
        if name == "phone":  # the narrowest phones too
            await page.set_viewport_size({"width": 360, "height": 740})
            await t.check("playlist-360")
            await page.set_viewport_size({"width": 390, "height": 844})

        await page.click("#details summary")
        assert (await page.inner_text("#cost")).isdigit()
        assert await page.locator("#chart svg rect.bar-achieved[data-feature]").count() >= 3
        await t.check("details")

        m3u = await exported_m3u(t)
        assert m3u.startswith("#EXTM3U"), m3u[:80]
        assert m3u.count("https://open.spotify.com/track/") == SIZE

        # Reordered from the keyboard: the first track moves down, and the focus goes with it.
        order = await titles(t)
        await page.locator("#tracks li.track").first.locator("button.down").focus()
        await page.keyboard.press("Enter")
        moved = await at_version(t, 2)
        assert moved[:2] == [order[1], order[0]], moved
        focused = await page.evaluate(
            "[document.activeElement.className, Array.prototype.indexOf.call("
            "document.querySelectorAll('#tracks li.track'), document.activeElement.closest('li'))]"
        )
        assert focused == ["small down", 1], focused
        assert await page.locator("#tracks li.track").first.locator("button.up").is_disabled()

        # Its own address brings it back, and it is in the listener's list.
        await page.goto(f"{running.url}/p/{id}")
        await page.wait_for_selector("#result:not([hidden])")
        assert await page.locator("#tracks li.track").count() == SIZE
        history = page.locator(f'#history a[href="/p/{id}"]')
        await history.wait_for()
        assert await history.get_attribute("aria-current") == "page"

        # A change this service cannot make is said on the status line; nothing is lost.
        before = await titles(t)
        assert not await page.is_disabled("#redo")
        await page.click("#redo")
        for _ in range(600):
            if await status_line(t) and "redoing" not in await status_line(t):
                break
            await page.wait_for_timeout(100)
        assert await titles(t) == before
        await t.check("after-redo")

        # The operators' dashboard fits the same screen.
        await page.goto(running.url + "/dashboard")
        await dashboard_polled(page, 2)
        assert await page.locator(f'#jobs a[href="/p/{id}"]').count() == 1
        await t.check("dashboard")
    assert not t.unexpected_errors(expected_refusal), (t.errors, t.refused)


@pytest.mark.parametrize("name", list(SIZES))
async def test_refine_twice_replace_undo_and_export(running: RunningService, name: str) -> None:
    """Needs the playlist lifecycle routes (refine, replace, undo, versions, cover)."""
    async with tab(name) as t:
        page = t.page
        id = await make(t, running.url, "late night drive, synthwave")
        first = await titles(t)

        for version, text in enumerate(["more upbeat", "no vocals"], start=2):
            await page.fill("#refine-text", text)
            await page.keyboard.press("Enter")  # the refine box submits from the keyboard
            refined = await at_version(t, version)
            assert not await status_line(t), await status_line(t)
        assert refined != first
        await t.check("refined")

        replaced = refined[0]
        await page.locator("#tracks li.track").first.locator("button.replace").focus()
        await page.keyboard.press("Enter")
        after_replace = await at_version(t, 4)
        assert replaced not in after_replace, after_replace
        # The list is drawn anew; the keyboard's place is kept on the first track's button.
        focused = await page.evaluate(
            "[document.activeElement.className,"
            " document.activeElement.closest('li.track') === document.querySelector('#tracks li')]"
        )
        assert focused == ["small replace", True], focused

        await page.click("#undo")
        undone = await at_version(t, 3)  # undo goes back to the version the change was made on
        assert undone == refined
        assert page.url.endswith(f"/p/{id}")
        await t.check("undone")

        m3u = await exported_m3u(t)
        assert m3u.startswith("#EXTM3U")
        assert m3u.count("https://open.spotify.com/track/") == len(undone)
    assert not t.errors, t.errors
    assert not t.refused, t.refused
