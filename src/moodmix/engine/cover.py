"""A playlist's cover, drawn from its mood: colours from valence and energy, the prompt as text.

::

    jpeg = draw_cover("rainy Sunday, mellow acoustic", valence=0.35, energy=0.2)
    len(base64.b64encode(jpeg)) <= MAX_COVER_BASE64     # True: Spotify's cover limit holds
    playlist_cover("rainy Sunday", playlist.to_json())  # the cover of a made playlist

``playlist_cover`` is the one cover of a playlist: the service serves it and the Spotify
save uploads it. Its caption is the playlist's name (the prompt when it has none).

Valence turns the hue from cold blue-violet (sad) to warm amber (happy); energy turns the
light and the saturation up. The same mood and prompt always give the same picture. The
JPEG quality steps down until the base64 body fits Spotify's 256 KB.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import random
import textwrap
from collections.abc import Mapping
from typing import Any, Final

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE: Final = 640
MAX_COVER_BASE64: Final = 256 * 1024
_MAX_JPEG_BYTES: Final = MAX_COVER_BASE64 * 3 // 4 - 4
_QUALITIES: Final = (90, 80, 70, 60, 50, 40, 30)


def mood_colours(
    valence: float, energy: float
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The cover's two gradient colours (top, bottom) for a mood's valence and energy (0-1)."""
    v, e = min(1.0, max(0.0, valence)), min(1.0, max(0.0, energy))
    hue = (0.70 - 0.62 * v) % 1.0  # 0.70 blue-violet ... 0.08 amber
    top = colorsys.hsv_to_rgb(hue, 0.35 + 0.55 * e, 0.45 + 0.5 * e)
    bottom = colorsys.hsv_to_rgb((hue - 0.05) % 1.0, 0.55 + 0.4 * e, 0.15 + 0.35 * e)
    return _rgb(top), _rgb(bottom)


CoverInputs = tuple[str, float, float, str | None]
"""What a playlist's cover is drawn from: prompt, valence, energy, caption."""


def cover_inputs(prompt: str, playlist: Mapping[str, Any] | None) -> CoverInputs:
    """What ``playlist_cover`` draws from (equal inputs, equal pictures: a cache key)."""
    found = playlist or {}
    targets = found.get("profile", {}).get("targets", {}) or {}
    name = found.get("name")
    caption = name if isinstance(name, str) and name.strip() else None
    return (
        prompt,
        float(targets.get("valence", 0.5)),
        float(targets.get("energy", 0.5)),
        caption,
    )


def playlist_cover(prompt: str, playlist: Mapping[str, Any] | None) -> bytes:
    """The cover of a playlist (as ``Playlist.to_json()`` gives it) made from ``prompt``."""
    return draw_inputs(cover_inputs(prompt, playlist))


def draw_inputs(inputs: CoverInputs) -> bytes:
    """``draw_cover`` for what ``cover_inputs`` read."""
    prompt, valence, energy, caption = inputs
    return draw_cover(prompt, valence=valence, energy=energy, caption=caption)


def draw_cover(prompt: str, *, valence: float, energy: float, caption: str | None = None) -> bytes:
    """A square JPEG for ``prompt`` (captioned ``caption``, else the prompt) whose base64 is
    at most ``MAX_COVER_BASE64`` bytes."""
    top, bottom = mood_colours(valence, energy)
    image = _gradient(top, bottom)
    _bubbles(image, prompt, energy)
    _caption(image, caption or prompt)
    for quality in _QUALITIES:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= _MAX_JPEG_BYTES:
            return out.getvalue()
    raise ValueError("the cover does not fit Spotify's 256 KB even at the lowest quality")


def _rgb(colour: tuple[float, float, float]) -> tuple[int, int, int]:
    r, g, b = (round(255 * c) for c in colour)
    return r, g, b


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    column = Image.new("RGB", (1, SIZE))
    for y in range(SIZE):
        t = y / (SIZE - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize((SIZE, SIZE))


def _bubbles(image: Image.Image, prompt: str, energy: float) -> None:
    """Soft light circles, more and livelier with energy, placed by the prompt."""
    seed = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(4 + math.floor(10 * max(0.0, min(1.0, energy)))):
        r = rng.uniform(0.05, 0.3) * SIZE
        x, y = rng.uniform(0, SIZE), rng.uniform(0, SIZE * 0.75)
        alpha = rng.randint(18, 60)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, alpha))
    layer = layer.filter(ImageFilter.GaussianBlur(SIZE / 40))
    image.paste(layer, (0, 0), layer)


def _caption(image: Image.Image, prompt: str) -> None:
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=SIZE // 14)
    small = ImageFont.load_default(size=SIZE // 28)
    text = prompt.strip() or "moodmix"
    lines = textwrap.wrap(text, width=22, max_lines=4, placeholder="…")
    line_height = SIZE // 12
    y = SIZE - SIZE // 12 - line_height * len(lines)
    for line in lines:
        draw.text((SIZE // 16 + 2, y + 2), line, font=font, fill=(0, 0, 0))
        draw.text((SIZE // 16, y), line, font=font, fill=(255, 255, 255))
        y += line_height
    draw.text((SIZE // 16, SIZE // 16), "moodmix", font=small, fill=(255, 255, 255))
