"""Genres and eras, and the typical sound of each.

Plain data for ``vocabulary``. Genre labels are the catalog's genre names where one fits
("hip-hop", "lo-fi", "r&b"); ``FAMILIES`` maps the others to the nearest of those. Eras are
labelled by decade ("1980s"), or "oldies" and "recent". ``TYPICAL_SOUND`` is how each catalog
genre usually sounds::

    FAMILIES["synthwave"]   # 'electronic'
    TYPICAL_SOUND["jazz"]["acousticness"]   # 0.72
    ERAS[6].words.split(",")[0]   # '1980s'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from moodmix.engine.vocabulary.types import Spec

STRENGTH: Final = 0.5
ERA_STRENGTH: Final = 0.25

GENRES: Final[tuple[Spec, ...]] = (
    Spec(
        "pop, pop music, mainstream, top 40, top hits, chart hits, charts, radio hits",
        {"valence": 0.62, "danceability": 0.68, "energy": 0.68, "acousticness": (0.2, 0.3)},
    ),
    Spec(
        "rock, rock music, rock n roll, rocknroll, rock and roll, classic rock, hard rock,"
        " alt rock, alternative rock, alternative, arena rock, garage rock",
        {"energy": 0.78, "acousticness": (0.1, 0.4), "loudness": (-6, 0.3)},
    ),
    Spec(
        "hip-hop, hip hop, hiphop, boom bap, conscious hip hop",
        {
            "speechiness": (0.25, 0.6),
            "danceability": 0.76,
            "energy": (0.65, 0.3),
            "instrumentalness": (0.02, 0.3),
            "tempo": (95, 0.3),
        },
    ),
    Spec(
        "electronic, electronica, edm, electro, idm, electronic music, breakbeat, big beat",
        {
            "acousticness": 0.05,
            "energy": 0.75,
            "danceability": 0.68,
            "instrumentalness": (0.35, 0.3),
        },
    ),
    Spec(
        "house, house music, deep house, tech house, progressive house, afro house",
        {"danceability": 0.8, "energy": 0.78, "tempo": (124, 0.6), "acousticness": (0.03, 0.4)},
    ),
    Spec(
        "techno, minimal techno, industrial techno, acid techno, hard techno",
        {
            "energy": 0.83,
            "tempo": (132, 0.6),
            "instrumentalness": 0.8,
            "valence": (0.3, 0.3),
            "danceability": (0.7, 0.3),
        },
    ),
    Spec(
        "trance, psytrance, psy trance, uplifting trance",
        {"energy": 0.85, "tempo": (138, 0.6), "instrumentalness": (0.6, 0.4)},
    ),
    Spec(
        "drum and bass, drum n bass, drumnbass, dnb, d and b, jungle, liquid dnb, liquid drum"
        " and bass",
        {"tempo": (174, 0.7), "energy": 0.85, "danceability": (0.6, 0.3)},
    ),
    Spec(
        "dubstep, brostep, riddim, bass music",
        {"energy": 0.85, "tempo": (140, 0.5), "loudness": (-4, 0.4)},
    ),
    Spec(
        "synthwave, retrowave, outrun, vaporwave, chillwave, darksynth",
        {"acousticness": 0.05, "energy": (0.6, 0.3), "instrumentalness": (0.5, 0.3)},
    ),
    Spec(
        "trip-hop, trip hop, triphop, downbeat, lounge, chill out lounge",
        {"energy": (0.35, 0.5), "tempo": (90, 0.4), "acousticness": (0.35, 0.2)},
    ),
    Spec(
        "jazz, jazzy, bebop, smooth jazz, jazz music, cool jazz, jazz trio, hard bop, fusion",
        {
            "acousticness": 0.7,
            "instrumentalness": (0.5, 0.4),
            "energy": (0.35, 0.4),
            "loudness": (-11, 0.3),
        },
    ),
    Spec(
        "swing, big band, big bands, swing music",
        {"danceability": (0.7, 0.4), "valence": (0.7, 0.3), "acousticness": (0.6, 0.3)},
    ),
    Spec(
        "classical, classical music, orchestral, orchestra, symphony, symphonic, baroque,"
        " piano concerto, concerto, chamber music, neoclassical, neo classical, modern classical,"
        " string quartets",
        {
            "acousticness": 0.92,
            "instrumentalness": 0.88,
            "energy": (0.18, 0.5),
            "speechiness": (0.03, 0.4),
            "loudness": (-18, 0.4),
        },
    ),
    Spec(
        "opera, operatic, aria, arias",
        {"acousticness": 0.8, "instrumentalness": (0.15, 0.3), "energy": (0.4, 0.3)},
    ),
    Spec(
        "soundtrack, soundtracks, film score, film scores, movie soundtrack, score, ost,"
        " video game music, game soundtrack",
        {"instrumentalness": 0.75, "energy": (0.45, 0.2)},
    ),
    Spec(
        "r&b, r and b, rnb, randb, rhythm and blues, neo soul, neo-soul, contemporary r and b",
        {"danceability": 0.66, "energy": (0.55, 0.3), "acousticness": (0.25, 0.2)},
    ),
    Spec(
        "soul, soulful, motown, northern soul, classic soul",
        {"valence": (0.6, 0.3), "acousticness": (0.4, 0.3), "energy": (0.55, 0.3)},
    ),
    Spec(
        "gospel, worship, christian, hymns, hymn, praise",
        {"valence": (0.65, 0.3), "energy": (0.55, 0.3)},
    ),
    Spec(
        "country, country music, americana, honky tonk, bluegrass, outlaw country, western",
        {"acousticness": (0.35, 0.3), "valence": (0.6, 0.4), "energy": (0.6, 0.3)},
    ),
    Spec(
        "folk, folky, folksy, singer songwriter, singer-songwriter, indie folk, folk music,"
        " folk rock, celtic",
        {"acousticness": 0.82, "energy": (0.32, 0.5), "instrumentalness": (0.05, 0.3)},
    ),
    Spec(
        "metal, heavy metal, metalcore, death metal, black metal, thrash, thrash metal,"
        " doom metal, nu metal, djent, deathcore",
        {
            "energy": 0.93,
            "valence": (0.28, 0.4),
            "loudness": (-4, 0.5),
            "acousticness": (0.01, 0.5),
        },
    ),
    Spec(
        "indie, indie rock, indie pop, alt, bedroom pop, dream pop, shoegaze, jangle pop,"
        " post punk revival, indie music",
        {"energy": (0.58, 0.3), "acousticness": (0.3, 0.2)},
    ),
    Spec("grunge, post grunge", {"energy": 0.78, "valence": (0.35, 0.4), "loudness": (-5, 0.3)}),
    Spec(
        "post-rock, post rock, postrock, math rock",
        {"instrumentalness": 0.8, "energy": (0.55, 0.2), "acousticness": (0.2, 0.2)},
    ),
    Spec(
        "psychedelic, psych, psych rock, psychedelic rock, stoner rock, krautrock",
        {"instrumentalness": (0.35, 0.3), "energy": (0.6, 0.2)},
    ),
    Spec(
        "synth-pop, synth pop, synthpop, new wave, electropop, electro pop, darkwave",
        {"acousticness": (0.08, 0.5), "danceability": (0.68, 0.4), "energy": (0.65, 0.3)},
    ),
    Spec(
        "latin, latino, latina, latin music, cumbia, bachata, merengue, latin pop",
        {"danceability": 0.76, "valence": 0.7, "energy": (0.7, 0.3)},
    ),
    Spec(
        "reggaeton, reggaetón, dembow, perreo, latin trap",
        {"danceability": 0.8, "energy": 0.75, "tempo": (95, 0.4)},
    ),
    Spec(
        "salsa, mambo, son cubano, timba",
        {"danceability": 0.75, "valence": 0.78, "energy": 0.75},
    ),
    Spec(
        "bossa nova, bossanova, bossa, samba, mpb",
        {"acousticness": 0.75, "energy": (0.32, 0.5), "valence": (0.6, 0.3)},
    ),
    Spec("flamenco, tango, fado", {"acousticness": 0.8, "energy": (0.5, 0.2)}),
    Spec(
        "afrobeats, afrobeat, amapiano, afropop, afro pop, highlife",
        {"danceability": 0.8, "valence": (0.72, 0.4), "energy": (0.68, 0.3)},
    ),
    Spec(
        "ambient, drone, soundscape, soundscapes, new age, ambient music, dark ambient",
        {
            "energy": (0.12, 0.6),
            "instrumentalness": (0.9, 0.6),
            "acousticness": (0.6, 0.3),
            "speechiness": (0.03, 0.4),
            "loudness": (-18, 0.4),
        },
    ),
    Spec(
        "blues, bluesy, delta blues, blues rock, chicago blues, electric blues",
        {"acousticness": (0.45, 0.3), "liveness": (0.25, 0.2), "energy": (0.5, 0.2)},
    ),
    Spec(
        "reggae, ska, dub, roots reggae, rocksteady, dancehall, lovers rock",
        {"valence": 0.72, "danceability": 0.78, "tempo": (85, 0.4)},
    ),
    Spec(
        "punk, pop punk, punk rock, hardcore, hardcore punk, skate punk, post punk, post-punk,"
        " emo, screamo",
        {"energy": 0.92, "tempo": (170, 0.5), "loudness": (-4, 0.4)},
    ),
    Spec(
        "lo-fi, lo fi, lofi, chillhop, jazzhop, lofi hip hop, lo fi hip hop, lo fi beats,"
        " lofi beats, study beats, chill beats",
        {
            "instrumentalness": 0.8,
            "energy": (0.32, 0.5),
            "tempo": (85, 0.5),
            "loudness": (-12, 0.3),
        },
    ),
    Spec(
        "funk, funk music, p funk, g funk, boogie funk",
        {"danceability": 0.8, "valence": 0.8, "energy": (0.7, 0.3)},
    ),
    Spec(
        "disco, nu disco, nu-disco, italo disco, italo, eurodisco",
        {"danceability": 0.82, "valence": 0.8, "energy": 0.75, "tempo": (120, 0.4)},
    ),
    Spec(
        "k-pop, k pop, kpop, j-pop, j pop, jpop, city pop, c pop, cpop",
        {"energy": 0.75, "valence": 0.7, "danceability": (0.7, 0.3)},
    ),
    Spec(
        "trap, drill, uk drill, grime, phonk",
        {"speechiness": (0.2, 0.4), "energy": (0.68, 0.3), "danceability": (0.72, 0.3)},
    ),
    Spec(
        "uk garage, garage, 2 step, two step, speed garage",
        {"danceability": 0.78, "tempo": (132, 0.5), "energy": (0.72, 0.3)},
    ),
    Spec(
        "chanson, french pop, schlager, cantautore",
        {"acousticness": (0.55, 0.3), "energy": (0.45, 0.2)},
    ),
)
"""Every genre the analyser knows, its label first in each ``words``."""

FAMILIES: Final[Mapping[str, str]] = {
    "trance": "electronic",
    "drum and bass": "electronic",
    "dubstep": "electronic",
    "synthwave": "electronic",
    "trip-hop": "electronic",
    "uk garage": "electronic",
    "swing": "jazz",
    "opera": "classical",
    "soundtrack": "classical",
    "soul": "r&b",
    "gospel": "r&b",
    "grunge": "rock",
    "post-rock": "rock",
    "psychedelic": "rock",
    "synth-pop": "pop",
    "k-pop": "pop",
    "chanson": "pop",
    "reggaeton": "latin",
    "salsa": "latin",
    "bossa nova": "latin",
    "flamenco": "latin",
    "afrobeats": "latin",
    "disco": "funk",
    "trap": "hip-hop",
}
"""Genre labels outside the catalog's twenty -> the nearest of them."""

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


