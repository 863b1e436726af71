"""Anchor artists: well-known names to seed a playlist when the prompt gives no seeds or artists.

Plain data (real artist names per genre and per mood word, and each genre's typical sound) and
one function that picks from it for a profile, best first::

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

_SOUND_FEATURES: Final = (
    "energy",
    "valence",
    "danceability",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "tempo",
    "loudness",
)


def _sound(*values: float) -> Mapping[str, float]:
    return dict(zip(_SOUND_FEATURES, values, strict=True))


GENRE_ANCHORS: Final[Mapping[str, tuple[str, ...]]] = {
    "pop": ("Taylor Swift", "Adele", "Ed Sheeran", "Dua Lipa", "Billie Eilish", "Ariana Grande"),
    "rock": (
        "The Beatles",
        "Queen",
        "The Rolling Stones",
        "Led Zeppelin",
        "Pink Floyd",
        "Coldplay",
    ),
    "hip-hop": ("Kendrick Lamar", "Drake", "Kanye West", "Eminem", "Jay-Z", "Nas"),
    "electronic": (
        "Daft Punk",
        "The Chemical Brothers",
        "Aphex Twin",
        "Justice",
        "Calvin Harris",
        "Avicii",
    ),
    "house": (
        "Frankie Knuckles",
        "Larry Heard",
        "Kerri Chandler",
        "Masters at Work",
        "Purple Disco Machine",
        "Fisher",
    ),
    "techno": (
        "Jeff Mills",
        "Richie Hawtin",
        "Carl Cox",
        "Adam Beyer",
        "Charlotte de Witte",
        "Amelie Lens",
    ),
    "jazz": (
        "Miles Davis",
        "John Coltrane",
        "Norah Jones",
        "Ella Fitzgerald",
        "Louis Armstrong",
        "Duke Ellington",
    ),
    "classical": (
        "Ludovico Einaudi",
        "Johann Sebastian Bach",
        "Wolfgang Amadeus Mozart",
        "Ludwig van Beethoven",
        "Frédéric Chopin",
        "Claude Debussy",
    ),
    "r&b": ("Beyoncé", "The Weeknd", "Frank Ocean", "SZA", "Alicia Keys", "Usher"),
    "country": (
        "Johnny Cash",
        "Dolly Parton",
        "Willie Nelson",
        "Kacey Musgraves",
        "Chris Stapleton",
        "Luke Combs",
    ),
    "folk": (
        "Bon Iver",
        "Bob Dylan",
        "Joni Mitchell",
        "Simon & Garfunkel",
        "Nick Drake",
        "Fleet Foxes",
    ),
    "metal": ("Metallica", "Iron Maiden", "Black Sabbath", "Slayer", "Megadeth", "Judas Priest"),
    "indie": (
        "Radiohead",
        "Arctic Monkeys",
        "The Strokes",
        "Arcade Fire",
        "Vampire Weekend",
        "Tame Impala",
    ),
    "latin": ("Bad Bunny", "Shakira", "J Balvin", "Rosalía", "Karol G", "Daddy Yankee"),
    "ambient": (
        "Brian Eno",
        "Stars of the Lid",
        "Tim Hecker",
        "William Basinski",
        "Harold Budd",
        "Sigur Rós",
    ),
    "blues": (
        "B.B. King",
        "Muddy Waters",
        "Robert Johnson",
        "Howlin' Wolf",
        "John Lee Hooker",
        "Etta James",
    ),
    "reggae": (
        "Bob Marley & The Wailers",
        "Peter Tosh",
        "Jimmy Cliff",
        "Toots and the Maytals",
        "Burning Spear",
        "Damian Marley",
    ),
    "punk": ("Ramones", "Sex Pistols", "The Clash", "Green Day", "blink-182", "Bad Religion"),
    "lo-fi": ("Nujabes", "J Dilla", "Jinsang", "Tomppabeats", "Idealism", "Kupla"),
    "funk": (
        "James Brown",
        "Parliament",
        "Funkadelic",
        "Earth, Wind & Fire",
        "Prince",
        "Sly & The Family Stone",
    ),
}
"""Genre -> well-known artists of it, most famous first."""

GENRE_SOUND: Final[Mapping[str, Mapping[str, float]]] = {
    # energy, valence, danceability, acousticness, instrumentalness, speechiness, tempo, loudness
    "pop": _sound(0.68, 0.55, 0.68, 0.20, 0.01, 0.06, 118, -6),
    "rock": _sound(0.78, 0.48, 0.48, 0.10, 0.04, 0.05, 125, -6),
    "hip-hop": _sound(0.65, 0.48, 0.76, 0.12, 0.01, 0.28, 98, -6),
    "electronic": _sound(0.78, 0.40, 0.66, 0.05, 0.35, 0.06, 126, -6),
    "house": _sound(0.80, 0.55, 0.78, 0.03, 0.45, 0.06, 124, -7),
    "techno": _sound(0.83, 0.25, 0.70, 0.02, 0.80, 0.06, 132, -8),
    "jazz": _sound(0.34, 0.50, 0.52, 0.72, 0.55, 0.05, 112, -12),
    "classical": _sound(0.14, 0.22, 0.26, 0.93, 0.88, 0.05, 105, -20),
    "r&b": _sound(0.55, 0.50, 0.66, 0.25, 0.01, 0.09, 100, -7),
    "country": _sound(0.66, 0.60, 0.58, 0.30, 0.01, 0.04, 122, -6),
    "folk": _sound(0.32, 0.42, 0.50, 0.80, 0.08, 0.04, 112, -11),
    "metal": _sound(0.93, 0.28, 0.38, 0.01, 0.15, 0.08, 135, -5),
    "indie": _sound(0.58, 0.42, 0.55, 0.30, 0.12, 0.05, 120, -8),
    "latin": _sound(0.72, 0.68, 0.76, 0.20, 0.01, 0.10, 105, -5),
    "ambient": _sound(0.12, 0.12, 0.22, 0.70, 0.90, 0.05, 90, -20),
    "blues": _sound(0.50, 0.55, 0.52, 0.45, 0.10, 0.05, 108, -9),
    "reggae": _sound(0.55, 0.72, 0.78, 0.20, 0.05, 0.12, 85, -8),
    "punk": _sound(0.92, 0.50, 0.42, 0.02, 0.02, 0.07, 170, -5),
    "lo-fi": _sound(0.32, 0.40, 0.68, 0.65, 0.80, 0.07, 85, -12),
    "funk": _sound(0.70, 0.80, 0.80, 0.12, 0.15, 0.07, 108, -7),
}
"""Each genre's typical audio features, to find the genres nearest a mood."""

