"""What every revision gives back: the new playlist and the change in a few words, or why not.

::

    step = remove_track(playlist, track_id)
    step.playlist, step.change       # the new playlist, "removed 'Holocene' by Bon Iver"
    named(track)                     # "'Holocene' by Bon Iver": how a change names a track

``RevisionError`` (a ``ValueError``) says why a change cannot be made; nothing is changed then.
"""

from __future__ import annotations

from dataclasses import dataclass

from moodmix.engine.playlist import Playlist, PlaylistTrack


class RevisionError(ValueError):
    """A change that cannot be made, and why; the playlist stays as it was."""


@dataclass(frozen=True)
class Revised:
    """A playlist after one change, and the change in a few words."""

    playlist: Playlist
    change: str


def named(track: PlaylistTrack) -> str:
    """How a change names ``track``: its title and its artists."""
    by = f" by {', '.join(track.artists)}" if track.artists else ""
    return f"{track.title!r}{by}"
