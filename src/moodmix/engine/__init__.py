"""The recommendation engine: from a mood to a playlist that fits, each track with its reason.

::

    from moodmix.engine import PlaylistRequest, make_playlist
    from moodmix.reccobeats import ReccoBeats

    async with ReccoBeats.from_settings() as gateway:
        playlist = await make_playlist(gateway, PlaylistRequest("rainy Sunday, mellow acoustic"))
    for track in playlist.tracks:
        print(track.title, track.reason)

``analyse(text)`` gives the ``MoodProfile`` alone; ``make_playlist(..., reader=...)`` takes a
``MoodReader`` (``open_reader(settings, gateway)``: the built-in one, or a language model over
it when ``MOODMIX_LLM_URL`` is set). The engine talks to ReccoBeats only through
the gateway. ``measure_fit`` compares a playlist
with the upstream's raw recommendations for the same seeds (the benchmark reports it).
"""

from moodmix.engine.duration import format_duration, parse_duration
from moodmix.engine.fit import FitReport, measure_fit
from moodmix.engine.model_reader import ModelMoodReader, open_reader
from moodmix.engine.mood import analyse
from moodmix.engine.pipeline import make_playlist
from moodmix.engine.playlist import (
    Order,
    Playlist,
    PlaylistRequest,
    PlaylistTrack,
    Quality,
    SeedTrack,
    SkippedSeed,
)
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile, Recognised
from moodmix.engine.progress import Progress, ProgressCallback
from moodmix.engine.readers import BuiltInReader, MoodReader, ReaderReport, Reading
from moodmix.engine.scoring import Fit, target_distance
from moodmix.engine.seeds import NoSeedsFound, SeedError

__all__ = [
    "FEATURES",
    "SCALES",
    "BuiltInReader",
    "Fit",
    "FitReport",
    "ModelMoodReader",
    "MoodProfile",
    "MoodReader",
    "NoSeedsFound",
    "Order",
    "Playlist",
    "PlaylistRequest",
    "PlaylistTrack",
    "Progress",
    "ProgressCallback",
    "Quality",
    "ReaderReport",
    "Reading",
    "Recognised",
    "SeedError",
    "SeedTrack",
    "SkippedSeed",
    "analyse",
    "format_duration",
    "make_playlist",
    "measure_fit",
    "open_reader",
    "parse_duration",
    "target_distance",
]
