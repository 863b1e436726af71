"""Logging: structlog events and the standard library's records through one pipeline, with
secrets redacted and the writing done off the event loop.

    configure_logging("info")                           # readable lines on stderr
    configure_logging("debug", json=True)               # one JSON object a line
    configure_logging("warning", secrets=settings.secrets())
    configure_logging("warning", debug=True)            # tracebacks show local variables

Event names are one per thing that happens: ``cache_lookup``, ``dedup_join`` and
``stagger`` at debug; ``rate_changed`` (what the adaptive rate learnt) at info;
``upstream_rate_limited`` and ``limiter_wait`` at warning. Below the chosen level a call is
a no-op, so debug events cost nothing on the hot path. Loggers are bound on first use, so
configure before the first event.

``configure_logging`` is for applications (the ``moodmix`` command calls it): it routes the
standard library's records (uvicorn, asyncio, SQLAlchemy) through the same processors as
moodmix's own events, and hands every record to a thread of its own
(``logging.handlers.QueueHandler`` and ``QueueListener``), which renders it, tracebacks
included, and writes it. An event costs the event loop building a record; a slow or blocked
stderr never stalls it. Importing moodmix as a library sets only structlog, synchronously,
and leaves the standard library's logging alone.

Secrets never reach the output (``Redactor``): a value under a key that names a secret
(``authorization``, ``x-api-key``, ``x-admin-token``, ``cookie``, ``password``, ...) is
replaced, and so is a secret query parameter in any URL (``?api_key=``, ``&code=``, ...) and
a share link's token in its path (``/v1/shared/…``);
every secret value registered (``secrets=``, or ``register_secrets`` by whatever holds
them, e.g. the service at start-up) is replaced wherever it appears in the finished line,
tracebacks included. Tracebacks are plain, without local variables, unless ``debug=True``.
"""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import IO, Any, Final

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LEVELS = ("debug", "info", "warning", "error")

REDACTED: Final = "[redacted]"

SECRET_KEYS: Final = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "x-admin-token",
        "cookie",
        "set-cookie",
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "api_keys",
        "admin_token",
        "access_token",
        "refresh_token",
        "client_secret",
        "code_verifier",
        "session_key",
    }
)
"""Keys (any case, ``-`` or ``_``) whose values are always replaced, in events and headers."""

SECRET_PARAMS: Final = (
    "api_key",
    "apikey",
    "key",
    "token",
    "access_token",
    "refresh_token",
    "code",
    "code_verifier",
    "client_secret",
    "password",
    "secret",
    "state",
)
"""Query parameters whose values are replaced wherever a URL appears in a line."""

QUIETER: Final = {
    "aiosqlite": logging.INFO,
    "httpcore": logging.INFO,
    "hpack": logging.INFO,
    "h2": logging.INFO,
    "httpx": logging.WARNING,
}
"""Libraries that log every operation (or every request) below these levels: kept at them
whatever the level chosen, so ``debug`` shows moodmix's own detail, not theirs."""

SECRET_PATHS: Final = ("/v1/shared/",)
"""Paths whose next segment is a bearer token (a share link): replaced in any line."""

MIN_SECRET_CHARS: Final = 4
"""Shorter registered values are ignored: replacing every ``a`` would destroy the log."""

_QUERY: Final = re.compile(
    r"([?&;](?:" + "|".join(SECRET_PARAMS) + r")=)[^&;#\s\"'<>]+", re.IGNORECASE
)
_PATH: Final = re.compile("(" + "|".join(re.escape(p) for p in SECRET_PATHS) + ")[^/?#\\s\"'<>]+")


class Redactor:
    """Replaces secrets in event dicts and in finished lines.

    ::

        redactor = Redactor()
        redactor.add(["s3cret-token"])
        redactor.text("GET /x?api_key=abc token s3cret-token")
        # 'GET /x?api_key=[redacted] token [redacted]'
        redactor.event({"headers": {"X-Admin-Token": "t"}})
        # {'headers': {'X-Admin-Token': '[redacted]'}}
    """

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, values: Iterable[str]) -> None:
        """Replace each of ``values`` (of at least ``MIN_SECRET_CHARS``) from now on."""
        with self._lock:
            fresh = {v for v in values if len(v) >= MIN_SECRET_CHARS} - self._values
            if not fresh:
                return
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)  # longest first
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def known(self) -> frozenset[str]:
        """The values replaced."""
        return frozenset(self._values)

    def text(self, line: str) -> str:
        """``line`` with registered secrets and secret query parameters replaced."""
        pattern = self._pattern
        if pattern is not None:
            line = pattern.sub(REDACTED, line)
        if "=" in line:
            line = _QUERY.sub(lambda m: m.group(1) + REDACTED, line)
        if "/shared/" in line:
            line = _PATH.sub(lambda m: m.group(1) + REDACTED, line)
        return line

    def event(self, value: Any) -> Any:
        """``value`` (an event dict, or anything in one) with secrets replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: REDACTED if _secret_key(k) else self.event(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            items = [self.event(v) for v in value]
            if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str | bytes):
                name = value[0].decode("latin-1") if isinstance(value[0], bytes) else value[0]
                if _secret_key(name):  # a (name, value) header pair
                    items[1] = REDACTED
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, bytes):
            return self.text(value.decode("latin-1")).encode("latin-1")
        return value


REDACTOR: Final = Redactor()
"""The process's redactor: every configured sink replaces what it knows."""


