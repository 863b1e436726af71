"""Function words: the small words that change what the others mean.

Plain data for ``vocabulary``: each table lists folded words and phrases (English first, then
Spanish, French, German, Portuguese and Italian ones)::

    "nothing" in NEGATORS        # True: "nothing sad" rules sad out
    "a bit" in HEDGES            # True: "a bit sad" is sad, softly
    "but" in CONTRASTS           # True: "sad but hopeful" leans hopeful
"""

from __future__ import annotations

from typing import Final

NEGATORS: Final = frozenset(
    {
        "no", "not", "nothing", "none", "without", "never", "avoid", "avoiding", "skip",
        "skipping", "except", "minus", "zero", "nor", "neither", "non", "dont", "doesnt",
        "isnt", "arent", "wont", "cant", "shouldnt", "wouldnt", "hate", "dislike", "ban",
        "anything but", "rather than", "instead of", "other than", "stay away from",
        "steer clear of", "steering clear of", "away from", "no more", "leave out", "free of",
        "not in the mood for", "without any", "nada", "nunca", "sin", "ningun", "ninguna",
        "pas", "sans", "jamais", "aucun", "aucune", "nicht", "kein", "keine", "keinen", "ohne",
        "nie", "nao", "sem", "nenhum", "nenhuma", "senza", "niente", "nessun", "nessuna",
    }
)  # fmt: skip
"""Words that rule out what follows, up to the end of the clause."""

SOFTENERS: Final = frozenset(
    {"less", "fewer", "not much", "not overly", "meno", "moins", "weniger"}
)
"""Words that turn down what follows, as a gentle negation ("less intense")."""

POST_NEGATORS: Final = frozenset({"free", "lite"})
"""Words that rule out the word before them ("lyric free", "stress-free")."""

HEDGES: Final = frozenset(
    {
        "a bit", "a little", "a touch", "a tad", "bit", "little", "slightly", "somewhat",
        "kinda", "kind of", "sort of", "sorta", "mildly", "fairly", "moderately", "semi",
        "partly", "maybe", "perhaps", "lightly", "a little bit", "a bit of", "a hint of",
        "hint of", "touch of", "reasonably", "relatively", "un peu", "un poco",
        "poco", "ein bisschen", "bisschen", "etwas", "leicht", "um pouco", "un po", "pouco",
        "algo",
    }
)  # fmt: skip
"""Words that soften what follows ("a bit sad")."""

POST_HEDGES: Final = frozenset({"ish", "esque", "ishy"})
"""Words that soften the word before them ("upbeat-ish")."""

INTENSIFIERS: Final = frozenset(
    {
        "very", "really", "super", "so", "extremely", "totally", "ultra", "mega", "incredibly",
        "deeply", "truly", "absolutely", "completely", "utterly", "insanely", "crazy", "hella",
        "seriously", "properly", "pure", "purely", "full", "max", "maximum", "most", "more",
        "extra", "too", "overly", "intensely", "highly", "fully", "proper", "freaking",
        "fucking", "damn", "wicked", "uber", "hyper", "super duper", "muy", "trop", "zu",
        "troppo", "demasiado", "tan", "tres", "tellement", "vraiment", "sehr", "total",
        "richtig", "muito", "bem", "molto", "davvero", "tanto",
    }
)  # fmt: skip
"""Words that strengthen what follows ("very calm")."""

CONTRASTS: Final = frozenset(
    {
        "but", "though", "although", "yet", "however", "whereas", "while still", "but still",
        "but also", "pero", "mais", "aber", "ma", "mas", "sino", "cependant", "doch",
    }
)  # fmt: skip
"""Words that start a clause weighing more than the one before ("sad but hopeful")."""

BREAKS: Final = frozenset(
    {
        "and", "with", "plus", "then", "for", "while", "during", "to", "because", "when",
        "just", "only", "also", "or else", "y", "et", "und", "e", "con", "avec", "mit", "com",
        "para", "pour", "fur", "per",
    }
)  # fmt: skip
"""Words that end a negation's or a modifier's reach, like punctuation does."""

ARTIST_CUES: Final = frozenset(
    {
        "like", "similar to", "in the style of", "style of", "sounds like", "sound like",
        "a la", "inspired by", "reminiscent of", "the likes of", "fans of", "fan of", "by",
        "think", "in the vein of", "vibe of", "vibes of", "influenced by", "such as",
        "artists like", "como", "comme", "wie", "tipo", "stile",
    }
)  # fmt: skip
"""Words after which a capitalised name is an artist, known or not."""

ARTIST_TAILS: Final = frozenset(
    {"vibes", "vibe", "style", "esque", "type", "kind", "sound", "feel", "inspired", "fans"}
)
"""Words after a name that mark it as an artist ("Daft Punk vibes")."""

FILLERS: Final = frozenset(
    {
        "in the mood for", "in the mood", "mood for", "feel like", "feeling like", "music",
        "songs", "song", "tracks", "track", "tunes", "playlist", "something", "anything",
        "stuff", "some", "please", "pls", "want", "need", "give me", "i", "me", "my", "a",
        "an", "the", "of", "that", "is", "are", "be", "it", "its", "vibes", "vibe", "mood",
        "moods", "feel", "feeling", "kind", "type", "sound", "sounds", "musica", "musique",
        "musik", "canciones", "chansons", "lieder", "musicas", "canzoni", "lives", "lived",
        "living",
    }
)  # fmt: skip
"""Words that carry no meaning here but do not end a clause either."""
