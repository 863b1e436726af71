"""What the text was understood to mention, by kind, and which track versions it rules out.

::

    recognise(read("no live versions, 80s synth-pop, no vocals"), lexicon())
    # Recognised(genres=('synth-pop',), eras=('1980s',), vocals='instrumental', live=False, ...)
    unwanted_versions(reading, live=False)     # ('karaoke', 'live')

A negated term is listed under ``negations`` by its label; when it flips ("no vocals"), its
opposite counts as asked for. Each list keeps text order, without repeats, at most
``MAX_LISTED`` entries.
"""

from __future__ import annotations

from typing import Final

from moodmix.engine.mood.combine import flipped_term
from moodmix.engine.mood.hits import Reading
from moodmix.engine.mood.reading import MAX_LISTED
from moodmix.engine.profile import Recognised
from moodmix.engine.vocabulary import VOICE, Lexicon

_LISTED_KIND: Final = {
    "mood": "moods",
    "sound": "moods",
    "activity": "activities",
    "setting": "settings",
    "genre": "genres",
    "era": "eras",
}
_LISTED: Final = ("moods", "activities", "settings", "genres", "eras", "negations")


def recognise(reading: Reading, lex: Lexicon) -> Recognised:
    """The moods, activities, settings, genres, eras, artists, negations, vocals, live and tempo
    that ``reading`` found."""
    found: dict[str, list[str]] = {kind: [] for kind in _LISTED}
    vocals: str | None = None
    live: bool | None = None
    for hit in reading.hits:
        term = hit.term
        if hit.negated:
            found["negations"].append(term.label)
            term = flipped_term(hit, lex) or term
            if term.kind == "version" and term.label == "live":
                live = False
                continue
        if term.kind == "vocals":
            vocals = VOICE.get(term.label, vocals)
            if term.genre and not hit.negated:
                found["genres"].append(term.genre)
        elif term.kind == "live":
            live = term.label == "live"
        elif term.kind == "version" and term.label == "live":
            live = True
        elif not hit.negated and term.kind in _LISTED_KIND:
            found[_LISTED_KIND[term.kind]].append(term.label)
    found["negations"].extend(reading.avoided_artists)
    lists = {kind: tuple(dict.fromkeys(words))[:MAX_LISTED] for kind, words in found.items()}
    return Recognised(
        moods=lists["moods"],
        activities=lists["activities"],
        settings=lists["settings"],
        genres=lists["genres"],
        eras=lists["eras"],
        artists=tuple(reading.artists),
        negations=lists["negations"],
        vocals=vocals,
        live=live,
        tempo_bpm=None if reading.tempo is None else round(reading.tempo[0], 1),
    )


def unwanted_versions(reading: Reading, live: bool | None) -> tuple[str, ...]:
    """Versions to drop: karaoke, the ones the text rules out, live ones for "studio only"."""
    unwanted = ["karaoke"]
    wanted: set[str] = set()
    for hit in reading.hits:
        if hit.term.kind == "version":
            (unwanted.append if hit.negated else wanted.add)(hit.term.label)
    if live is False:
        unwanted.append("live")
    elif live is True:
        wanted.add("live")
    return tuple(version for version in dict.fromkeys(unwanted) if version not in wanted)
