"""Activities: what the listener is doing, and the music that suits it.

Plain data for ``vocabulary``; ``say`` is how the explanation puts the activity
("for a workout", "for studying")::

    ACTIVITIES[0].say   # 'a workout'
"""

from __future__ import annotations

from typing import Final

from moodmix.engine.vocabulary.types import Spec

STRENGTH: Final = 0.6

ACTIVITIES: Final[tuple[Spec, ...]] = (
    Spec(
        "workout, work out, working out, gym, exercise, exercising, training, lifting,"
        " weightlifting, weights, crossfit, hiit, cardio, spin class, spinning, boxing, sport,"
        " sports, bodybuilding, leg day, arm day, gains",
        {
            "energy": 0.88,
            "tempo": (130, 0.5),
            "valence": (0.6, 0.3),
            "danceability": (0.65, 0.3),
            "loudness": (-5, 0.4),
        },
        say="a workout",
    ),
    Spec(
        "running, run, runs, runner, jog, jogging, sprint, sprinting, marathon, 5k, 10k, treadmill",
        {"energy": 0.85, "tempo": (165, 0.55), "danceability": (0.6, 0.3)},
    ),
    Spec(
        "cycling, bike ride, biking, bike, spin",
        {"energy": 0.75, "tempo": (130, 0.4)},
    ),
    Spec(
        "study, studying, homework, revision, revising, exam, exams, reading, read, learning,"
        " library, essay, thesis",
        {
            "energy": (0.3, 0.55),
            "instrumentalness": (0.7, 0.55),
            "speechiness": (0.04, 0.6),
            "loudness": (-13, 0.35),
        },
        say="studying",
    ),
    Spec(
        "focus, focused, focusing, concentration, concentrate, concentrating, deep work, coding,"
        " programming, work, working, productive, productivity, in the zone, writing, flow state",
        {"energy": (0.38, 0.5), "instrumentalness": (0.72, 0.6), "speechiness": (0.04, 0.6)},
    ),
    Spec(
        "sleep, sleeping, asleep, falling asleep, fall asleep, bedtime, nap, napping, insomnia,"
        " lullaby, lullabies, wind down, winding down, go to sleep, goodnight",
        {
            "energy": (0.1, 0.75),
            "loudness": (-20, 0.6),
            "tempo": (70, 0.45),
            "acousticness": (0.75, 0.4),
            "instrumentalness": (0.65, 0.4),
            "speechiness": (0.03, 0.5),
        },
    ),
    Spec(
        "party, parties, partying, pregame, pre game, predrinks, pre drinks, house party,"
        " club night, clubbing, rave, raving, birthday, festival, night out, going out,"
        " turn up, turnt, get together, afterparty, after party",
        {
            "energy": 0.82,
            "danceability": 0.8,
            "valence": (0.72, 0.5),
            "loudness": (-5, 0.4),
            "tempo": (124, 0.3),
        },
        say="a party",
    ),
    Spec(
        "dancing, dance, dances, danced, boogie",
        {"danceability": 0.88, "energy": (0.78, 0.5), "tempo": (122, 0.3)},
    ),
    Spec(
        "commute, commuting, train ride, bus ride, subway, metro, tube, on the way to work,"
        " traffic, train, bus, walk to work",
        {"energy": (0.55, 0.3), "valence": (0.55, 0.2)},
        say="the commute",
    ),
    Spec(
        "driving, drive, road trip, roadtrip, cruising, cruise, car ride, highway, freeway,"
        " long drive, car",
        {"energy": (0.65, 0.4), "valence": (0.62, 0.3), "tempo": (118, 0.2)},
    ),
    Spec(
        "cooking, cook, baking, bake, kitchen, making dinner, meal prep",
        {"valence": (0.68, 0.45), "energy": (0.55, 0.35), "danceability": (0.6, 0.3)},
    ),
    Spec(
        "meditation, meditate, meditating, yoga, mindfulness, mindful, breathing, breathwork,"
        " stretching, pilates, reiki, spa, massage, tai chi",
        {
            "energy": (0.1, 0.75),
            "instrumentalness": (0.8, 0.6),
            "acousticness": (0.7, 0.45),
            "speechiness": (0.03, 0.5),
            "loudness": (-20, 0.5),
            "tempo": (70, 0.4),
        },
    ),
    Spec(
        "cleaning, clean, chores, housework, tidying, tidy up, laundry, vacuuming",
        {"energy": (0.7, 0.4), "valence": (0.72, 0.45), "danceability": (0.65, 0.3)},
    ),
    Spec(
        "dinner, dinner party, dining, brunch, restaurant, lunch, breakfast, meal",
        {
            "energy": (0.4, 0.4),
            "acousticness": (0.55, 0.3),
            "valence": (0.6, 0.3),
            "loudness": (-10, 0.3),
            "speechiness": (0.04, 0.3),
        },
    ),
    Spec(
        "gaming, video games, videogames, game, games, gamer, esports",
        {"energy": (0.72, 0.4), "instrumentalness": (0.45, 0.3)},
    ),
    Spec(
        "walking, walk, hiking, hike, stroll, strolling, wandering",
        {"energy": (0.5, 0.3), "acousticness": (0.55, 0.3), "valence": (0.6, 0.3)},
        say="a walk",
    ),
    Spec(
        "wedding, weddings, first dance, reception",
        {"valence": 0.75, "danceability": (0.6, 0.3), "energy": (0.55, 0.3)},
        say="a wedding",
    ),
    Spec(
        "getting ready, get ready, morning routine, shower, pre work",
        {"energy": (0.68, 0.4), "valence": (0.72, 0.4)},
        say="getting ready",
    ),
    Spec(
        "funeral, memorial, mourning, remembrance",
        {"valence": 0.2, "energy": (0.25, 0.5), "acousticness": (0.65, 0.4)},
        say="a memorial",
    ),
    Spec(
        "travel, travelling, traveling, flight, plane, airport, vacation, holiday trip",
        {"valence": (0.62, 0.3), "energy": (0.5, 0.25)},
        say="travelling",
    ),
)
"""Every activity the analyser knows, its label first in each ``words``."""
