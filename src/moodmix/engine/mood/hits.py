"""What reading finds: each term as the text uses it (``Hit``), and the whole ``Reading``.

A hit carries how its words around it changed it: intensifiers ("very") push its targets
further from neutral and strengthen it, hedges ("a bit", "-ish") do the opposite, a negation
rules it out (``soft`` for "not too"), and a clause after "but" weighs ``CONTRAST`` times more::

    pending = Modifiers()
    pending.intensify(); pending.stretch, pending.weight     # (1.25, 1.25): "very ..."
    hit = Hit(term, end=3, weight=pending.weight, stretch=pending.stretch)
    hit.hedge(); hit.stretch                                 # 0.75: "very ...-ish"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from moodmix.engine.mood.tempo import Tempo
from moodmix.engine.vocabulary import Term

CONTRAST: Final = 1.3
"""How much more a clause after "but" weighs than the one before it."""
MAX_CONTRASTS: Final = 2
"""Contrasts counted at most: "a but b but c but d" weighs d like c."""

INTENSIFY: Final = (1.25, 1.25)
"""(stretch, weight) factors of an intensifier."""
HEDGE: Final = (0.6, 0.65)
"""(stretch, weight) factors of a hedge."""
MAX_STRETCH: Final = 1.8
MAX_WEIGHT: Final = 1.8


@dataclass(slots=True)
class Modifiers:
    """The stretch and weight that modifier words have built up for the next term."""

    stretch: float = 1.0
    weight: float = 1.0

    def hedge(self) -> None:
        self.stretch *= HEDGE[0]
        self.weight *= HEDGE[1]

    def intensify(self) -> None:
        self.stretch = min(MAX_STRETCH, self.stretch * INTENSIFY[0])
        self.weight = min(MAX_WEIGHT, self.weight * INTENSIFY[1])


@dataclass(slots=True)
class Hit:
    """A term as the text uses it: ``weight`` scales its strengths, ``stretch`` how far its
    targets lie from neutral (above 1 intensified, below 1 hedged)."""

    term: Term
    end: int
    weight: float = 1.0
    stretch: float = 1.0
    negated: bool = False
    soft: bool = False
    clause: int = 0
    """How many contrasts ("but") came before it."""

    def hedge(self) -> None:
        self.stretch *= HEDGE[0]
        self.weight *= HEDGE[1]


@dataclass(slots=True)
class Reading:
    """What ``read`` found in a text, in text order."""

    hits: list[Hit] = field(default_factory=list)
    artists: list[str] = field(default_factory=list)
    artist_genres: list[str] = field(default_factory=list)
    avoided_artists: list[str] = field(default_factory=list)
    tempo: Tempo | None = None
    """(target, low, high) in BPM, when the text gives a number."""

    @property
    def understood(self) -> bool:
        return bool(self.hits or self.artists or self.avoided_artists or self.tempo)
