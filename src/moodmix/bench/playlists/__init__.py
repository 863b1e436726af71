"""The playlists workload: many users asking the engine for playlists, per profile.

    run = asyncio.run(run_playlists(PlaylistBenchConfig(profiles=("adaptive",)).quick()))
    print(table(run)); run.as_json()

``plan`` says who asks what, ``run`` runs the probe and load phases, ``fit_bound`` the best
fit a catalog allows.
"""

from moodmix.bench.playlists.plan import PROMPTS, PlaylistBenchConfig
from moodmix.bench.playlists.run import run_playlists, table

__all__ = ["PROMPTS", "PlaylistBenchConfig", "run_playlists", "table"]
