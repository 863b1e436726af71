"""The API documentation, from files shipped in the package rather than a CDN::

    GET /docs    Swagger UI 5.36.0  static/vendor/swagger-ui/, started by static/docs.js
    GET /redoc   ReDoc 2.5.4        static/vendor/redoc/, starts itself on <redoc spec-url>

The vendored files are copied unchanged from two npm packages: ``swagger-ui-dist@5.36.0``
(Apache-2.0: ``swagger-ui-bundle.js``, ``swagger-ui.css``, ``LICENSE``, ``NOTICE`` and the
bundle's third-party licences) and ``redoc@2.5.4`` (MIT: ``bundles/redoc.standalone.js``,
``LICENSE`` and its third-party licences), ReDoc 2 being the line FastAPI's own page loads.
To update, ``npm pack swagger-ui-dist@X redoc@Y``, copy the same files over and change the
versions here and in docs/SERVICE.md.

Neither page has inline script, so both keep ``script-src 'self'`` (``headers.py``): Swagger
UI's parameters (FastAPI's defaults, the OpenAPI document's URL, and no online validator badge,
an image from swagger.io) are a JSON data block that ``static/docs.js`` reads. ReDoc 2 styles
itself with styled-components, which adds ``<style>`` elements at run time, and builds its
search worker from a ``blob:`` URL; it cannot start under the strict policy, so ``/redoc``
alone allows inline styles and ``blob:`` workers. Its "API docs by Redocly" logo, an image
from Redocly's CDN, is refused, and ReDoc shows the link without it.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.openapi.docs import swagger_ui_default_parameters
from fastapi.responses import HTMLResponse

from moodmix.service.headers import content_security_policy
from moodmix.service.routes.pages import HEADERS, templates

REDOC_HEADERS: Final = {
    **HEADERS,
    "Content-Security-Policy": content_security_policy(
        style_src="'self' 'unsafe-inline'", worker_src="'self' blob:"
    ),
}

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI: every operation, with "Try it out"."""
    app = request.app
    config = {
        **swagger_ui_default_parameters,
        **(app.swagger_ui_parameters or {}),
        "url": app.openapi_url,
        "validatorUrl": None,
    }
    return templates.TemplateResponse(
        request, "docs.html", {"title": f"{app.title} — API", "config": config}, headers=HEADERS
    )


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc: the same document, for reading."""
    app = request.app
    return templates.TemplateResponse(
        request,
        "redoc.html",
        {"title": f"{app.title} — API", "openapi_url": app.openapi_url},
        headers=REDOC_HEADERS,
    )