def register_secrets(values: Iterable[str | None]) -> None:
    """Never write any of ``values`` to a log from now on (``None`` and short ones skipped)."""
    REDACTOR.add(v for v in values if v)


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: secret keys, query parameters and registered values replaced."""
    redacted: EventDict = REDACTOR.event(event_dict)
    return redacted


def _redact_line(_: WrappedLogger, __: str, line: Any) -> str:
    return REDACTOR.text(str(line))


def _secret_key(key: Any) -> bool:
    return isinstance(key, str) and key.lower().replace("-", "_") in _SECRET_KEYS_NORMAL


_SECRET_KEYS_NORMAL: Final = frozenset(k.replace("-", "_") for k in SECRET_KEYS)


def _capture_exc_info(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Turn ``exc_info=True`` into the exception itself while still on the raising thread."""
    if event_dict.get("exc_info") is True:
        event_dict["exc_info"] = sys.exc_info()
    return event_dict


def _renderer(*, json: bool, debug: bool, colors: bool) -> list[Processor]:
    if json:
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    formatter: Any = structlog.dev.plain_traceback
    if debug:
        formatter = structlog.dev.RichTracebackFormatter(show_locals=True)
    return [structlog.dev.ConsoleRenderer(colors=colors, exception_formatter=formatter)]


class _RedactingFormatter(structlog.stdlib.ProcessorFormatter):
    """Renders a record through the processors, then replaces secrets in the finished text."""

    def format(self, record: logging.LogRecord) -> str:
        return REDACTOR.text(super().format(record))


class _HandOver(logging.handlers.QueueHandler):
    """Puts the record on the queue as it is: rendering happens on the writer's thread."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


class _Sink:
    """The queue, its writer thread and the root handler this module installed."""

    def __init__(self, written: logging.Handler) -> None:
        records: queue.Queue[logging.LogRecord] = queue.Queue()
        self.handler = _HandOver(records)
        self.listener = logging.handlers.QueueListener(records, written)
        self.written = written
        self.listener.start()

    def flush(self) -> None:
        """Wait until every record queued so far is written."""
        self.listener.stop()
        self.listener.start()

    def close(self) -> None:
        self.listener.stop()
        self.written.flush()


_sink: _Sink | None = None


def configure_logging(
    level: str = "warning",
    *,
    json: bool = False,
    debug: bool = False,
    secrets: Iterable[str | None] = (),
    stream: IO[str] | None = None,
) -> None:
    """Send structlog events and standard library records at ``level`` and above to
    ``stream`` (stderr), redacted, from a writer thread."""
    global _sink
    if level not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}, got {level!r}")
    register_secrets(secrets)
    out = stream if stream is not None else sys.stderr
    numeric = getattr(logging, level.upper())
    colors = out.isatty() if hasattr(out, "isatty") else False
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    formatter = _RedactingFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            timestamper,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            redact,
            *_renderer(json=json, debug=debug, colors=colors),
        ],
    )
    written = logging.StreamHandler(out)
    written.setFormatter(formatter)

    root = logging.getLogger()
    if _sink is not None:
        root.removeHandler(_sink.handler)
        _sink.close()
    _sink = _Sink(written)
    root.addHandler(_sink.handler)
    root.setLevel(numeric)
    for name, floor in QUIETER.items():
        logging.getLogger(name).setLevel(max(numeric, floor))

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            timestamper,
            _capture_exc_info,
            redact,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )


def flush_logs() -> None:
    """Block until everything logged so far is written (tests; before exiting)."""
    if _sink is not None:
        _sink.flush()


def configure_library_logging(level: str = "warning") -> None:
    """structlog alone, written at once to stderr, redacted, plain tracebacks: what importing
    moodmix sets when the application has not configured structlog."""
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            *_renderer(json=False, debug=False, colors=sys.stderr.isatty()),
            _redact_line,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


@atexit.register
def _close_at_exit() -> None:
    if _sink is not None:
        _sink.close()
