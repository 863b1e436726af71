"""The logging pipeline: secrets redacted wherever they appear, plain tracebacks unless
debugging, the standard library's records through the same processors, writing on a thread."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

import pytest
import structlog
from pydantic import ValidationError

from moodmix.logs import (
    REDACTED,
    Redactor,
    configure_logging,
    flush_logs,
    register_secrets,
)
from moodmix.settings import Settings, settings_error

TOKEN = "t0ken-for-the-log-tests"
register_secrets([TOKEN])


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    flush_logs()
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_the_redactor_replaces_secret_keys_values_and_query_parameters() -> None:
    redactor = Redactor()
    redactor.add(["s3cret-value", "abc"])  # too short to replace: "abc" stays
    assert redactor.text("x s3cret-value y abc") == f"x {REDACTED} y abc"
    assert redactor.text("GET /v1/x?api_key=k3y&size=3&code=c0de HTTP/1.1") == (
        f"GET /v1/x?api_key={REDACTED}&size=3&code={REDACTED} HTTP/1.1"
    )
    assert redactor.text('"GET /v1/shared/Zq3-share-token_0123456789 HTTP/1.1" 200') == (
        f'"GET /v1/shared/{REDACTED} HTTP/1.1" 200'
    )
    event = redactor.event(
        {
            "event": "request",
            "headers": {"X-Admin-Token": "a", "Authorization": "Bearer b", "Accept": "c"},
            "raw": [(b"x-api-key", b"k"), (b"host", b"h")],
            "note": "said s3cret-value",
            "code": "quota_exceeded",
        }
    )
    assert event == {
        "event": "request",
        "headers": {"X-Admin-Token": REDACTED, "Authorization": REDACTED, "Accept": "c"},
        "raw": [(b"x-api-key", REDACTED), (b"host", b"h")],
        "note": f"said {REDACTED}",
        "code": "quota_exceeded",
    }


def test_structlog_events_and_library_records_go_out_redacted(log_buffer: io.StringIO) -> None:
    log = structlog.get_logger("moodmix.test")
    log.warning("asked", headers={"x-admin-token": "plain"}, url=f"/v1/p?token={TOKEN}")
    logging.getLogger("a.library.access").info('"GET /v1/p?api_key=%s HTTP/1.1" 200', "k3y-in-url")
    logging.getLogger("somelib").warning("said %s", TOKEN)
    log.debug("quiet_detail", n=1)
    out = lines(log_buffer)
    text = json.dumps(out)
    assert TOKEN not in text
    assert "plain" not in text
    assert "k3y-in-url" not in text
    assert [line["event"] for line in out] == [
        "asked",
        f'"GET /v1/p?api_key={REDACTED} HTTP/1.1" 200',
        f"said {REDACTED}",
        "quiet_detail",
    ]
    assert out[1]["logger"] == "a.library.access"
    assert out[0]["level"] == "warning"


def test_tracebacks_are_plain_and_redacted(log_buffer: io.StringIO) -> None:
    log = structlog.get_logger("moodmix.test")
    local_secret = "a-local-variable-value"
    try:
        raise RuntimeError(f"failed with {TOKEN} ({len(local_secret)})")
    except RuntimeError:
        log.exception("it_failed")
    try:
        raise ValueError("from the library")
    except ValueError:
        logging.getLogger("a.library.error").exception("Exception in ASGI application")
    out = lines(log_buffer)
    assert "RuntimeError: failed with [redacted] (22)" in out[0]["exception"]
    assert "ValueError: from the library" in out[1]["exception"]
    text = json.dumps(out)
    assert TOKEN not in text
    assert local_secret not in text  # no local variables outside --debug


def test_debug_tracebacks_show_locals_but_not_secrets(log_buffer: io.StringIO) -> None:
    buffer = io.StringIO()
    configure_logging("debug", debug=True, stream=buffer)
    structlog.configure(cache_logger_on_first_use=False)
    log = structlog.get_logger("moodmix.test")
    visible = "a-local-the-developer-wants"
    hidden = TOKEN
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("with_locals", n=len(visible) + len(hidden))
    flush_logs()
    text = buffer.getvalue()
    assert "a-local-the-developer-wants" in text
    assert TOKEN not in text


def test_writing_happens_on_another_thread(log_buffer: io.StringIO) -> None:
    writers: set[str] = set()

    class Recording(io.StringIO):
        def write(self, s: str) -> int:
            writers.add(threading.current_thread().name)
            return super().write(s)

    recording = Recording()
    configure_logging("info", json=True, stream=recording)
    structlog.get_logger("moodmix.test").warning("from_the_loop_thread")
    flush_logs()
    assert "from_the_loop_thread" in recording.getvalue()
    assert writers
    assert threading.current_thread().name not in writers


def test_settings_know_their_secrets() -> None:
    settings = Settings(
        admin_token="adm-secret",
        api_keys="k1-secret,k2-secret",
        database_url="postgresql+asyncpg://moodmix:p%40ss-word@db/moodmix",
        redis_url="redis://:r3dis-pass@127.0.0.1:6379/0",
    )
    assert set(settings.secrets()) >= {
        "adm-secret",
        "k1-secret",
        "k2-secret",
        "p@ss-word",
        "p%40ss-word",
        "r3dis-pass",
    }
    register_secrets(settings.secrets())


def test_settings_errors_never_echo_the_values_given() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(unknown_field="s3cret-typo-value")  # type: ignore[call-arg]
    message = settings_error(caught.value)
    assert "MOODMIX_UNKNOWN_FIELD" in message
    assert "s3cret-typo-value" not in message
