"""The web pages as a shared cache and a browser see them: the same bytes whatever ``Host`` a
request names, a ``Cache-Control`` on every HTML answer, the security headers (a strict
Content-Security-Policy, no sniffing, no framing, no referrer) on every answer, and the API
documentation served from the service's own files, not a CDN."""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_service_harness import RunningService

pytest_plugins = ["test_service_harness"]

APP_PAGES = ["/", "/p/Abc123_-", "/dashboard"]
DOC_PAGES = ["/docs", "/redoc"]
PAGES = APP_PAGES + DOC_PAGES


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The pages read no stored playlist: SQLite is enough."""
    return f"sqlite+aiosqlite:///{tmp_path / 'moodmix.db'}"


class Assets(HTMLParser):
    """What a page loads: the ``src`` of every script and the ``href`` of every stylesheet."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")
        elif tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.urls.append(found["href"] or "")


def directives(policy: str) -> dict[str, str]:
    """A Content-Security-Policy's directives by name."""
    pairs = (part.strip().partition(" ") for part in policy.split(";") if part.strip())
    return {name: value.strip() for name, _, value in pairs}


def assert_security_headers(headers: Mapping[str, str]) -> None:
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") == "no-referrer"
    policy = directives(headers.get("content-security-policy", ""))
    assert policy.get("default-src") == "'self'", policy
    assert policy.get("script-src") == "'self'", policy
    assert policy.get("connect-src") == "'self'", policy
    assert policy.get("object-src") == "'none'", policy
    assert policy.get("base-uri") == "'none'", policy
    assert policy.get("frame-ancestors") == "'none'", policy


@pytest.mark.parametrize("path", PAGES)
async def test_a_foreign_host_header_never_reaches_the_page(
    service: RunningService, path: str
) -> None:
    poisoned = await service.http.get(path, headers={"Host": "evil.example"})
    assert poisoned.status_code == 200, poisoned.text
    assert "evil.example" not in poisoned.text
    plain = await service.http.get(path)
    assert poisoned.text == plain.text, "the page depends on the Host header"
    urls = Assets(plain.text).urls
    assert urls, "no script or stylesheet found"
    for url in urls:
        assert url.startswith("/static/"), url
        assert (await service.http.get(url)).status_code == 200, url


@pytest.mark.parametrize("path", PAGES)
async def test_html_pages_say_how_to_cache_them(service: RunningService, path: str) -> None:
    r = await service.http.get(path)
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers.get("cache-control") == "no-cache"


@pytest.mark.parametrize("path", [*APP_PAGES, "/docs"])
async def test_pages_send_a_strict_policy(service: RunningService, path: str) -> None:
    r = await service.http.get(path)
    assert r.status_code == 200
    assert_security_headers(r.headers)
    assert directives(r.headers["content-security-policy"]).get("style-src") == "'self'"


async def test_redoc_alone_may_add_styles_and_never_scripts(service: RunningService) -> None:
    r = await service.http.get("/redoc")
    assert r.status_code == 200
    assert_security_headers(r.headers)
    policy = directives(r.headers["content-security-policy"])
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["worker-src"] == "'self' blob:"


async def test_every_answer_carries_the_security_headers(service: RunningService) -> None:
    answers = [
        await service.http.get("/healthz"),
        await service.http.get("/openapi.json"),
        await service.http.get("/v1/playlists"),
        await service.http.get("/v1/playlists/no-such-playlist"),
        await service.http.get("/static/api.js"),
        await service.http.post("/v1/playlists", content=b"{" * 70_000),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 200, 413]
    for answer in answers:
        assert_security_headers(answer.headers)


@pytest.mark.parametrize("path", DOC_PAGES)
async def test_the_docs_load_everything_from_the_service(
    service: RunningService, path: str
) -> None:
    page = await service.http.get(path)
    assert page.status_code == 200
    for host in ("http://", "https://", "//", "cdn.", "fonts.googleapis"):
        assert not [url for url in Assets(page.text).urls if host in url], page.text
    assert "<script>" not in page.text, "an inline script"
    for url in Assets(page.text).urls:
        asset = await service.http.get(url)
        assert asset.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "css"
        assert kind in asset.headers["content-type"], (url, asset.headers["content-type"])
        assert len(asset.content) > 100, url


async def test_the_docs_point_at_the_openapi_document(service: RunningService) -> None:
    swagger = await service.http.get("/docs")
    assert '"url": "/openapi.json"' in swagger.text
    assert '"validatorUrl": null' in swagger.text
    redoc = await service.http.get("/redoc")
    assert 'spec-url="/openapi.json"' in redoc.text
    assert (await service.http.get("/openapi.json")).json()["paths"]["/v1/playlists"]


async def test_a_playlist_address_names_its_playlist_and_refuses_a_malformed_id(
    service: RunningService,
) -> None:
    page = await service.http.get("/p/Abc123_-")
    assert page.status_code == 200
    assert '"playlist": "Abc123_-"' in page.text  # the script reads the id from the page config
    assert '"playlist": null' in (await service.http.get("/")).text
    bad = await service.http.get("/p/not.an.id")
    assert bad.status_code == 422, bad.text
    assert "id" in bad.json()["message"]
