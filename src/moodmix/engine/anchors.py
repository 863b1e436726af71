"""Anchor artists: well-known names to seed a playlist when the prompt gives no seeds or artists.

The artists are the analyser's own (``vocabulary.ARTISTS``: the first few of each genre), and
genre names and each genre's typical sound are the analyser's too (``vocabulary``,
``vocabulary.TYPICAL_SOUND``); here are the mood words' artists and one function that picks
for a profile, best first::

    names = anchor_artists(profile)          # e.g. ('Norah Jones', 'Bon Iver', 'Nujabes', ...)
    canonical_genre("Hip Hop")               # 'hip-hop'
    GENRE_ANCHORS["jazz"][0]                 # 'Miles Davis'

The order: recognised genres first (their mood-fitting names before the rest); without genres,
the names tied to the recognised moods, activities and settings; without those, the genres whose
typical sound is nearest the profile's targets. Genres take turns, so the first few anchors
cover several genres when the mood spans several. Callers search for the names in order and
move on to the next when one is not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from moodmix.engine.folding import fold
from moodmix.engine.profile import MoodProfile
from moodmix.engine.scoring import target_distance
from moodmix.engine.vocabulary import ARTISTS, TYPICAL_SOUND, genre_family, genre_term

ANCHORS_PER_GENRE: Final = 6

GENRE_ANCHORS: Final[Mapping[str, tuple[str, ...]]] = {
    genre: names[:ANCHORS_PER_GENRE] for genre, names in ARTISTS.items()
}
"""Genre -> its best-known artists: the first of each genre in ``vocabulary.ARTISTS``."""


_CALM = ("Norah Jones", "Bon Iver", "Ludovico Einaudi", "Nujabes", "Brian Eno")
_SAD = ("Adele", "Bon Iver", "Nick Drake", "Radiohead", "Billie Eilish")
_HAPPY = ("Earth, Wind & Fire", "Dua Lipa", "Bob Marley & The Wailers", "Shakira", "James Brown")
_ENERGETIC = ("Daft Punk", "Queen", "Calvin Harris", "Eminem", "The Chemical Brothers")
_ANGRY = ("Metallica", "Slayer", "Sex Pistols", "Eminem", "Black Sabbath")
_ROMANTIC = ("Frank Ocean", "Alicia Keys", "Norah Jones", "The Weeknd", "Usher")
_NOSTALGIC = ("The Beatles", "Simon & Garfunkel", "Joni Mitchell", "Ella Fitzgerald")
_HOPEFUL = ("Coldplay", "Arcade Fire", "Ed Sheeran", "Fleet Foxes")
_DREAMY = ("Tame Impala", "Sigur Rós", "Frank Ocean", "Brian Eno")
_DARK = ("Radiohead", "The Weeknd", "Billie Eilish", "Nick Drake", "Aphex Twin")
_GROOVY = ("James Brown", "Prince", "Parliament", "Daft Punk", "Purple Disco Machine")
_CONFIDENT = ("Beyoncé", "Kendrick Lamar", "Jay-Z", "Dua Lipa")
_EPIC = ("Ludwig van Beethoven", "Sigur Rós", "Pink Floyd", "Queen")
_TENSE = ("Aphex Twin", "Radiohead", "Tim Hecker", "Jeff Mills")
_COZY = ("Norah Jones", "Ella Fitzgerald", "Joni Mitchell", "Nujabes")
_FOCUS = ("Nujabes", "Brian Eno", "Johann Sebastian Bach", "Ludovico Einaudi", "Jinsang")
_SLEEP = ("Brian Eno", "Stars of the Lid", "Ludovico Einaudi", "Harold Budd")
_WORKOUT = ("Eminem", "Calvin Harris", "Daft Punk", "Kanye West", "Kendrick Lamar")
_PARTY = ("Dua Lipa", "Calvin Harris", "Daft Punk", "Bad Bunny", "Purple Disco Machine")
_DRIVE = ("Arctic Monkeys", "Tame Impala", "The Strokes", "Daft Punk", "Kendrick Lamar")
_DINNER = ("Ella Fitzgerald", "Louis Armstrong", "Norah Jones", "Bob Marley & The Wailers")
_RAIN = ("Norah Jones", "Bon Iver", "Nujabes", "Nick Drake")
_MORNING = ("Norah Jones", "Simon & Garfunkel", "Ella Fitzgerald", "Jinsang")
_NIGHT = ("The Weeknd", "Frank Ocean", "Miles Davis", "Nujabes")
_SUMMER = ("Bob Marley & The Wailers", "Shakira", "Bad Bunny", "Calvin Harris")
_WINTER = ("Bon Iver", "Nick Drake", "Sigur Rós", "Joni Mitchell")
_CITY = ("Kendrick Lamar", "The Strokes", "Daft Punk", "Frank Ocean")
_BITTERSWEET = ("Bon Iver", "Coldplay", "Fleet Foxes", "Adele")
_EXPERIMENTAL = ("Aphex Twin", "Radiohead", "Tim Hecker", "Brian Eno")
_ELEGANT = ("Frédéric Chopin", "Ella Fitzgerald", "Duke Ellington", "Miles Davis")
_SPIRITUAL = ("John Coltrane", "Sigur Rós", "Johann Sebastian Bach", "Brian Eno")
_GAMING = ("Daft Punk", "Justice", "The Chemical Brothers", "Aphex Twin")
_WALKING = ("Vampire Weekend", "Fleet Foxes", "Tame Impala", "Ed Sheeran")
_WEDDING = ("Ed Sheeran", "Etta James", "Earth, Wind & Fire", "Beyoncé")
_FUNERAL = ("Johann Sebastian Bach", "Ludovico Einaudi", "Stars of the Lid", "Nick Drake")
_NATURE = ("Fleet Foxes", "Bon Iver", "Brian Eno", "Sigur Rós")
_SPOOKY = ("Black Sabbath", "Tim Hecker", "Aphex Twin", "Metallica")
_BAR = ("Muddy Waters", "B.B. King", "Johnny Cash", "The Rolling Stones")
_SPACE = ("Brian Eno", "Pink Floyd", "Sigur Rós", "Aphex Twin")

MOOD_ANCHORS: Final[Mapping[str, tuple[str, ...]]] = {
    **dict.fromkeys(
        ("calm", "relaxed", "relaxing", "chill", "mellow", "peaceful", "serene", "soothing"), _CALM
    ),
    **dict.fromkeys(
        ("sad", "melancholic", "melancholy", "heartbroken", "lonely", "blue", "grief"), _SAD
    ),
    **dict.fromkeys(("happy", "joyful", "cheerful", "uplifting", "upbeat", "euphoric"), _HAPPY),
    **dict.fromkeys(("energetic", "hype", "pumped", "intense", "excited", "powerful"), _ENERGETIC),
    **dict.fromkeys(("angry", "aggressive", "furious", "rage", "rebellious"), _ANGRY),
    **dict.fromkeys(("romantic", "love", "sensual", "sexy", "intimate", "date"), _ROMANTIC),
    **dict.fromkeys(("nostalgic", "nostalgia", "retro", "wistful"), _NOSTALGIC),
    **dict.fromkeys(("hopeful", "hope", "optimistic", "inspired", "inspiring"), _HOPEFUL),
    **dict.fromkeys(("dreamy", "ethereal", "hazy", "psychedelic"), _DREAMY),
    **dict.fromkeys(("dark", "moody", "brooding", "gloomy", "mysterious"), _DARK),
    **dict.fromkeys(("groovy", "funky", "grooving"), _GROOVY),
    **dict.fromkeys(("confident", "swagger", "empowered", "bold"), _CONFIDENT),
    **dict.fromkeys(("epic", "cinematic", "triumphant", "majestic"), _EPIC),
    **dict.fromkeys(("anxious", "tense", "nervous", "restless"), _TENSE),
    **dict.fromkeys(("cozy", "cosy", "warm", "comforting"), _COZY),
    **dict.fromkeys(
        ("focus", "focused", "study", "studying", "concentration", "reading", "work", "coding"),
        _FOCUS,
    ),
    **dict.fromkeys(("sleep", "sleepy", "bedtime", "meditation", "yoga", "relaxation"), _SLEEP),
    **dict.fromkeys(
        ("workout", "gym", "running", "run", "training", "exercise", "cardio", "lifting"), _WORKOUT
    ),
    **dict.fromkeys(("party", "dancing", "club", "celebration", "pregame"), _PARTY),
    **dict.fromkeys(("commute", "driving", "drive", "road", "travel", "roadtrip"), _DRIVE),
    **dict.fromkeys(("cooking", "dinner", "brunch", "cleaning", "chores"), _DINNER),
    **dict.fromkeys(("rain", "rainy", "storm", "cloudy"), _RAIN),
    **dict.fromkeys(("sunday", "morning", "coffee", "breakfast", "weekend"), _MORNING),
    **dict.fromkeys(("night", "midnight", "late", "evening", "nighttime"), _NIGHT),
    **dict.fromkeys(("summer", "beach", "sunny", "sunset", "tropical", "vacation"), _SUMMER),
    **dict.fromkeys(("winter", "snow", "autumn", "fall", "cold", "christmas"), _WINTER),
    **dict.fromkeys(("city", "urban", "downtown"), _CITY),
    **dict.fromkeys(("bittersweet", "windy"), _BITTERSWEET),
    **dict.fromkeys(("experimental", "weird", "avant garde"), _EXPERIMENTAL),
    **dict.fromkeys(("elegant", "classy", "sophisticated"), _ELEGANT),
    **dict.fromkeys(("spiritual", "sacred", "prayer"), _SPIRITUAL),
    **dict.fromkeys(("gaming", "games"), _GAMING),
    **dict.fromkeys(("walking", "walk", "stroll", "spring", "afternoon", "picnic"), _WALKING),
    **dict.fromkeys(("wedding", "grateful", "gratitude"), _WEDDING),
    **dict.fromkeys(("funeral", "mourning", "memorial"), _FUNERAL),
    **dict.fromkeys(("nature", "forest", "hiking", "mountains"), _NATURE),
    **dict.fromkeys(("halloween", "spooky", "creepy", "horror"), _SPOOKY),
    **dict.fromkeys(("bar", "pub", "saloon"), _BAR),
    **dict.fromkeys(("space", "stars", "cosmic"), _SPACE),
    **dict.fromkeys(("motivated", "motivation", "cycling", "monday"), _WORKOUT),
    **dict.fromkeys(("carefree", "silly", "fun", "hot"), _HAPPY),
    **dict.fromkeys(("friday", "saturday", "getting ready"), _PARTY),
    **dict.fromkeys(("home", "living room"), _COZY),
    **dict.fromkeys(("office", "desk"), _FOCUS),
}
"""Mood, activity and setting words (folded) -> artists that suit them (each in a genre above)."""

_GENRE_OF: Final[Mapping[str, str]] = {
    name: genre for genre, names in ARTISTS.items() for name in names
}


def genre_of(artist: str) -> str | None:
    """The genre a known artist is listed under, or ``None`` if the vocabulary lacks it."""
    return _GENRE_OF.get(artist)


def canonical_genre(name: str) -> str | None:
    """The genre of ``GENRE_ANCHORS`` that ``name`` means (as the analyser reads genre words,
    ``vocabulary.genre_term``), or ``None``."""
    term = genre_term(name)
    return None if term is None else genre_family(term.label)


def genres_by_sound(profile: MoodProfile, genres: Iterable[str] | None = None) -> list[str]:
    """``genres`` (default: all) ordered by how near their typical sound is to the targets."""
    pool = list(GENRE_ANCHORS if genres is None else dict.fromkeys(genres))
    return sorted(pool, key=lambda g: (target_distance(TYPICAL_SOUND[g], profile), pool.index(g)))


def anchor_artists(profile: MoodProfile) -> tuple[str, ...]:
    """Anchor artist names for ``profile``, best first (see the module docstring)."""
    recognised = profile.recognised
    genres = list(dict.fromkeys(g for name in recognised.genres if (g := canonical_genre(name))))
    mood_names = _mood_artists((*recognised.moods, *recognised.activities, *recognised.settings))
    if genres:
        fitting = [name for name in mood_names if genre_of(name) in genres]
        lists = {g: [*[n for n in fitting if genre_of(n) == g], *GENRE_ANCHORS[g]] for g in genres}
        order = genres
    elif mood_names:
        lists = {}
        for name in mood_names:
            lists.setdefault(genre_of(name) or "", []).append(name)
        order = genres_by_sound(profile, lists)
    else:
        order = genres_by_sound(profile)[:3]
        lists = {g: list(GENRE_ANCHORS[g]) for g in order}
    return tuple(dict.fromkeys(_take_turns([lists[g] for g in order])))


def _mood_artists(words: Iterable[str]) -> list[str]:
    names: list[str] = []
    for word in words:
        folded = fold(word)
        keys = [folded] if folded in MOOD_ANCHORS else folded.split()
        for key in keys:
            names.extend(MOOD_ANCHORS.get(key, ()))
    return list(dict.fromkeys(names))


def _take_turns(lists: list[list[str]]) -> list[str]:
    out: list[str] = []
    for row in range(max((len(names) for names in lists), default=0)):
        out.extend(names[row] for names in lists if row < len(names))
    return out
