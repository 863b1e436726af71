"""What reading finds: each term as the text uses it (``Hit``), and the whole ``Reading``.

A hit carries how its words around it changed it: intensifiers ("very", "much") push its
targets further from neutral, strengthen it and make a step bigger, hedges ("a bit", "a
touch", "-ish") do the opposite, a negation rules it out (``soft`` for "not too" and "less"),
and a clause after "but" weighs ``CONTRAST`` times more::

    pending = Modifiers()
    pending.intensify(); pending.stretch, pending.weight     # (1.25, 1.25): "very ..."
    hit = Hit(term, end=3, weight=pending.weight, stretch=pending.stretch)
    hit.hedge(); hit.stretch                                 # 0.75: "very ...-ish"

A hit can also be relative (``Hit.relative``): a step toward its term ("more upbeat",
"slower") or away from it ("less vocals", "not so loud"), of ``step`` times the usual size
("a touch quicker": half a step; "much faster": 1.6), compared with a ``reference`` ("busier
than a café") or, without one, with the playlist as it is ("quicker than last time"). The
grading is the same wherever the hit is read: a first prompt or a refinement.
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

INTENSIFY: Final = (1.25, 1.25, 1.6)
"""(stretch, weight, step) factors of an intensifier."""
HEDGE: Final = (0.6, 0.65, 0.5)
"""(stretch, weight, step) factors of a hedge."""
MAX_STRETCH: Final = 1.8
MAX_WEIGHT: Final = 1.8
MAX_STEP: Final = 2.5


@dataclass(slots=True)
class Modifiers:
    """The stretch, weight and step that modifier words have built up for the next term, and
    whether "more" asked for a step toward it."""

    stretch: float = 1.0
    weight: float = 1.0
    step: float = 1.0
    more: bool = False

    def hedge(self) -> None:
        self.stretch *= HEDGE[0]
        self.weight *= HEDGE[1]
        self.step *= HEDGE[2]

    def intensify(self) -> None:
        self.stretch = min(MAX_STRETCH, self.stretch * INTENSIFY[0])
        self.weight = min(MAX_WEIGHT, self.weight * INTENSIFY[1])
        self.step = min(MAX_STEP, self.step * INTENSIFY[2])

    def ask_more(self) -> None:
        """ "more": as strong as an intensifier in a first prompt, and a step toward the term;
        the step itself keeps its size ("more upbeat" is one step, "much more upbeat" 1.6)."""
        self.stretch = min(MAX_STRETCH, self.stretch * INTENSIFY[0])
        self.weight = min(MAX_WEIGHT, self.weight * INTENSIFY[1])
        self.more = True


@dataclass(slots=True)
class Hit:
    """A term as the text uses it: ``weight`` scales its strengths, ``stretch`` how far its
    targets lie from neutral (above 1 intensified, below 1 hedged), ``step`` the size of a
    step it asks for (1 a plain step)."""

    term: Term
    end: int
    weight: float = 1.0
    stretch: float = 1.0
    negated: bool = False
    soft: bool = False
    clause: int = 0
    """How many contrasts ("but") came before it."""
    step: float = 1.0
    more: bool = False
    """Asked for as more of it: after "more", or as a comparative ("slower")."""
    reference: Term | None = None
    """What it is compared with ("than a café"); ``None`` without one."""

    def hedge(self) -> None:
        self.stretch *= HEDGE[0]
        self.weight *= HEDGE[1]
        self.step *= HEDGE[2]

    @property
    def relative(self) -> int:
        """1 for a step toward the term ("more upbeat", "slower"), -1 for a step away ("less
        vocals", "not so loud"), 0 for the term itself or ruled out ("no vocals")."""
        if self.negated:
            return -1 if self.soft else 0
        return 1 if self.more else 0


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
