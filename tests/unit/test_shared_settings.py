"""Shared mode is switched on by ``redis_url`` alone; the Redis backend needs one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from moodmix.reccobeats._setup import build_scheduler, open_storage
from moodmix.resilience.tokenbucket import TokenBucket
from moodmix.settings import Settings
from moodmix.store import MemoryStorage, RedisStorage


def test_without_a_redis_url_the_process_works_alone() -> None:
    settings = Settings(cache_backend="memory")
    assert settings.redis_url is None
    assert isinstance(open_storage(settings), MemoryStorage)
    assert isinstance(build_scheduler(settings).limiter, TokenBucket)


async def test_a_redis_url_puts_the_l2_in_redis_whatever_the_backend_says() -> None:
    settings = Settings(cache_backend="memory", redis_url="redis://127.0.0.1:6379/0")
    storage = open_storage(settings)
    assert isinstance(storage, RedisStorage)
    assert storage.prefix == "moodmix:"
    await storage.close()


def test_the_redis_backend_without_a_url_says_what_to_set() -> None:
    with pytest.raises(ValidationError, match="MOODMIX_REDIS_URL"):
        Settings(cache_backend="redis")
