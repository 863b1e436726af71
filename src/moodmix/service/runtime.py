"""Everything one running service holds, opened in order and closed in reverse::

    service = await Service.open(settings, ServiceMetrics())
    service.gateway, service.runner, service.repo, service.results, service.quota ...
    await service.close()        # finish or release jobs, then the gateway, then the database

``open`` migrates the database, builds the gateway (its upstream requests charged per client)
and adopts jobs a stopped instance left behind.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry
from sqlalchemy.engine import make_url

from moodmix.engine.model_reader import ModelMoodReader, open_reader
from moodmix.engine.pipeline import make_playlist
from moodmix.engine.readers import BuiltInReader
from moodmix.logs import register_secrets
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.service.db import Database
from moodmix.service.events import EventBroker, JobFeed
from moodmix.service.jobs import JobRunner, MakePlaylist
from moodmix.service.listeners import Listeners, open_listeners
from moodmix.service.metrics import ServiceMetrics
from moodmix.service.quota import ClientQuota
from moodmix.service.repository import PlaylistRepository
from moodmix.service.results import ResultCache
from moodmix.service.security import ApiKeys
from moodmix.service.share_links import ShareLinks
from moodmix.service.sharing import Sharing
from moodmix.service.spotify_saves import SpotifySaves
from moodmix.service.upstream import build_gateway
from moodmix.settings import Settings


class StartupError(RuntimeError):
    """The service cannot start; the message says what to fix."""


@dataclass
class Service:
    """The parts of a running service; routes reach them through ``deps.ServiceDep``."""

    settings: Settings
    db: Database
    repo: PlaylistRepository
    results: ResultCache
    gateway: ReccoBeats
    broker: EventBroker
    feed: JobFeed
    sharing: Sharing
    share_links: ShareLinks
    runner: JobRunner
    quota: ClientQuota
    metrics: ServiceMetrics
    api_keys: ApiKeys
    started_at: float
    listeners: Listeners | None = None
    """Sign-in with Spotify, when ``spotify_client_id`` is set."""
    saves: SpotifySaves | None = None
    """Saving playlists to listeners' Spotify accounts (with ``listeners``)."""
    reader: BuiltInReader | ModelMoodReader = field(default_factory=BuiltInReader)
    """What reads prompts: the built-in reader, or a language model over it (``llm_url``)."""

    @classmethod
    async def open(
        cls, settings: Settings, metrics: ServiceMetrics, *, make: MakePlaylist | None = None
    ) -> Service:
        register_secrets(settings.secrets())  # however logging was configured, never log them
        try:
            db = await Database.open(settings.database_url)
        except Exception as exc:
            raise StartupError(
                f"cannot open the database {safe_url(settings.database_url)}: {exc}"
            ) from exc
        gateway: ReccoBeats | None = None

        def learned_rate() -> float:
            return gateway.quota().rate * 60 if gateway else settings.rate_per_min

        quota = ClientQuota(
            share=settings.client_quota_share,
            window_s=settings.client_quota_window_s,
            rate_per_min=learned_rate,
            burst=settings.burst,
        )
        gateway = build_gateway(settings, quota)
        reader = open_reader(settings, gateway)
        gateway.start_warming()  # here, so no client is charged for warming
        sharing = Sharing.from_settings(settings)
        broker = EventBroker(mirror=sharing.mirror)
        repo = PlaylistRepository(db)
        runner = JobRunner(
            repo,
            gateway,
            broker,
            quota,
            settings,
            make=make or functools.partial(make_playlist, reader=reader),
            on_outcome=lambda outcome: metrics.jobs.labels(outcome=outcome).inc(),
            on_enqueued=sharing.enqueued,
        )
        metrics.jobs_active.set_function(lambda: runner.running())
        listeners = open_listeners(settings, db)
        service = cls(
            settings=settings,
            db=db,
            repo=repo,
            results=ResultCache(
                repo,
                ttl_s=settings.ttl_recommendations_s,
                entries=settings.result_cache_entries,
            ),
            gateway=gateway,
            broker=broker,
            feed=JobFeed(broker, repo, remote=sharing.events),
            sharing=sharing,
            share_links=ShareLinks(db),
            runner=runner,
            quota=quota,
            metrics=metrics,
            api_keys=ApiKeys(settings.api_keys),
            started_at=time.time(),
            listeners=listeners,
            saves=(
                SpotifySaves(db, listeners, lease_s=settings.job_lease_s)
                if listeners is not None
                else None
            ),
            reader=reader,
        )
        try:
            await runner.start()
            sharing.start(runner, workers=settings.max_running_jobs)
            if service.saves is not None:
                service.saves.start_sweeping()
        except BaseException:
            await service.close()
            raise
        return service

    def registries(self) -> list[CollectorRegistry]:
        """Every metrics registry ``/metrics`` shows: the service's, the gateway's, the model's."""
        found = [self.metrics.registry, self.gateway.metrics.registry]
        if isinstance(self.reader, ModelMoodReader):
            found.append(self.reader.model.metrics.registry)
        return found

    async def close(self) -> None:
        """Finish or release jobs (``shutdown_grace_s``), then close the gateway and database."""
        try:
            await self.runner.stop(self.settings.shutdown_grace_s)
        finally:
            try:
                await self.sharing.aclose()
                await self.reader.aclose()
                await self.gateway.aclose()
                if self.saves is not None:
                    await self.saves.aclose()
                if self.listeners is not None:
                    await self.listeners.aclose()
            finally:
                await self.db.close()


def safe_url(url: str) -> str:
    """``url`` with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"
