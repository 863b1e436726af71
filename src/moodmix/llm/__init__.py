"""Bring your own language model: an OpenAI-compatible endpoint asked what a mood means.

Optional and off unless ``MOODMIX_LLM_URL`` is set. ``LanguageModel`` is the gateway to one
model (cache, limiter, breaker, retries, deadline); ``ChatClient`` the HTTP client under it;
``ModelAnswer`` the validated, clamped answer. The engine's ``ModelMoodReader`` merges the
answer with the built-in reading and falls back to it on any ``ModelError``::

    async with LanguageModel.from_settings(settings, storage=gateway.storage) as model:
        asked = await model.ask("music for the last day of summer camp")
        asked.answer.reading, asked.answer.artists, asked.usage.total_tokens
"""

from moodmix.llm.answer import (
    SCALES,
    FeatureAnswer,
    ModelAnswer,
    TrackAnswer,
    answer_schema,
    parse_answer,
    plain,
)
from moodmix.llm.client import ChatClient, Completion, Usage
from moodmix.llm.errors import (
    MalformedAnswer,
    ModelBusy,
    ModelError,
    ModelRateLimited,
    ModelRejected,
    ModelServerError,
    ModelTimeout,
    ModelUnreachable,
)
from moodmix.llm.metrics import ModelMetrics
from moodmix.llm.model import Asked, LanguageModel, Prices, cache_key, normalised, reason_label
from moodmix.llm.prompt import SYSTEM, mood_messages

__all__ = [
    "SCALES",
    "SYSTEM",
    "Asked",
    "ChatClient",
    "Completion",
    "FeatureAnswer",
    "LanguageModel",
    "MalformedAnswer",
    "ModelAnswer",
    "ModelBusy",
    "ModelError",
    "ModelMetrics",
    "ModelRateLimited",
    "ModelRejected",
    "ModelServerError",
    "ModelTimeout",
    "ModelUnreachable",
    "Prices",
    "TrackAnswer",
    "Usage",
    "answer_schema",
    "cache_key",
    "mood_messages",
    "normalised",
    "parse_answer",
    "plain",
    "reason_label",
]
