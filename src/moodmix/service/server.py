"""uvicorn as moodmix runs it: one ``uvicorn.Config`` built from ``Settings``.

::

    config = server_config(create_app(settings), settings, host="127.0.0.1", port=8000)
    uvicorn.Server(config).run()              # or, inside a loop: await ...serve()

Only uvicorn options: proxy headers only from ``MOODMIX_TRUSTED_PROXIES`` (none by default,
so no peer can set its own address with ``X-Forwarded-For``), and ``log_config=None``, so
uvicorn's records go through the application's logging instead of handlers of uvicorn's own.
"""

from __future__ import annotations

from typing import Any

import uvicorn

from moodmix.settings import Settings


def server_config(app: Any, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    """How uvicorn serves ``app`` on ``host:port`` under ``settings``' limits."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        log_config=None,
        log_level=settings.log_level,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 1,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
    )
