"""A language-model stand-in: a small OpenAI-compatible Chat Completions server answering
from a fixed table, with faults on request (``app`` lists them), for tests and the demo::

    async with LlmServer(LlmConfig()) as llm:
        settings = Settings(llm_url=f"{llm.url}/v1", llm_model="standin")
    $ moodmix llm-simulator --port 8767 --fault slow --slow-s 10
"""

from moodmix.simulator.llm.app import FAULTS, Fault, LlmConfig, StandInState, build_app, mood_text
from moodmix.simulator.llm.server import LlmServer, llm_in_thread, serve_llm_forever
from moodmix.simulator.llm.table import answer_for

__all__ = [
    "FAULTS",
    "Fault",
    "LlmConfig",
    "LlmServer",
    "StandInState",
    "answer_for",
    "build_app",
    "llm_in_thread",
    "mood_text",
    "serve_llm_forever",
]
