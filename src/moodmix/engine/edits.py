"""Changes to a playlist that ask nothing of the upstream: remove, move, pin.

::

    step = remove_track(playlist, track_id)
    step = move_track(step.playlist, track_id, to=0)
    step = pin_track(step.playlist, track_id)         # kept in place by a refine
    position_of(step.playlist, track_id)               # 0

Each returns a ``Revised`` with every reason written again and the quality measured again
for the playlist as it now stands (``rebuild.with_tracks``); ``RevisionError`` says why a
change cannot be made, and nothing is changed then.
"""

from __future__ import annotations

from dataclasses import replace

from moodmix.engine.playlist import Playlist
from moodmix.engine.rebuild import with_tracks
from moodmix.engine.revised import Revised, RevisionError, named


def remove_track(playlist: Playlist, track_id: str) -> Revised:
    """``playlist`` without ``track_id``; a playlist keeps at least one track."""
    index = position_of(playlist, track_id)
    if len(playlist.tracks) == 1:
        raise RevisionError("a playlist keeps at least one track; this is its last one")
    gone = playlist.tracks[index]
    tracks = playlist.tracks[:index] + playlist.tracks[index + 1 :]
    return Revised(with_tracks(playlist, tracks), f"removed {named(gone)}")


def move_track(playlist: Playlist, track_id: str, to: int) -> Revised:
    """``playlist`` with ``track_id`` moved to position ``to`` (0-based)."""
    index = position_of(playlist, track_id)
    if isinstance(to, bool) or not 0 <= to < len(playlist.tracks):
        raise RevisionError(
            f"position {to!r} is outside the playlist: from 0 to {len(playlist.tracks) - 1}"
        )
    tracks = list(playlist.tracks)
    moved = tracks.pop(index)
    tracks.insert(to, moved)
    change = f"moved {named(moved)} from {index + 1} to {to + 1}"
    return Revised(with_tracks(playlist, tuple(tracks)), change)


def pin_track(playlist: Playlist, track_id: str, pinned: bool = True) -> Revised:
    """``playlist`` with ``track_id`` pinned (kept in place by refines) or unpinned."""
    index = position_of(playlist, track_id)
    track = playlist.tracks[index]
    tracks = list(playlist.tracks)
    tracks[index] = replace(track, pinned=pinned)
    change = f"{'pinned' if pinned else 'unpinned'} {named(track)}"
    return Revised(replace(playlist, tracks=tuple(tracks), upstream_requests=0), change)


def position_of(playlist: Playlist, track_id: str) -> int:
    """Where ``track_id`` is in ``playlist`` (0-based); ``RevisionError`` if it is not."""
    for index, track in enumerate(playlist.tracks):
        if track.id == track_id:
            return index
    raise RevisionError(f"track {track_id!r} is not in this playlist")
