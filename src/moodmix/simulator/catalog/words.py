"""Word lists the synthetic catalog makes titles and artist names from. Plain data::

    from moodmix.simulator.catalog.words import ADJECTIVES, NOUNS
    f"{ADJECTIVES[3]} {NOUNS[0]}"  # 'Silent Heart'

``titles`` combines them through templates.
"""

from __future__ import annotations

from typing import Final

ADJECTIVES: Final = (
    "Golden", "Electric", "Broken", "Silent", "Wild", "Blue", "Neon", "Velvet", "Lonely",
    "Sweet", "Bitter", "Crimson", "Hollow", "Endless", "Restless", "Fading", "Burning", "Frozen",
    "Gentle", "Heavy", "Lucky", "Lost", "Sacred", "Secret", "Shining", "Strange", "Tender",
    "Wicked", "Young", "Ancient", "Bright", "Cold", "Dusty", "Empty", "Fragile", "Holy", "Lazy",
    "Liquid", "Lunar", "Magic", "Paper", "Perfect", "Quiet", "Rainy", "Red", "Runaway",
    "Savage", "Shallow", "Silver", "Slow", "Soft", "Southern", "Static", "Distant", "Midnight",
    "Faded", "Hidden", "Honest", "Infinite", "Jaded", "Kind", "Little", "Mellow", "Northern",
    "Open", "Pale", "Precious", "Purple", "Radiant", "Rusty", "Scarlet", "Shattered", "Sleepy",
    "Solar", "Stolen", "Sunny", "Tired", "Twisted", "Violet", "Warm", "Weightless", "Wooden",
    "Yellow", "Crystal", "Cosmic", "Drowsy", "Eternal", "Feral", "Gilded", "Invisible",
)  # fmt: skip

NOUNS: Final = (
    "Heart", "Fire", "Rain", "River", "Night", "Dream", "Light", "Shadow", "Ocean", "Highway",
    "City", "Garden", "Mirror", "Window", "Thunder", "Storm", "Sky", "Moon", "Sun", "Star",
    "Ghost", "Angel", "Devil", "Queen", "King", "Lover", "Stranger", "Heaven", "Paradise",
    "Dance", "Echo", "Memory", "Summer", "Winter", "Autumn", "Morning", "Evening", "Sunset",
    "Horizon", "Island", "Desert", "Mountain", "Valley", "Road", "Train", "Wire", "Signal",
    "Radio", "Satellite", "Diamond", "Gold", "Honey", "Sugar", "Whiskey", "Wine", "Smoke",
    "Dust", "Bones", "Tears", "Kiss", "Love", "Hope", "Soul", "Spirit", "Machine", "Engine",
    "Rhythm", "Groove", "Fever", "Flame", "Wave", "Tide", "Cloud", "Feather", "Stone",
    "Silence", "Lightning", "Promise", "Weekend", "Daydream", "Letter", "Photograph",
    "Carousel", "Compass", "Lantern", "Harbor", "Avenue", "Boulevard", "Station", "Bridge",
    "Tower", "Cathedral", "Forest", "Meadow", "Orchard", "Prairie", "Canyon", "Coast", "Galaxy",
    "Comet", "Planet", "Orbit", "Eclipse", "Aurora", "Velocity", "Gravity", "Paradox", "Mercy",
    "Freedom", "Wonder", "Glory", "Silk", "Chrome", "Marble", "Ember", "Frost", "Bloom",
)  # fmt: skip

PLURALS: Final = (
    "Wolves", "Lions", "Strangers", "Ghosts", "Kings", "Rivers", "Shadows", "Machines", "Saints",
    "Sinners", "Horses", "Tigers", "Pilots", "Lovers", "Echoes", "Comets", "Owls", "Foxes",
    "Brothers", "Sisters", "Daughters", "Sons", "Satellites", "Giants", "Animals", "Birds",
    "Bandits", "Outlaws", "Dreamers", "Thieves", "Rebels", "Drifters", "Ramblers", "Vipers",
    "Sparrows", "Ravens", "Cowboys", "Astronauts", "Pirates", "Magicians",
)  # fmt: skip

GERUNDS: Final = (
    "Dancing", "Running", "Falling", "Dreaming", "Waiting", "Chasing", "Driving", "Burning",
    "Breaking", "Drifting", "Flying", "Fading", "Walking", "Holding", "Losing", "Calling",
    "Singing", "Sleeping", "Shining", "Hiding", "Crying", "Rolling", "Floating", "Spinning",
)  # fmt: skip

PREPOSITIONS: Final = (
    "in the", "on the", "through the", "under the", "with the", "across the", "into the",
    "after the", "before the", "beyond the",
)  # fmt: skip

