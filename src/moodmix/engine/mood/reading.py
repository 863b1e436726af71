"""Reading: one pass over the words, finding terms, artists and tempi, and what modifies them.

::

    reading = read("not too sad, a bit jazzy, like Norah Jones")
    [(h.term.label, h.negated, h.soft) for h in reading.hits]
    # [('sad', True, True), ('jazz', False, False)]
    reading.artists          # ['Norah Jones']

The scope rules: a negation ("nothing", "no", "without") rules out the words after it until
the end of its clause, and reaches at most ``REACH`` words past its last negated word ("no
drums or vocals" negates both); "not too" and "less" only soften; a word after a term ("-free",
"lite") negates it when adjacent. Modifiers (``hits.Modifiers``) apply to the next term only,
and a hedge or intensifier before a negation grades its step ("much less loud"). A pause
(comma, full stop) or "but" ends every scope; "but" also starts a clause that weighs more.

Comparisons: "more" and a comparative ("slower", "busier") make the next term a step toward it,
"less" a step away (``Hit.relative``); "than" right after such a term makes the next known
term, within ``THAN_REACH`` words, the point of comparison (``Hit.reference``) instead of a
term of its own: "busier than a café" asks for more energy than a café has, not for a café.

Artists are found by name (case and accents ignored); a name made of ordinary words ("Beach
House") only when capitalised or pointed at ("like ...", "... vibes"), and after a cue ("like",
"similar to") any capitalised name counts, known or not; after a negation too, when no word
the vocabulary knows starts there ("without Foo Fighters"). A negated artist is avoided.
"""

from __future__ import annotations

from typing import Final

from moodmix.engine.mood.hits import CONTRAST, MAX_CONTRASTS, Hit, Modifiers, Reading
from moodmix.engine.mood.tempo import tempo_at
from moodmix.engine.vocabulary import (
    ARTIST_TAILS,
    STOPWORDS,
    Artist,
    Lexicon,
    Term,
    Token,
    clean,
    lexicon,
    tokenise,
)

REACH: Final = 5
"""Words a negation reaches past its last negated word."""
THAN_REACH: Final = 2
"""Words after "than" its point of comparison may start at ("than a café")."""
MAX_LISTED: Final = 12
"""Artists listed at most."""

_CONNECTORS: Final = frozenset({"the", "of", "de", "del", "la", "le", "van", "von", "da"})
_NAME_WORDS: Final = 6
"""Words an unknown artist's name spans at most."""


def read(text: str) -> Reading:
    """The terms, artists and tempo in ``text``, with the modifiers applied to each term."""
    return _Reader(text, lexicon()).read()


