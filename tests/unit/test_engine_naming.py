"""Names and descriptions: from the real mood reader, distinct across the public prompts."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from moodmix.bench.playlists.plan import PROMPTS
from moodmix.engine import analyse
from moodmix.engine.naming import MAX_NAME_CHARS, description_for, name_for

PAGE = Path(__file__).parents[2] / "src" / "moodmix" / "service" / "templates" / "index.html"


def public_prompts() -> list[str]:
    """The benchmark's prompts and the examples the page shows."""
    shown = re.findall(r'placeholder="([^"]+)"', PAGE.read_text(encoding="utf-8"))
    return list(dict.fromkeys([*PROMPTS, *(p for p in shown if p != "API key")]))


def test_no_two_public_prompts_get_the_same_name() -> None:
    prompts = public_prompts()
    assert len(prompts) >= len(PROMPTS)
    names = {prompt: name_for(analyse(prompt)) for prompt in prompts}
    assert len(set(names.values())) == len(names), names
    for prompt, name in names.items():
        assert name.strip(), prompt
        assert len(name) <= MAX_NAME_CHARS, prompt
        assert name.casefold() != prompt.casefold()  # made, not the prompt copied


def test_descriptions_say_the_mood_and_quote_the_prompt() -> None:
    text = description_for(analyse("angry metal, very intense"))
    assert text == "Energetic, sombre metal songs for \u201cangry metal, very intense\u201d."
    adele = description_for(analyse("heartbroken, like Adele"))
    assert "in the spirit of Adele" in adele


def test_the_same_prompt_always_gets_the_same_name() -> None:
    assert name_for(analyse("sad but hopeful indie")) == name_for(analyse("sad but hopeful indie"))


def test_a_reader_suggestion_wins() -> None:
    profile = replace(
        analyse("rainy Sunday"),
        suggested_name="  Puddles  and   Tea ",
        suggested_description="For staying in.",
    )
    assert name_for(profile) == "Puddles and Tea"
    assert description_for(profile) == "For staying in."
    long = replace(profile, suggested_name="x" * 300)
    assert len(name_for(long)) == MAX_NAME_CHARS


def test_a_prompt_nothing_was_recognised_in_still_gets_a_name() -> None:
    profile = analyse("zzqx blorp")
    assert name_for(profile).strip()
    assert "zzqx blorp" in description_for(profile)
