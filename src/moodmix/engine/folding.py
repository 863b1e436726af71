"""Text folded for comparison: names and titles that differ only in case, accents or
punctuation compare equal::

    fold("Sigur Rós!")           # 'sigur ros'
    fold("Simon & Garfunkel")    # 'simon and garfunkel'
    fold("Hip-Hop")              # 'hip hop'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_NON_WORD: Final = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lowercase ASCII words separated by single spaces; "&" reads as "and"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain.replace("&", " and ")).strip()
