"""The documentation names every setting, so it cannot silently fall behind the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from moodmix.settings import Settings

CONFIGURATION = Path(__file__).parents[2] / "docs" / "CONFIGURATION.md"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"MOODMIX_{field.upper()}" in CONFIGURATION.read_text(encoding="utf-8")
