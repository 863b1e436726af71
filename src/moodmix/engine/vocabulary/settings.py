"""Settings: weather, times, seasons, places and occasions, and how each one colours the music.

Plain data for ``vocabulary``. ``WEATHER`` entries are said as adjectives ("rainy"), the
others as nouns with their article ("a Sunday", "the beach"), so the explanation can say
"for a rainy Sunday morning"::

    WEATHER[0].say            # 'rainy'
    PLACES_AND_TIMES[0].say   # 'a morning'
"""

from __future__ import annotations

from typing import Final

from moodmix.engine.vocabulary.types import Spec

STRENGTH: Final = 0.35

WEATHER: Final[tuple[Spec, ...]] = (
    Spec(
        "rain, rainy, raining, rains, rainfall, drizzle, drizzly, downpour, showers, wet",
        {
            "energy": (0.35, 0.35),
            "valence": (0.4, 0.3),
            "acousticness": (0.6, 0.35),
            "tempo": (100, 0.2),
        },
        say="rainy",
    ),
    Spec(
        "storm, stormy, thunder, thunderstorm, lightning, tempest",
        {"energy": (0.6, 0.3), "valence": (0.3, 0.3), "mode": (0.3, 0.2)},
        say="stormy",
    ),
    Spec(
        "sunny, sunshine, sun, sunlit, sunlight, bright day, blue sky, blue skies",
        {"valence": (0.78, 0.45), "energy": (0.62, 0.3)},
        say="sunny",
    ),
    Spec(
        "snow, snowy, snowing, snowfall, blizzard, snowflakes",
        {"energy": (0.3, 0.35), "acousticness": (0.6, 0.35), "valence": (0.5, 0.2)},
        say="snowy",
    ),
    Spec(
        "cloudy, clouds, overcast, grey, gray, foggy, fog, misty, mist, dreary",
        {"valence": (0.4, 0.3), "energy": (0.4, 0.3), "acousticness": (0.55, 0.2)},
        say="grey",
    ),
    Spec(
        "cold, chilly, freezing, frosty, icy, wintry, frost",
        {"energy": (0.38, 0.3), "acousticness": (0.55, 0.25), "valence": (0.42, 0.2)},
        say="cold",
    ),
    Spec(
        "hot, heat, heatwave, humid, tropical, scorching, balmy",
        {"valence": (0.72, 0.35), "danceability": (0.68, 0.35), "energy": (0.65, 0.25)},
        say="hot",
    ),
    Spec(
        "windy, wind, breeze, breezy day",
        {"energy": (0.5, 0.2), "acousticness": (0.5, 0.2)},
        say="windy",
    ),
)
"""Weather, said as adjectives."""