TYPICAL_SOUND: Final[Mapping[str, Mapping[str, float]]] = {
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
"""Each catalog genre's typical audio features (tempo in BPM, loudness in dB): to find the
genres nearest a mood, and the targets of the features a text naming the genre leaves unsaid."""

ERAS: Final[tuple[Spec, ...]] = (
    Spec("1920s, 20s, twenties, roaring twenties, jazz age", {"acousticness": 0.8}),
    Spec("1930s, 30s, thirties", {"acousticness": 0.8, "loudness": (-14, 0.3)}),
    Spec("1940s, 40s, forties", {"acousticness": 0.75, "loudness": (-13, 0.3)}),
    Spec("1950s, 50s, fifties", {"acousticness": 0.7, "loudness": (-12, 0.3)}),
    Spec("1960s, 60s, sixties", {"acousticness": 0.6, "loudness": (-11, 0.3)}),
    Spec("1970s, 70s, seventies", {"acousticness": 0.5, "danceability": 0.6}),
    Spec("1980s, 80s, eighties", {"acousticness": 0.15, "danceability": 0.65, "energy": 0.65}),
    Spec("1990s, 90s, nineties", {"energy": 0.65}),
    Spec("2000s, 00s, noughties, aughts, y2k", {"loudness": -5}),
    Spec("2010s, 10s, twenty tens", {"loudness": -5, "acousticness": 0.2}),
    Spec("2020s, twenty twenties", {"loudness": -6}),
    Spec(
        "oldies, old school, golden oldies, classics, vintage, retro, old songs, old music,"
        " throwback, throwbacks, old",
        {"acousticness": 0.5, "loudness": -10},
    ),
    Spec(
        "recent, modern, new, newest, current, latest, fresh, contemporary, new releases,"
        " new music, this year",
        {"loudness": -6},
    ),
)
"""Eras; the first word of each is its label (decades also match years: "1994")."""
