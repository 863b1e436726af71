"""The mood reader seam: what turns a prompt into a profile, and what it says about itself.

::

    reader: MoodReader = BuiltInReader()            # or ModelMoodReader(model, gateway)
    reading = await reader.read("rainy Sunday, mellow acoustic")
    reading.profile.targets["acousticness"]
    reading.report.to_json()   # {"kind": "built-in", "fell_back": False, "note": None, ...}
    reading.seed_ids           # tracks a reader confirmed upstream, to seed from

``make_playlist(gateway, request, reader=...)`` awaits a reader; the built-in one is the
default and every other reader's fallback. ``ReaderReport`` travels with the playlist: which
reader read the prompt, whether it fell back and why, and the tokens and cost it took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from moodmix.engine.mood import analyse
from moodmix.engine.profile import MoodProfile

ReaderKind = Literal["built-in", "llm"]


@dataclass(frozen=True)
class ReaderReport:
    """How a prompt was read: by which reader, whether it fell back, at what cost.

    ``note`` says in a sentence what happened when something did (a fallback and why);
    ``from_model`` lists what the model contributed ("energy", "artists: Bon Iver", ...);
    ``elapsed_s`` is the time spent asking the model (0 for the built-in reader or a cached
    answer's lookup only), next to the ``deadline_s`` it had.
    """

    kind: ReaderKind = "built-in"
    model: str | None = None
    fell_back: bool = False
    note: str | None = None
    reason: str | None = None
    """Why it fell back, in one word: timeout, rate_limited, server_error, malformed, ..."""
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    elapsed_s: float = 0.0
    deadline_s: float | None = None
    from_model: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    """Names the model gave that ReccoBeats does not know: never seeds."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": self.model,
            "fell_back": self.fell_back,
            "note": self.note,
            "reason": self.reason,
            "cached": self.cached,
            "tokens": {
                "prompt": self.prompt_tokens,
                "completion": self.completion_tokens,
                "total": self.prompt_tokens + self.completion_tokens,
            },
            "cost": self.cost,
            "elapsed_s": round(self.elapsed_s, 4),
            "deadline_s": self.deadline_s,
            "from_model": list(self.from_model),
            "rejected": list(self.rejected),
        }


@dataclass(frozen=True)
class Reading:
    """A profile, how it was read, and track ids a reader confirmed as seeds."""

    profile: MoodProfile
    report: ReaderReport = field(default_factory=ReaderReport)
    seed_ids: tuple[str, ...] = ()


class MoodReader(Protocol):
    """Reads a prompt into a profile; must always answer (falling back when it has to)."""

    async def read(self, text: str) -> Reading: ...


class BuiltInReader:
    """The embedded, offline reader (``engine.mood.analyse``), as a ``MoodReader``."""

    def __init__(self, analyse: Callable[[str], MoodProfile] = analyse) -> None:
        self._analyse = analyse

    async def read(self, text: str) -> Reading:
        started = time.perf_counter()
        profile = self._analyse(text)
        return Reading(profile, ReaderReport(elapsed_s=time.perf_counter() - started))

    async def aclose(self) -> None:
        """Nothing to close; here so every reader closes alike."""
