"""Hypothesis profiles for the property tests: ``ci`` (the default: few examples, quick) and
``long`` (many examples, no deadline) for a long fuzz run::

    MOODMIX_HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/property tests/unit -k "not slow"

The profile is loaded for the whole run; tests that fix their own ``max_examples`` keep it.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("MOODMIX_HYPOTHESIS_PROFILE", "ci"))