PLACES_AND_TIMES: Final[tuple[Spec, ...]] = (
    Spec(
        "morning, mornings, sunrise, dawn, wake up, waking up, early morning",
        {"energy": (0.5, 0.25), "valence": (0.65, 0.3), "acousticness": (0.5, 0.2)},
        say="a morning",
    ),
    Spec(
        "afternoon, afternoons, midday, noon, lunchtime",
        {"valence": (0.6, 0.2)},
        say="an afternoon",
    ),
    Spec(
        "evening, evenings, sunset, dusk, golden hour, twilight",
        {"energy": (0.4, 0.3), "valence": (0.55, 0.2), "acousticness": (0.5, 0.2)},
        say="an evening",
    ),
    Spec(
        "night, nights, nighttime, night time, tonight, midnight, late night, late, nocturnal,"
        " after dark, 3am, 2am, small hours, wee hours",
        {"energy": (0.4, 0.25), "valence": (0.42, 0.25)},
        say="a night",
    ),
    Spec(
        "friday, fridays, friday night, tgif",
        {"energy": (0.7, 0.35), "valence": (0.72, 0.35), "danceability": (0.65, 0.3)},
        say="a Friday",
    ),
    Spec(
        "saturday, saturdays, saturday night",
        {"energy": (0.7, 0.35), "valence": (0.72, 0.35), "danceability": (0.65, 0.3)},
        say="a Saturday",
    ),
    Spec(
        "sunday, sundays, sunday morning, lazy sunday",
        {"energy": (0.35, 0.4), "acousticness": (0.6, 0.35), "valence": (0.6, 0.2)},
        say="a Sunday",
    ),
    Spec(
        "monday, mondays, monday morning", {"energy": (0.6, 0.3), "valence": (0.6, 0.2)}, "a Monday"
    ),
    Spec("weekend, weekends", {"valence": (0.68, 0.3), "energy": (0.55, 0.2)}, say="a weekend"),
    Spec(
        "summer, summertime, summery, summers, july, august",
        {"valence": (0.78, 0.4), "energy": (0.65, 0.3), "danceability": (0.65, 0.3)},
        say="a summer",
    ),
    Spec(
        "winter, wintertime, winters, december, january, february",
        {"energy": (0.38, 0.3), "acousticness": (0.6, 0.3), "valence": (0.45, 0.2)},
        say="a winter",
    ),
    Spec(
        "autumn, autumnal, fall, fall vibes, october, november, fallen leaves",
        {"energy": (0.35, 0.3), "acousticness": (0.62, 0.35), "valence": (0.42, 0.3)},
        say="an autumn",
    ),
    Spec(
        "spring, springtime, april, blossom, blossoms",
        {"valence": (0.7, 0.35), "energy": (0.55, 0.25), "acousticness": (0.5, 0.2)},
        say="a spring",
    ),
    Spec(
        "christmas, xmas, holidays, festive, yuletide, new years eve, nye",
        {"valence": (0.75, 0.4), "acousticness": (0.5, 0.2)},
        say="Christmas",
    ),
    Spec(
        "halloween, spooky season",
        {"valence": (0.25, 0.4), "mode": (0.3, 0.3)},
        say="Halloween",
    ),
    Spec(
        "beach, beaches, seaside, ocean, sea, coast, coastal, shore, waves, surf, surfing,"
        " island, pool, poolside",
        {"valence": (0.72, 0.4), "energy": (0.55, 0.25), "acousticness": (0.5, 0.2)},
        say="the beach",
    ),
    Spec(
        "city, cities, urban, downtown, streets, street, city lights, skyline",
        {"energy": (0.6, 0.25), "acousticness": (0.2, 0.3), "danceability": (0.6, 0.2)},
        say="the city",
    ),
    Spec(
        "nature, forest, forests, woods, mountains, mountain, countryside, cabin, outdoors,"
        " camping, campfire, lake, river, garden, meadow",
        {"acousticness": (0.72, 0.45), "energy": (0.38, 0.3), "valence": (0.55, 0.2)},
        say="the outdoors",
    ),
    Spec(
        "coffee shop, coffee, cafe, coffeehouse, coffee house, tea, latte",
        {
            "acousticness": (0.7, 0.45),
            "energy": (0.35, 0.35),
            "speechiness": (0.04, 0.3),
            "loudness": (-11, 0.3),
        },
        say="a coffee shop",
    ),
    Spec(
        "home, at home, living room, couch, sofa, indoors, bed, in bed",
        {"energy": (0.4, 0.2)},
        say="a night in",
    ),
    Spec(
        "office, desk, workplace, cubicle",
        {"energy": (0.45, 0.2), "speechiness": (0.05, 0.3)},
        say="the office",
    ),
    Spec(
        "bar, pub, cocktail, cocktails, wine, wine bar, speakeasy, drinks, happy hour",
        {"energy": (0.55, 0.2), "danceability": (0.6, 0.25)},
        say="a bar",
    ),
    Spec(
        "club, nightclub, clubs, dance club",
        {"danceability": (0.82, 0.5), "energy": (0.82, 0.4), "tempo": (124, 0.3)},
        say="the club",
    ),
    Spec(
        "date night, date, dinner date, first date",
        {
            "valence": (0.62, 0.4),
            "energy": (0.4, 0.35),
            "danceability": (0.55, 0.2),
            "acousticness": (0.5, 0.2),
        },
        say="a date night",
    ),
    Spec(
        "space, outer space, cosmic, cosmos, stars, starry, galaxy, universe",
        {"instrumentalness": (0.6, 0.4), "energy": (0.35, 0.3)},
        say="a starry night",
    ),
)
"""Times, seasons, places and occasions, said as nouns."""
