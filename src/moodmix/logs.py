"""Logging setup: structlog events, filtered by level before any work is done.

    configure_logging("info")            # human-readable lines on stderr
    configure_logging("debug", json=True)

Event names are one per thing that happens: ``cache_lookup``, ``dedup_join`` and
``stagger`` at debug; ``rate_changed`` (what the adaptive rate learnt) at info;
``upstream_rate_limited`` and ``limiter_wait`` at warning. Below the
chosen level a call is a no-op, so debug events cost nothing on the hot path. Loggers are
bound on first use, so configure before the first event.
"""

from __future__ import annotations

import logging
import sys

import structlog

LEVELS = ("debug", "info", "warning", "error")


def configure_logging(level: str = "warning", *, json: bool = False) -> None:
    """Send structlog events at ``level`` and above to stderr."""
    if level not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}, got {level!r}")
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
