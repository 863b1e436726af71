"""Moods and emotions, and how each one sounds.

Plain data for ``vocabulary``: each ``Spec`` lists the words for one mood (its label first)
and the features it nudges (default strength ``STRENGTH``)::

    MOODS[0].words.split(",")[0]   # 'happy'
"""

from __future__ import annotations

from typing import Final

from moodmix.engine.vocabulary.types import Spec

STRENGTH: Final = 0.7

MOODS: Final[tuple[Spec, ...]] = (
    Spec(
        "happy, happiness, joyful, joyous, joy, cheerful, cheery, glad, feel good, feelgood,"
        " good mood, good vibes, positive, smiling, smile, merry, jolly",
        {"valence": 0.85, "energy": (0.65, 0.4), "mode": (0.8, 0.35), "danceability": (0.6, 0.3)},
    ),
    Spec(
        "sad, sadness, unhappy, depressed, depressing, depression, feeling down, feeling blue,"
        " gloomy, sorrow, sorrowful, crying, cry, tears, tearful, miserable, downer, bummed,"
        " bleak, somber, sombre, mournful, grief, grieving, tragic, hopeless, despair, weepy",
        {"valence": 0.12, "energy": (0.3, 0.5), "mode": (0.25, 0.35), "acousticness": (0.55, 0.2)},
    ),
    Spec(
        "heartbroken, heartbreak, breakup, break up, broken heart, heartache, lovesick,"
        " missing you",
        {"valence": 0.18, "energy": (0.35, 0.45), "acousticness": (0.5, 0.3)},
    ),
    Spec(
        "lonely, loneliness, alone, solitude, isolated, lonesome",
        {"valence": 0.22, "energy": (0.3, 0.5), "acousticness": (0.6, 0.3)},
    ),
    Spec(
        "melancholic, melancholy, wistful, pensive, moody, brooding, introspective, reflective,"
        " contemplative, thoughtful",
        {"valence": 0.28, "energy": (0.35, 0.5), "mode": (0.3, 0.3), "acousticness": (0.55, 0.3)},
    ),
    Spec("bittersweet", {"valence": 0.42, "energy": (0.4, 0.4), "acousticness": (0.5, 0.2)}),
    Spec(
        "nostalgic, nostalgia, reminiscing, reminiscent, memories, sentimental, yearning, longing",
        {"valence": (0.45, 0.45), "acousticness": (0.5, 0.3), "energy": (0.45, 0.3)},
    ),
    Spec(
        "hopeful, optimistic, uplifting, uplifted, inspiring, inspirational, inspired,"
        " encouraging, healing, redemption",
        {"valence": 0.7, "energy": (0.6, 0.4), "mode": (0.75, 0.3)},
    ),
    Spec(
        "calm, calming, calmer, peaceful, peace, serene, tranquil, soothing, gentle,"
        " restful, zen, placid, stillness",
        {
            "energy": 0.2,
            "loudness": (-15, 0.5),
            "tempo": (85, 0.4),
            "acousticness": (0.65, 0.4),
        },
    ),
    Spec(
        "relaxed, relaxing, relax, relaxation, chill, chilled, chilling, chill out, chillout,"
        " laid back, laidback, easygoing, easy going, unwind, unwinding, lazy, breather",
        {
            "energy": 0.3,
            "tempo": (95, 0.35),
            "acousticness": (0.55, 0.35),
            "valence": (0.55, 0.25),
            "loudness": (-11, 0.35),
        },
    ),
    Spec(
        "mellow, smooth, warm, velvety, silky",
        {"energy": 0.32, "acousticness": (0.6, 0.45), "loudness": (-11, 0.35)},
    ),
    Spec(
        "dreamy, dream, dreams, ethereal, floaty, hazy, atmospheric, spacey, spacy, floating,"
        " woozy, trippy, hypnotic",
        {"energy": 0.3, "instrumentalness": (0.5, 0.4), "acousticness": (0.45, 0.3)},
    ),
    Spec(
        "energetic, energy, energised, energized, high energy, pumped, pumped up, hype, hyped,"
        " amped, powerful, adrenaline, electrifying, explosive, banging, bangers, banger, pump up,"
        " pump me up, pumping, alive, fired up, lit",
        {"energy": 0.88, "tempo": (135, 0.4), "loudness": (-5, 0.4), "danceability": (0.6, 0.3)},
    ),
    Spec(
        "intense, intensity, fierce, raw, wild, relentless, frantic",
        {"energy": 0.9, "loudness": (-4, 0.5), "valence": (0.35, 0.3)},
    ),
    Spec(
        "aggressive, aggression, angry, anger, rage, furious, mad, pissed, pissed off, hostile,"
        " violent, brutal, frustrated, frustration, hateful, screaming, scream, shouting, screams",
        {
            "energy": 0.92,
            "valence": (0.22, 0.5),
            "loudness": (-4, 0.5),
            "acousticness": (0.05, 0.3),
            "mode": (0.3, 0.3),
        },
    ),
    Spec(
        "upbeat, lively, bouncy, peppy, fun, playful, bubbly, zippy, vibrant, spirited, perky,"
        " sunny vibes",
        {"energy": 0.72, "valence": 0.8, "tempo": (124, 0.35), "danceability": (0.68, 0.4)},
    ),
    Spec(
        "euphoric, euphoria, ecstatic, elated, blissful, bliss, triumphant, celebratory,"
        " celebrate, celebrating, celebration, victory",
        {"energy": 0.85, "valence": 0.85, "danceability": (0.65, 0.4)},
    ),
    Spec(
        "excited, excitement, thrilled, eager, buzzing",
        {"energy": 0.8, "valence": 0.75},
    ),
    Spec(
        "romantic, romance, love songs, love song, in love, falling in love, tender, intimate,"
        " affectionate, sweet, valentine, valentines",
        {
            "valence": (0.62, 0.5),
            "energy": (0.4, 0.5),
            "acousticness": (0.5, 0.35),
            "danceability": (0.5, 0.2),
        },
    ),
    Spec(
        "sensual, sexy, seductive, sultry, steamy, slow jam, slow jams, bedroom",
        {"energy": (0.45, 0.5), "danceability": (0.68, 0.5), "valence": (0.55, 0.3)},
    ),
    Spec(
        "confident, confidence, swagger, bold, badass, boss, empowered, empowering, sassy,"
        " cocky, unstoppable",
        {"energy": 0.75, "valence": (0.62, 0.4), "danceability": (0.65, 0.4)},
    ),
    Spec(
        "motivated, motivation, motivational, determined, driven, beast mode, grind, grinding,"
        " hustle, focused energy",
        {"energy": 0.85, "valence": (0.62, 0.4), "tempo": (128, 0.3)},
    ),
    Spec(
        "dark, darker, darkness, sinister, ominous, eerie, creepy, spooky, haunting, haunted,"
        " menacing, gothic, bleak sound, noir",
        {"valence": 0.18, "mode": (0.2, 0.5), "energy": (0.45, 0.2)},
    ),
    Spec(
        "mysterious, mystery, enigmatic, cryptic, suspense, suspenseful",
        {"valence": (0.3, 0.5), "mode": (0.3, 0.4), "energy": (0.4, 0.3)},
    ),
    Spec(
        "anxious, anxiety, tense, tension, nervous, stressed, stress, restless, uneasy, jittery,"
        " panic, panicky, overwhelmed",
        {"energy": (0.62, 0.45), "valence": (0.3, 0.5), "mode": (0.3, 0.3)},
    ),
    Spec(
        "cozy, cosy, snug, comfy, comforting, comfort, homey, homely, hygge, warm and fuzzy,"
        " fireplace, by the fire, fireside, blanket",
        {
            "energy": 0.3,
            "acousticness": (0.65, 0.5),
            "valence": (0.6, 0.4),
            "loudness": (-11, 0.3),
        },
    ),
    Spec(
        "epic, cinematic, grand, majestic, anthemic, anthem, anthems, soaring, heroic, huge",
        {"energy": 0.75, "instrumentalness": (0.4, 0.3), "loudness": (-6, 0.4)},
    ),
    Spec(
        "groovy, groove, grooves, funky, grooving, swinging, swingy",
        {"danceability": 0.8, "energy": (0.65, 0.4), "valence": (0.7, 0.4)},
    ),
    Spec(
        "carefree, free spirited, breezy, lighthearted, light hearted, easy breezy",
        {"valence": 0.78, "energy": (0.55, 0.4), "acousticness": (0.45, 0.2)},
    ),
    Spec("silly, goofy, funny, humorous, quirky, cheeky", {"valence": 0.85, "energy": (0.6, 0.3)}),
    Spec(
        "spiritual, sacred, devotional, transcendent, soulful vibes, prayerful",
        {"energy": (0.3, 0.5), "instrumentalness": (0.5, 0.3), "acousticness": (0.6, 0.3)},
    ),
    Spec(
        "grateful, gratitude, thankful, contented, satisfied, fulfilled",
        {"valence": 0.7, "energy": (0.42, 0.4)},
    ),
    Spec(
        "rebellious, rebel, defiant, defiance, riot, protest",
        {"energy": 0.82, "valence": (0.45, 0.3), "loudness": (-5, 0.4)},
    ),
    Spec(
        "sleepy, drowsy, tired, exhausted, weary, dozy",
        {
            "energy": 0.12,
            "tempo": (72, 0.4),
            "loudness": (-18, 0.5),
            "acousticness": (0.7, 0.4),
        },
    ),
    Spec(
        "experimental, weird, strange, avant garde, eccentric, odd, unusual",
        {"instrumentalness": (0.45, 0.4), "valence": (0.45, 0.2)},
    ),
    Spec(
        "elegant, classy, sophisticated, swanky, refined, posh",
        {"energy": (0.4, 0.4), "acousticness": (0.55, 0.35), "speechiness": (0.04, 0.3)},
    ),
)
"""Every mood the analyser knows, its label first in each ``words``."""