class _Reader:
    """One pass over the tokens, keeping the state of negations, modifiers and artist cues."""

    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = clean(text)
        self.lex = lex
        self.tokens: list[Token] = tokenise(self.text)
        self.words = [token.word for token in self.tokens]
        self.shouting = not any(c.islower() for token in self.tokens for c in token.raw)
        self.out = Reading()
        self.contrasts = 0
        self.cue_at = -1
        self.list_at = -1
        self.negation_cue_at = -1
        self._reset()

    def _reset(self) -> None:
        self.negating = False
        self.negated_any = False
        self.soft = False
        self.negated_at = -1
        self.pending = Modifiers()
        self.compared: Hit | None = None
        self.compared_at = -1

    def read(self) -> Reading:
        i = 0
        while i < len(self.tokens):
            i += self._step(i)
        return self.out

    def _step(self, i: int) -> int:
        token = self.tokens[i]
        if token.pause:
            self._reset()
            if i == self.list_at and token.pause == ",":
                self.cue_at = i
        if (found := self.lex.artist_at(self.words, i)) and self._accept(*found, i):
            return self._artist(found[0].name, found[0], i, found[1])
        if (tempo := tempo_at(self.words, i)) is not None:
            self.out.tempo, size = tempo
            self._reset()
            return size
        if size := self._unknown_artist(i):
            return size
        match = self.lex.entry_at(self.words, i)
        if match is None:
            return self._unknown(i)
        if isinstance(match.entry, Term):
            self._term(match.entry, i, i + match.size, match.hedged, match.comparative)
        else:
            self._role(match.entry, i, match.size)
        return match.size

    def _unknown(self, i: int) -> int:
        word = self.words[i]
        if word not in STOPWORDS:
            self.compared = None
        if word == "or" and i == self.list_at:
            self.cue_at = i + 1
        elif word.isdigit() and len(word) == 4 and 1920 <= int(word) <= 2029:
            era = self.lex.term("era", f"{int(word) // 10 * 10}s")
            if era is not None:
                self._term(era, i, i + 1, False)
        return 1

    def _term(
        self, term: Term, start: int, end: int, hedged: bool, comparative: bool = False
    ) -> None:
        if self.compared is not None and start - self.compared_at <= THAN_REACH:
            self.compared.reference, self.compared = term, None
            self.pending = Modifiers()
            return
        negated = self.negating and start - self.negated_at <= REACH
        hit = Hit(
            term,
            end,
            weight=self.pending.weight * CONTRAST**self.contrasts,
            stretch=self.pending.stretch,
            negated=negated,
            soft=negated and self.soft,
            clause=self.contrasts,
            step=self.pending.step,
            more=self.pending.more or comparative,
        )
        if hedged:
            hit.hedge()
        self.out.hits.append(hit)
        self.pending = Modifiers()
        if negated:
            self.negated_at, self.negated_any = end, True

    def _role(self, role: str, i: int, size: int) -> None:
        last = self.out.hits[-1] if self.out.hits else None
        adjacent = last is not None and last.end == i and not self.tokens[i].pause
        if role in ("negate", "soften"):
            step = self.pending.step
            self._reset()
            self.pending.step = step
            self.negating, self.soft, self.negated_at = True, role == "soften", i + size
            self.negation_cue_at = i + size if role == "negate" else -1
        elif role == "more":
            self.negating = self.soft = False
            self.pending.ask_more()
        elif role == "than":
            if last is not None and adjacent and last.relative:
                self.compared, self.compared_at = last, i + size
        elif role == "post_negate" and last is not None and adjacent:
            last.negated, last.soft = True, False
        elif role == "post_hedge" and last is not None and adjacent:
            last.hedge()
        elif role == "hedge":
            self.pending.hedge()
        elif role == "intensify":
            if self.negating:
                self.soft = True
            else:
                self.pending.intensify()
        elif role == "contrast":
            self.contrasts = min(MAX_CONTRASTS, self.contrasts + 1)
            self._reset()
        elif role == "break":
            if not self.negating or self.negated_any:
                self._reset()
            if i == self.list_at:
                self.cue_at = i + size
        elif role == "cue" or (role == "filler" and self.cue_at == i):
            self.cue_at = i + size

    def _accept(self, artist: Artist, size: int, i: int) -> bool:
        if not artist.plain or self.cue_at == i:
            return True
        after = i + size
        tail = after < len(self.tokens) and not self.tokens[after].pause
        if tail and self.words[after] in ARTIST_TAILS:
            return True
        if self.shouting:
            return False
        raws = [t.raw for t in self.tokens[i : i + size] if t.word not in STOPWORDS]
        if not all(raw[:1].isupper() for raw in raws):
            return False
        return len(raws) > 1 or not (i == 0 or self.tokens[i].pause == ".")

    def _unknown_artist(self, i: int) -> int:
        first = self.tokens[i]
        after_negation = self.negating and self.negation_cue_at == i
        if self.cue_at != i and not after_negation:
            return 0
        if self.shouting or not first.raw[:1].isupper():
            return 0
        if first.word != "the" and self.lex.is_word(first.word):
            return 0
        if after_negation and self.lex.entry_at(self.words, i) is not None:
            return 0
        last = -1
        j = i
        while j < len(self.tokens) and j - i < _NAME_WORDS and (j == i or not self.tokens[j].pause):
            raw = self.tokens[j].raw
            if raw[:1].isupper() or raw[:1].isdigit():
                last = j
            elif self.words[j] not in _CONNECTORS:
                break
            j += 1
        if last < 0 or (last == i and first.word == "the"):
            return 0
        name = self.text[first.start : self.tokens[last].end]
        return self._artist(name, None, i, last + 1 - i)

    def _artist(self, name: str, known: Artist | None, i: int, size: int) -> int:
        avoided = self.negating and i - self.negated_at <= REACH
        if avoided:
            if name not in self.out.avoided_artists:
                self.out.avoided_artists.append(name)
        elif name not in self.out.artists and len(self.out.artists) < MAX_LISTED:
            self.out.artists.append(name)
            if known is not None:
                self.out.artist_genres.append(known.genre)
        self.list_at = i + size
        self._reset()
        if avoided:  # "no Adele or Coldplay" rules out both
            self.negating, self.negated_any, self.negated_at = True, True, i + size
        return size