GENRE_ALIASES: Final[Mapping[str, str]] = {
    "hip hop": "hip-hop",
    "hiphop": "hip-hop",
    "rap": "hip-hop",
    "trap": "hip-hop",
    "r n b": "r&b",
    "rnb": "r&b",
    "randb": "r&b",
    "soul": "r&b",
    "neo soul": "r&b",
    "gospel": "r&b",
    "edm": "electronic",
    "electronica": "electronic",
    "electro": "electronic",
    "dance": "electronic",
    "synthwave": "electronic",
    "synth pop": "pop",
    "trip hop": "electronic",
    "uk garage": "electronic",
    "soundtrack": "classical",
    "score": "classical",
    "post rock": "rock",
    "psychedelic": "rock",
    "flamenco": "latin",
    "afrobeats": "latin",
    "afrobeat": "funk",
    "chanson": "pop",
    "trance": "electronic",
    "dubstep": "electronic",
    "drum and bass": "electronic",
    "dnb": "electronic",
    "idm": "electronic",
    "deep house": "house",
    "disco": "funk",
    "lofi": "lo-fi",
    "lo fi": "lo-fi",
    "chillhop": "lo-fi",
    "jazzhop": "lo-fi",
    "classic rock": "rock",
    "hard rock": "rock",
    "alternative": "indie",
    "alt rock": "indie",
    "alternative rock": "indie",
    "indie rock": "indie",
    "indie pop": "indie",
    "shoegaze": "indie",
    "dream pop": "indie",
    "grunge": "rock",
    "heavy metal": "metal",
    "pop punk": "punk",
    "emo": "punk",
    "hardcore": "punk",
    "singer songwriter": "folk",
    "acoustic": "folk",
    "americana": "country",
    "bluegrass": "country",
    "orchestral": "classical",
    "piano": "classical",
    "opera": "classical",
    "neoclassical": "classical",
    "new age": "ambient",
    "drone": "ambient",
    "bossa nova": "latin",
    "swing": "jazz",
    "bebop": "jazz",
    "reggaeton": "latin",
    "salsa": "latin",
    "k pop": "pop",
    "kpop": "pop",
    "j pop": "pop",
    "dancehall": "reggae",
    "ska": "reggae",
    "dub": "reggae",
}
"""Other names for the genres above (keys folded: lowercase ASCII words)."""

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
    name: genre for genre, names in GENRE_ANCHORS.items() for name in names
}


def genre_of(artist: str) -> str | None:
    """The genre an anchor artist is listed under, or ``None`` if it is not an anchor."""
    return _GENRE_OF.get(artist)


def canonical_genre(name: str) -> str | None:
    """The genre of ``GENRE_ANCHORS`` that ``name`` means, or ``None``."""
    folded = fold(name)
    for genre in GENRE_ANCHORS:
        if fold(genre) == folded:
            return genre
    if folded in GENRE_ALIASES:
        return GENRE_ALIASES[folded]
    compact = folded.replace(" ", "")
    return next((g for a, g in GENRE_ALIASES.items() if a.replace(" ", "") == compact), None)


def genres_by_sound(profile: MoodProfile, genres: Iterable[str] | None = None) -> list[str]:
    """``genres`` (default: all) ordered by how near their typical sound is to the targets."""
    pool = list(GENRE_ANCHORS if genres is None else dict.fromkeys(genres))
    return sorted(pool, key=lambda g: (target_distance(GENRE_SOUND[g], profile), pool.index(g)))


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
