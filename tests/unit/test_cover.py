"""Covers: the mood picks the colours, the same input the same picture, Spotify's size holds."""

from __future__ import annotations

import base64
import colorsys
import io

from PIL import Image

from moodmix.engine.cover import MAX_COVER_BASE64, SIZE, draw_cover, mood_colours


def hue(rgb: tuple[int, int, int]) -> float:
    return colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0]


def test_valence_warms_and_energy_brightens() -> None:
    sad, _ = mood_colours(0.1, 0.5)
    happy, _ = mood_colours(0.9, 0.5)
    assert 0.5 < hue(sad) < 0.75  # blue to violet
    assert hue(happy) < 0.2  # yellow to amber
    calm, _ = mood_colours(0.5, 0.1)
    wild, _ = mood_colours(0.5, 0.9)
    assert max(wild) > max(calm)
    assert mood_colours(-3, 7) == mood_colours(0, 1)  # out-of-range values are clamped


def test_a_cover_is_a_square_jpeg_within_spotify_s_limit_and_repeatable() -> None:
    prompt = "rainy Sunday, mellow acoustic, nothing sad " * 20  # long: cut with an ellipsis
    jpeg = draw_cover(prompt, valence=0.3, energy=0.9)
    assert jpeg.startswith(b"\xff\xd8")
    assert len(base64.b64encode(jpeg)) <= MAX_COVER_BASE64
    image = Image.open(io.BytesIO(jpeg))
    assert (image.format, image.size) == ("JPEG", (SIZE, SIZE))
    assert draw_cover(prompt, valence=0.3, energy=0.9) == jpeg
    assert draw_cover("another mood", valence=0.3, energy=0.9) != jpeg
    assert draw_cover("", valence=0.5, energy=0.5).startswith(b"\xff\xd8")
