"""How the music should sound: tempo, loudness, texture, instruments, vocals, live or studio.

Plain data for ``vocabulary``. ``SOUND`` describes the sound itself; ``VOCALS`` and ``LIVE``
are either-or choices, so negating one means its opposite (``FLIPS``); ``VERSIONS`` are the
track versions a prompt can ask for or rule out ("no remixes", "live versions")::

    FLIPS["vocal"]     # 'instrumental': "no lyrics" asks for instrumentals
    VOICE["rap"]       # 'rap': what ``Recognised.vocals`` reports
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from moodmix.engine.vocabulary.types import Spec

STRENGTH: Final = 0.75

SOUND: Final[tuple[Spec, ...]] = (
    Spec(
        "slow, slower, slowly, downtempo, down tempo, unhurried, leisurely, low tempo, low bpm,"
        " slow paced, slow tempo",
        {"tempo": 78, "energy": (0.3, 0.4)},
    ),
    Spec(
        "fast, faster, quick, rapid, speedy, uptempo, up tempo, high tempo, high bpm, brisk,"
        " fast paced, fast tempo, breakneck",
        {"tempo": 150, "energy": (0.75, 0.4)},
    ),
    Spec(
        "mid tempo, midtempo, medium tempo, moderate tempo, medium pace, steady pace",
        {"tempo": 112, "energy": (0.5, 0.3)},
        say="mid-tempo",
    ),
    Spec(
        "loud, louder, blasting, booming, noisy, cranked, high volume, full volume",
        {"loudness": -4, "energy": (0.8, 0.5)},
    ),
    Spec(
        "quiet, quieter, hushed, whisper, whispery, whispered, low key, lowkey, low volume,"
        " subdued, muted, silent, low energy, low intensity, understated",
        {"loudness": -16, "energy": (0.22, 0.55)},
    ),
    Spec(
        "soft, softer, softly, delicate, tender sound, feathery",
        {"loudness": (-14, 0.6), "energy": (0.25, 0.55), "acousticness": (0.6, 0.3)},
    ),
    Spec(
        "heavy, heavier, crushing, distorted, distortion, hard hitting, hard, gritty, crunchy",
        {"energy": (0.85, 0.6), "loudness": (-4, 0.5), "acousticness": (0.05, 0.4)},
    ),
    Spec(
        "acoustic, unplugged, stripped down, stripped back, stripped, organic, natural sound",
        {"acousticness": 0.88, "energy": (0.35, 0.3)},
    ),
    Spec(
        "synth, synths, synthy, synthesizer, synthesizers, synthesiser, electric, digital,"
        " electronic sound",
        {"acousticness": (0.08, 0.6), "instrumentalness": (0.3, 0.2)},
        say="synthetic",
    ),
    Spec(
        "piano, pianos, keys, solo piano, keyboard",
        {"acousticness": (0.8, 0.6), "instrumentalness": (0.6, 0.4), "energy": (0.3, 0.3)},
        say="piano-led",
    ),
    Spec(
        "guitar, guitars, acoustic guitar, fingerpicking, fingerstyle",
        {"acousticness": (0.65, 0.45), "energy": (0.45, 0.2)},
        say="guitar-led",
    ),
    Spec(
        "strings, violin, violins, cello, cellos, harp, string quartet",
        {"acousticness": (0.82, 0.5), "instrumentalness": (0.6, 0.4), "energy": (0.3, 0.3)},
        say="string-led",
    ),
    Spec(
        "saxophone, sax, trumpet, horns, brass",
        {"acousticness": (0.6, 0.35), "instrumentalness": (0.4, 0.25)},
        say="horn-led",
    ),
    Spec(
        "bass, bassy, bass heavy, basslines, bassline, 808, 808s, subwoofer, sub bass",
        {"energy": (0.75, 0.4), "danceability": (0.72, 0.4), "loudness": (-5, 0.4)},
        say="bass-heavy",
    ),
    Spec(
        "beats, beat, drums, percussion, percussive, rhythmic, rhythm, drum heavy",
        {"danceability": (0.7, 0.45), "energy": (0.62, 0.3)},
        say="rhythmic",
    ),
    Spec(
        "danceable, dancey, dancy, dance floor, dancefloor, dance music, club bangers, floor"
        " fillers, four on the floor",
        {"danceability": 0.86, "energy": (0.75, 0.4), "tempo": (122, 0.3)},
    ),
    Spec(
        "catchy, poppy, hooky, earworm, earworms, singable",
        {"valence": (0.7, 0.4), "danceability": (0.65, 0.4)},
    ),
    Spec(
        "minimal, minimalist, minimalistic, sparse, simple, bare",
        {"energy": (0.25, 0.4), "instrumentalness": (0.5, 0.3), "loudness": (-14, 0.3)},
    ),
    Spec(
        "bright, sparkly, sparkling, shimmering, shiny, glittery",
        {"valence": (0.72, 0.5), "mode": (0.75, 0.3)},
    ),
    Spec(
        "background, background music, unobtrusive, ambient background, non distracting,"
        " nondistracting, wallpaper",
        {
            "energy": (0.25, 0.5),
            "loudness": (-14, 0.4),
            "speechiness": (0.03, 0.5),
            "instrumentalness": (0.55, 0.35),
        },
        say="unobtrusive",
    ),
    Spec("major key, in major, major chords", {"mode": (0.95, 0.8)}, say="in a major key"),
    Spec("minor key, in minor, minor chords", {"mode": (0.05, 0.8)}, say="in a minor key"),
)
"""Sound descriptors: tempo and loudness words, textures, instruments."""

VOCALS: Final[tuple[Spec, ...]] = (
    Spec(
        "instrumental, instrumentals, wordless, purely instrumental, lyricless, vocalless,"
        " no singing",
        {"instrumentalness": (0.88, 0.9), "speechiness": (0.03, 0.6)},
    ),
    Spec(
        "vocal, vocals, singing, singer, singers, lyrics, lyric, lyrical, words, voice, voices,"
        " sing along, singalong, sing, choir, choral, vocalist, vocalists, with vocals, a cappella",
        {"instrumentalness": (0.03, 0.8)},
        say="vocals",
    ),
    Spec(
        "rap, rapping, rapper, rappers, bars, spitting, freestyle, raps",
        {"speechiness": (0.4, 0.8), "instrumentalness": (0.02, 0.5), "danceability": (0.72, 0.3)},
    ),
    Spec(
        "spoken word, spoken, poetry, talking, talk, narration, podcast, audiobook",
        {"speechiness": (0.75, 0.85)},
        say="spoken word",
    ),
    Spec(
        "sung, crooning, crooner, melodic vocals",
        {"speechiness": (0.04, 0.8)},
        say="sung rather than rapped",
    ),
)
"""Vocal choices; their labels are ``instrumental``, ``vocal``, ``rap``, ``spoken``, ``sung``."""

LIVE: Final[tuple[Spec, ...]] = (
    Spec(
        "live, concert, concerts, in concert, gig, gigs, live recording, live recordings,"
        " live performance, live performances, live music, live set, live album, live albums",
        {"liveness": (0.8, 0.8)},
    ),
    Spec(
        "studio, studio recording, studio recordings, studio version, studio versions,"
        " studio only, polished, crisp production, clean production",
        {"liveness": (0.08, 0.75)},
        say="studio-recorded",
    ),
)
"""Live recordings or studio ones."""

VERSIONS: Final[tuple[Spec, ...]] = (
    Spec("remix, remixes, remixed, rmx, reworks, rework, bootlegs", {}, "remixes"),
    Spec("cover, covers, cover version, cover versions, cover songs, tributes", {}, "covers"),
    Spec(
        "live, live version, live versions, live takes, live cuts, live renditions",
        {"liveness": (0.8, 0.6)},
        say="live versions",
    ),
    Spec(
        "acoustic, acoustic version, acoustic versions, unplugged versions, acoustic covers,"
        " stripped versions",
        {"acousticness": (0.85, 0.6)},
        say="acoustic versions",
    ),
    Spec(
        "karaoke, karaoke version, karaoke versions, backing track, backing tracks", {}, "karaoke"
    ),
    Spec(
        "sped up, sped up versions, speed up, nightcore", {"tempo": (150, 0.4)}, "sped-up versions"
    ),
    Spec(
        "slowed, slowed and reverb, slowed reverb, slowed versions",
        {"tempo": (75, 0.4)},
        "slowed versions",
    ),
    Spec("radio edit, radio edits, clean version, clean versions, clean edits", {}, "radio edits"),
    Spec(
        "extended, extended mix, extended mixes, extended version, extended versions",
        {},
        "extended mixes",
    ),
    Spec("demo, demos, demo version, demo versions", {}, "demos"),
    Spec("instrumental, instrumental version, instrumental versions", {}, "instrumental versions"),
    Spec("remaster, remasters, remastered, remastered versions", {}, "remasters"),
)
"""Track versions, labelled as the playlist's title filter knows them.

Only the multi-word forms ("live versions") and words no other table has ("remixes") reach
these entries; "live" and "acoustic" alone mean the sound (``LIVE``, ``SOUND``).
"""

FLIPS: Final[Mapping[str, str]] = {
    "vocal": "instrumental",
    "instrumental": "vocal",
    "rap": "sung",
    "spoken": "sung",
    "live": "studio",
    "studio": "live",
    "loud": "quiet",
    "quiet": "loud",
    "fast": "slow",
    "slow": "fast",
    "heavy": "soft",
    "soft": "heavy",
    "acoustic": "synth",
    "synth": "acoustic",
    "major key": "minor key",
    "minor key": "major key",
}
"""Label -> the label a negation of it means ("no vocals" -> instrumental, "not loud" -> quiet).

Sound flips are taken more gently than the word itself, and "not too loud" does not flip.
"""

VOICE: Final[Mapping[str, str]] = {"instrumental": "instrumental", "vocal": "vocal", "rap": "rap"}
"""Vocals labels -> ``Recognised.vocals``; the others leave it unsaid."""

IMPLIED_GENRES: Final[Mapping[str, str]] = {"rap": "hip-hop"}
"""Labels that also name a genre when wanted (not when ruled out)."""
