"""A playlist's name and description, from its mood.

The name is built from what the mood reader recognised (the scene: an activity, place, time
or weather; the flavour: a genre, era or mood; a named artist) and the mood's colour (how
bright and how energetic it is). Of the shapes that fit, the two most telling offer their
phrasings and the prompt picks one, so different prompts read differently. A name the reader
suggests (``MoodProfile.suggested_name``) wins, and so does its description::

    name_for(analyse("late night jazz in a smoky bar"))      # 'Late-Night Bar Jazz'
    name_for(analyse("heartbroken, like Adele"))             # 'After Adele'
    description_for(analyse("angry metal, very intense"))
    # 'Energetic, sombre metal songs for “angry metal, very intense”.'

Rule-based and deterministic: the same prompt always gets the same name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Final

from moodmix.engine.profile import MoodProfile
from moodmix.engine.reasons import word_for

MAX_NAME_CHARS: Final = 100
"""Spotify's limit for a playlist name."""
MAX_DESCRIPTION_CHARS: Final = 300

DISPLAY: Final[dict[str, str]] = {
    "rain": "Rainy",
    "driving": "Open Road",
    "hip-hop": "Hip-Hop",
    "lo-fi": "Lo-Fi",
    "r&b": "R&B",
    "1990s": "Nineties",
    "1980s": "Eighties",
    "1970s": "Seventies",
    "1960s": "Sixties",
    "2000s": "Noughties",
    "night": "Late Night",
    "focus": "Deep Focus",
    "workout": "Workout",
    "coffee shop": "Coffee Shop",
    "danceable": "Dancefloor",
    "aggressive": "Raging",
    "energetic": "High-Voltage",
    "relaxed": "Laid-Back",
    "happy": "Sunny",
}
"""How a recognised term reads in a name, where title case is not enough."""

ADJECTIVES: Final[dict[str, str]] = {"rain": "Rainy", "night": "Late-Night", "summer": "Summer"}
"""Terms that read as an adjective before another scene term: "Rainy Sunday"."""

_NOUNS: Final[dict[tuple[bool, bool], tuple[str, ...]]] = {
    (False, False): ("Blue Hours", "Low Light", "Quiet Weather", "Dusk", "Slow Tides"),
    (False, True): ("Soft Focus", "Warm Light", "Daydreams", "Easy Hours", "Gentle Glow"),
    (True, False): ("Thunder", "Voltage", "Overdrive", "Storm Front", "Red Line"),
    (True, True): ("Heatwave", "Liftoff", "Sparks", "Golden Hour", "High Spirits"),
}
"""Closing nouns by (energetic, bright)."""

_PACES: Final[dict[int, tuple[str, ...]]] = {
    0: ("Unhurried", "Softly", "Slowly Now", "In No Hurry", "Half Awake", "Lights Low"),
    1: ("Easy Does It", "In Stride", "Cruising", "Even Keel", "Easy Going"),
    2: ("Turned Up", "Full Tilt", "All Out", "No Brakes", "Flat Out"),
}
"""Pace words by energy level: calm, middling, high."""
_GATHERINGS: Final = ("Sessions", "Hours", "Diaries", "Mixtape", "Stories")

FOR: Final[dict[str, str]] = {
    "workout": "the Workout",
    "study": "Studying",
    "commute": "the Commute",
    "party": "the Party",
    "driving": "the Open Road",
}
"""How an activity reads after "for", where its name alone does not."""


class _Parts:
    """The pieces a name is made of, read from a profile."""

    def __init__(self, profile: MoodProfile) -> None:
        found = profile.recognised
        self.scene = _scene((*found.settings, *found.activities))
        self.place = bool(found.settings)
        first = found.activities[0] if found.activities and not found.settings else ""
        self.for_scene = FOR.get(first) or (_article(self.scene) if self.place else self.scene)
        self.genre = _display(next(iter((*found.genres, *found.eras)), ""))
        self.mood = _display(found.moods[0]) if found.moods else ""
        self.flavour = self.genre or self.mood
        self.artist = found.artists[0] if found.artists else ""
        energy = profile.targets.get("energy", 0.5)
        valence = profile.targets.get("valence", 0.5)
        self.colour = _NOUNS[energy >= 0.6, valence >= 0.55]
        self.pace = _PACES[0 if energy < 0.4 else 1 if energy < 0.7 else 2]
        self.seed = int.from_bytes(hashlib.sha256(profile.text.encode()).digest()[:8], "big")

    def pick(self, options: Sequence[str], salt: int = 0) -> str:
        return options[(self.seed >> (salt * 5)) % len(options)]


