"""The three profiles' values: what each sets of ``Settings`` unless a knob is set itself.

    PROFILE_VALUES["seed"]["rate_per_min"]     # 80.0: the earlier backend's fixed rate
    Settings(profile="legacy").batch_size      # 100, from here

``legacy`` is the earlier backend before its optimisation, ``seed`` after it (its summary's
numbers), ``adaptive`` moodmix's default; docs/BENCHMARKS.md traces each value to its source.
"""

from __future__ import annotations

from typing import Any, Final

PROFILE_VALUES: Final[dict[str, dict[str, Any]]] = {
    "legacy": {
        "rate_mode": "fixed",
        "rate_per_min": 120.0,
        "max_concurrency": 10,
        "burst": 10,
        "dedup": False,
        "ttl_recommendations_s": 5 * 60,
        "ttl_tracks_s": 60 * 60,
        "ttl_features_s": 60 * 60,
        "ttl_artists_s": 60 * 60,
        "ttl_search_s": 5 * 60,
        "swr_fraction": 0.0,
        "lane_pause": False,
        "ttl_registry_valid_s": 30 * 86_400,
        "ttl_registry_missing_s": 7 * 86_400,
        "l1_max_entries": 1_000,
        "batch_size": 100,
        "id_batch_concurrency": 20,
        "features_concurrency": 30,
        "seed_chunk_concurrency": 0,
        "seed_stagger_s": 0.0,
        "coalesce": False,
        "breaker": False,
        "stale_if_error": False,
        "prefetch": False,
    },
    "seed": {
        "rate_mode": "fixed",
        "rate_per_min": 80.0,
        "max_concurrency": 6,
        "burst": 1,
        "dedup": True,
        "ttl_recommendations_s": 15 * 60,
        "ttl_tracks_s": 2 * 60 * 60,
        "ttl_features_s": 2 * 60 * 60,
        "ttl_artists_s": 2 * 60 * 60,
        "ttl_search_s": 15 * 60,
        "swr_fraction": 0.0,
        "lane_pause": False,
        "ttl_registry_valid_s": 60 * 86_400,
        "ttl_registry_missing_s": 14 * 86_400,
        "l1_max_entries": 5_000,
        "batch_size": 50,
        "id_batch_concurrency": 4,
        "features_concurrency": 10,
        "seed_chunk_concurrency": 3,
        "seed_stagger_s": 0.2,
        "coalesce": False,
        "breaker": False,
        "stale_if_error": False,
        "prefetch": False,
    },
    "adaptive": {
        "rate_mode": "adaptive",
        "rate_per_min": 80.0,
        "max_concurrency": 6,
        "burst": 2,
        "dedup": True,
        "ttl_recommendations_s": 15 * 60,
        "ttl_tracks_s": 2 * 60 * 60,
        "ttl_features_s": 30 * 86_400,
        "ttl_artists_s": 7 * 86_400,
        "ttl_search_s": 86_400,
        "swr_fraction": 0.25,
        "lane_pause": True,
        "ttl_registry_valid_s": 60 * 86_400,
        "ttl_registry_missing_s": 14 * 86_400,
        "l1_max_entries": 5_000,
        "batch_size": 40,
        "id_batch_concurrency": 4,
        "features_concurrency": 10,
        "seed_chunk_concurrency": 3,
        "seed_stagger_s": 0.0,
        "coalesce": True,
        "breaker": True,
        "stale_if_error": True,
        "prefetch": True,
    },
}
"""Per profile, the settings it fills."""
