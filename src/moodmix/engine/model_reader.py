"""``ModelMoodReader``: the built-in reading, nudged by a language model when it answers in
time, and the built-in reading alone (with a note saying why) when it does not.

::

    async with LanguageModel.from_settings(settings, storage=gateway.storage) as model:
        reader = ModelMoodReader(model, gateway)   # or open_reader(settings, gateway)
        reading = await reader.read("music for the last day of summer camp")
        reading.report.fell_back, reading.report.note, reading.report.prompt_tokens
        playlist = await make_playlist(gateway, request, reader=reader)

The built-in reader always reads first (it is instant and offline); the model is asked within
its deadline (``LanguageModel``). Any ``ModelError`` (timeout, 429, 5xx, malformed answer,
breaker open) gives the built-in reading with the reason in the explanation. Names the model
gives are confirmed through ReccoBeats search (``confirm``) before they can become seeds, and
the answer is merged by ``merge`` rules: the model nudges, the built-in reader decides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import structlog

from moodmix.engine.confirm import confirm_names
from moodmix.engine.merge import merge_answer
from moodmix.engine.mood import analyse
from moodmix.engine.profile import MoodProfile
from moodmix.engine.readers import BuiltInReader, ReaderReport, Reading
from moodmix.llm import LanguageModel, ModelError, reason_label
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings

log = structlog.get_logger("moodmix.engine.reader")


def open_reader(settings: Settings, gateway: ReccoBeats) -> BuiltInReader | ModelMoodReader:
    """The reader ``settings`` ask for: the built-in one unless ``llm_url`` is set. Close it
    with ``aclose()`` before the gateway (its cached answers live in the gateway's storage)."""
    if settings.llm_url is None:
        return BuiltInReader()
    return ModelMoodReader(LanguageModel.from_settings(settings, storage=gateway.storage), gateway)


class ModelMoodReader:
    """A ``MoodReader`` asking ``model``, confirming names through ``gateway``."""

    def __init__(
        self,
        model: LanguageModel,
        gateway: ReccoBeats,
        *,
        analyse: Callable[[str], MoodProfile] = analyse,
    ) -> None:
        self.model = model
        self._gateway = gateway
        self._analyse = analyse

    async def read(self, text: str) -> Reading:
        base = self._analyse(text)
        started = time.perf_counter()
        report = ReaderReport(kind="llm", model=self.model.model, deadline_s=self.model.deadline)
        try:
            asked = await self.model.ask(text)
        except ModelError as exc:
            elapsed = time.perf_counter() - started
            note = f"the language model was not used: {exc.reason}; this is the built-in reading"
            fallback = replace(base, explanation=f"{base.explanation} {note[0].upper()}{note[1:]}.")
            failed = replace(
                report, fell_back=True, note=note, reason=reason_label(exc), elapsed_s=elapsed
            )
            return Reading(fallback, failed)
        answer = asked.answer
        confirmed = await confirm_names(self._gateway, answer.artists, answer.tracks)
        merged = merge_answer(base, answer, confirmed, model=self.model.model)
        if confirmed.unknown:
            log.info("llm_names_unconfirmed", count=len(confirmed.unknown))
        report = replace(
            report,
            cached=asked.cached,
            prompt_tokens=asked.usage.prompt_tokens,
            completion_tokens=asked.usage.completion_tokens,
            cost=asked.cost,
            elapsed_s=asked.elapsed,
            from_model=merged.from_model,
            rejected=confirmed.unknown,
            note="answer reused from the cache" if asked.cached else None,
        )
        return Reading(merged.profile, report, confirmed.track_ids)

    async def aclose(self) -> None:
        await self.model.aclose()
