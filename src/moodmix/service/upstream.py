"""The gateway the service talks through: ``ReccoBeats`` with each upstream request charged
to the client it was sent for (see ``quota``)::

    quota = ClientQuota(share=0.5, window_s=60, rate_per_min=lambda: 80.0)
    gateway = build_gateway(settings, quota)

Every upstream response is charged after the gateway has counted it in its own metrics.
"""

from __future__ import annotations

from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.service.quota import ClientQuota
from moodmix.settings import Settings


def build_gateway(settings: Settings, quota: ClientQuota) -> ReccoBeats:
    """A gateway for ``settings`` whose upstream requests are charged through ``quota``."""

    def charge(endpoint: str, status: int, elapsed: float) -> None:
        quota.record()

    return ReccoBeats.from_settings(settings, on_response=charge)