IMPERATIVES: Final = (
    "Hold", "Take", "Call", "Show", "Tell", "Let", "Bring", "Leave", "Kiss", "Save", "Love",
    "Wake", "Meet", "Find", "Pull", "Carry",
)  # fmt: skip

ENDINGS: Final = (
    "Me Closer", "Me Home", "Me Tonight", "Me Down", "Me Again", "Me Now", "It Slow", "It All",
    "Me Back", "Me Higher", "Me Under", "Me Gently",
)  # fmt: skip

PLACES: Final = (
    "Paris", "Tokyo", "Brooklyn", "Memphis", "Berlin", "Lisbon", "Havana", "Kingston", "Detroit",
    "Chicago", "Nashville", "London", "Harlem", "Montreal", "Bristol", "Ibiza", "Marrakesh",
    "Reykjavik", "Seoul", "Lagos", "Rio", "Barcelona", "Vienna", "Dublin", "Texas", "California",
    "Santa Monica", "Tennessee", "Mississippi", "Kyoto", "Manchester", "New Orleans",
)  # fmt: skip

PLACE_ENDINGS: Final = (
    "Nights", "Mornings", "Summer", "Blues", "Lights", "Streets", "Skyline", "Rain", "Dreams",
    "Calling", "Sunrise", "Winter",
)  # fmt: skip

FIRST_NAMES: Final = (
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Elijah", "Isla", "Mateo", "Lena", "Oscar", "Nora",
    "Felix", "Ruby", "Hugo", "Iris", "Leo", "Clara", "Theo", "June", "Miles", "Stella", "Jonas",
    "Freya", "Caleb", "Ada", "Jasper", "Luna", "Elliot", "Mila", "Rafael", "Sofia", "Tobias",
    "Chloe", "Marcus", "Hazel", "Dante", "Amara", "Silas", "Naomi", "Kofi", "Yuki", "Anika",
    "Diego", "Priya", "Lucas", "Ines", "Omar", "Sienna", "Kai", "Emeka", "Greta", "Nico",
    "Valentina", "Ezra", "Camila", "Arlo", "Lucia", "Malik", "Esme", "Jude", "Talia", "Rowan",
    "Celeste", "Bruno", "Ingrid", "Wes", "Delia", "Otis", "Mabel", "Remy",
)  # fmt: skip

LAST_NAMES: Final = (
    "Rivers", "Hart", "Lane", "Moreno", "Fischer", "Okafor", "Nakamura", "Silva", "Berg",
    "Walsh", "Dubois", "Kowalski", "Reyes", "Lindqvist", "Haddad", "Novak", "Costa", "Byrne",
    "Hayes", "Vance", "Monroe", "Sterling", "Quinn", "Marsh", "Holloway", "Fontaine", "Keller",
    "Ashby", "Delgado", "Mercer", "Blackwood", "Calloway", "Winters", "Sato", "Petrov", "Adeyemi",
    "Laurent", "Russo", "Jensen", "Mbeki", "Castillo", "Doyle", "Park", "Ibarra", "Whitlock",
    "Finch", "Gallagher", "Ortega", "Brennan", "Vasquez", "Stone", "Wilder", "Ellison", "Frost",
    "Harlow", "Abara", "Lindgren", "Moretti", "Svensson", "Takahashi", "Kim", "Banerjee",
    "Oyelaran", "Duarte", "Greer", "Sinclair", "Tate", "Kaplan", "Ferreira", "Nolan", "Pike",
    "Crane", "Hollis", "Ames", "Rook", "Varga", "Lowe", "Navarro", "Beaumont", "Ridley",
)  # fmt: skip

ENSEMBLES: Final = ("Trio", "Quartet", "Quintet", "Ensemble", "Orchestra", "Collective")

FORMS: Final = (
    "Nocturne", "Sonata", "Étude", "Prelude", "Fugue", "Concerto", "Symphony", "Suite",
    "Impromptu", "Rhapsody", "Serenade", "Waltz", "Variations", "Partita", "Elegy", "Mazurka",
)  # fmt: skip

MARKINGS: Final = (
    "Allegro", "Andante", "Adagio", "Largo", "Presto", "Moderato", "Allegretto", "Lento",
    "Vivace", "Andantino", "Allegro ma non troppo", "Adagio sostenuto", "Scherzo", "Finale",
)  # fmt: skip

NUMBERS: Final = tuple(str(n) for n in range(1, 33))

FORM_PLURALS: Final = (
    "Nocturnes", "Sonatas", "Études", "Preludes", "Fugues", "Concertos", "Symphonies", "Suites",
    "Impromptus", "Rhapsodies", "Serenades", "Waltzes", "Partitas", "Elegies", "Mazurkas",
)  # fmt: skip