Shape = Callable[[_Parts], list[str]]


def _echoes(parts: _Parts) -> list[str]:
    if not parts.artist:
        return []
    return [f"{parts.pick(('Echoes of', 'After', 'In the Key of', 'Orbiting'), 3)} {parts.artist}"]


def _genre_scene(parts: _Parts) -> list[str]:
    if not (parts.genre and parts.scene) or parts.genre == parts.scene:
        return []
    return [f"{parts.genre} for {parts.for_scene}", f"{parts.scene} {parts.genre}"]


def _mood_genre(parts: _Parts) -> list[str]:
    if not (parts.mood and parts.genre):
        return []
    return [f"{parts.mood} {parts.genre} {parts.pick(_GATHERINGS, 4)}"]


def _scene_pace(parts: _Parts) -> list[str]:
    return [f"{parts.scene}, {parts.pick(parts.pace, 2)}"] if parts.scene else []


def _colour(parts: _Parts) -> list[str]:
    lead = parts.scene or parts.flavour
    if not lead:
        return []
    noun = parts.pick(parts.colour, 1)
    return [f"{noun} for {lead}" if lead.endswith("ing") else f"{lead} {noun}"]


SHAPES: Final[tuple[Shape, ...]] = (_echoes, _genre_scene, _mood_genre, _scene_pace, _colour)
"""Name shapes, the most telling first: a named artist, genre and scene, mood and genre,
scene and pace, scene or flavour and a word for the mood's colour."""
CHOICE: Final = 2
"""The prompt picks among the phrasings of this many of the most telling shapes that fit."""


def name_for(profile: MoodProfile) -> str:
    """The playlist's name: the suggested one, else one made from the mood."""
    if profile.suggested_name and profile.suggested_name.strip():
        return _clip(" ".join(profile.suggested_name.split()), MAX_NAME_CHARS)
    parts = _Parts(profile)
    fits = [names for shape in SHAPES if (names := shape(parts))][:CHOICE]
    if fits and fits[0] == _echoes(parts):
        fits = fits[:1]  # a named artist says it best
    pool = [name for names in fits for name in names]
    if pool:
        return _clip(pool[parts.seed % len(pool)], MAX_NAME_CHARS)
    words = " ".join(w.capitalize() for w in profile.text.split()[:4])
    return _clip(f"{words} {parts.pick(parts.colour, 1)}", MAX_NAME_CHARS)


def description_for(profile: MoodProfile) -> str:
    """One sentence on the playlist: its energy and colour, what it is, and the prompt."""
    if profile.suggested_description and profile.suggested_description.strip():
        return _clip(" ".join(profile.suggested_description.split()), MAX_DESCRIPTION_CHARS)
    energy = word_for("energy", profile.targets.get("energy", 0.5))
    colour = word_for("valence", profile.targets.get("valence", 0.5))
    found = profile.recognised
    kind = _display(found.genres[0]) if found.genres else ""
    kind = kind if kind.isupper() or "&" in kind else kind.lower()
    what = "instrumentals" if found.vocals == "instrumental" else "songs"
    lean = f"{kind} {what}" if kind else what
    extra = f" in the spirit of {found.artists[0]}," if found.artists else ""
    prompt = " ".join(profile.text.split())
    text = f"{energy.capitalize()}, {colour} {lean}{extra} for \u201c{prompt}\u201d."
    return _clip(text, MAX_DESCRIPTION_CHARS)


def _scene(terms: Sequence[str]) -> str:
    if not terms:
        return ""
    if len(terms) >= 2 and terms[0] in ADJECTIVES:
        return f"{ADJECTIVES[terms[0]]} {_display(terms[1])}"
    return _display(terms[0])


def _display(term: str) -> str:
    if not term:
        return ""
    return DISPLAY.get(term) or " ".join(word.capitalize() for word in term.split())


def _article(scene: str) -> str:
    return f"{'an' if scene[0] in 'AEIOU' else 'a'} {scene}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
