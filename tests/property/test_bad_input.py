"""Bad input of every shape: ids, prompts and settings either work or fail with a clear
``ValueError``/``ValidationError`` naming what was wrong and what is allowed; nothing else."""

from __future__ import annotations

import math
import os
from typing import Any

import pytest
from annotated_types import Ge, Gt, Le, Lt
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from moodmix.engine.mood import analyse
from moodmix.reccobeats.ids import parse_id, parse_ids
from moodmix.settings import Settings

CONTROL = st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Cs", "Co"])
ANY_TEXT = st.text(st.characters(codec="utf-8") | CONTROL, max_size=300)


@given(text=ANY_TEXT, expect=st.sampled_from([None, "track", "artist", "album"]))
def test_an_id_parses_or_says_what_an_id_may_be(text: str, expect: Any) -> None:
    try:
        parsed = parse_id(text, expect=expect)
    except ValueError as exc:
        message = str(exc)
        assert message
        assert "Spotify" in message or "id" in message, message
    else:
        assert parsed.value
        assert parsed.value.strip() == parsed.value


@given(texts=st.lists(ANY_TEXT, max_size=5))
def test_a_list_of_ids_fails_naming_the_bad_one(texts: list[str]) -> None:
    try:
        parse_ids(texts)
    except ValueError as exc:
        message = str(exc)
    else:
        message = "parsed"
    assert message


WORDY = st.lists(CONTROL | st.sampled_from(["sad", " ", "calm", "🎸", "\u202e"]), max_size=200)


@given(text=WORDY.map("".join))
def test_the_mood_analyser_reads_control_characters_the_same_every_time(text: str) -> None:
    # Any unicode and 100 kB prompts: tests/unit/test_mood.py; here text full of controls.
    assert analyse(text) == analyse(text)


def _bounds(name: str) -> tuple[float | None, float | None, bool, bool]:
    low = high = None
    low_open = high_open = False
    for rule in Settings.model_fields[name].metadata:
        if isinstance(rule, Ge):
            low = float(rule.ge)  # type: ignore[arg-type]
        elif isinstance(rule, Gt):
            low, low_open = float(rule.gt), True  # type: ignore[arg-type]
        elif isinstance(rule, Le):
            high = float(rule.le)  # type: ignore[arg-type]
        elif isinstance(rule, Lt):
            high, high_open = float(rule.lt), True  # type: ignore[arg-type]
    return low, high, low_open, high_open


BOUNDED = sorted(name for name in Settings.model_fields if _bounds(name)[:2] != (None, None))


@pytest.mark.parametrize("name", BOUNDED)
@given(data=st.data())
def test_an_out_of_range_setting_names_the_field_and_the_bound(name: str, data: Any) -> None:
    low, high, low_open, high_open = _bounds(name)
    choices = []
    if low is not None:
        choices.append(low if low_open else math.nextafter(low, -math.inf) - 1)
    if high is not None:
        choices.append(high if high_open else high * 2 + 1)
    bad = data.draw(st.sampled_from(choices))
    if Settings.model_fields[name].annotation is int:
        bad = math.floor(bad) if low is not None and bad <= low else math.ceil(bad)
    with pytest.raises(ValidationError) as caught:
        Settings(**{name: bad})
    message = str(caught.value)
    assert name in message
    assert "greater than" in message or "less than" in message, message


@pytest.mark.parametrize("name", BOUNDED)
@given(junk=st.text(min_size=1, max_size=20).filter(lambda t: not _number(t)))
def test_a_setting_from_the_environment_that_is_not_a_number_names_the_field(
    name: str, junk: str
) -> None:
    if "\x00" in junk:
        return  # an environment variable cannot hold NUL
    variable = f"MOODMIX_{name.upper()}"
    saved = os.environ.get(variable)
    os.environ[variable] = junk
    try:
        with pytest.raises(ValidationError) as caught:
            Settings()
    finally:
        if saved is None:
            del os.environ[variable]
        else:
            os.environ[variable] = saved
    assert name in str(caught.value)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip().lower() in {"true", "false", "yes", "no", "on", "off"}
    return True
