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
it when ``MOODMIX_LLM_URL`` is set); ``name_for(profile)`` and ``description_for(profile)``
give the playlist's name and description. A request whose exclusions leave nothing raises
``NothingLeft``. ``refine``, ``replace_track``, ``extend``, ``remove_track``, ``move_track``
and ``pin_track`` change a finished playlist (``revise``, ``edits``), ``playlist_from_json``
reads a stored one back. The engine talks to ReccoBeats only through
the gateway. ``measure_fit`` compares a playlist
with the upstream's raw recommendations for the same seeds (the benchmark reports it).
"""

from moodmix.engine.duration import format_duration, parse_duration
from moodmix.engine.edits import move_track, pin_track, remove_track
from moodmix.engine.exclusions import NothingLeft
from moodmix.engine.fit import FitReport, measure_fit
from moodmix.engine.model_reader import ModelMoodReader, open_reader
from moodmix.engine.mood import analyse
from moodmix.engine.naming import description_for, name_for
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
from moodmix.engine.revise import extend, refine, replace_track
from moodmix.engine.revised import Revised, RevisionError
from moodmix.engine.scoring import Fit, target_distance
from moodmix.engine.seeds import NoSeedsFound, SeedError
from moodmix.engine.stored import playlist_from_json

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
    "NothingLeft",
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
    "Revised",
    "RevisionError",
    "SeedError",
    "SeedTrack",
    "SkippedSeed",
    "analyse",
    "description_for",
    "extend",
    "format_duration",
    "make_playlist",
    "measure_fit",
    "move_track",
    "name_for",
    "open_reader",
    "parse_duration",
    "pin_track",
    "playlist_from_json",
    "refine",
    "remove_track",
    "replace_track",
    "target_distance",
]
