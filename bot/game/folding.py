"""Folding typed words so that case and accents do not matter.

Pure and shared by the whole core: command names, card and theme look-ups, the
days and words of a schedule.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip accents: ``"Équipe"`` → ``"equipe"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
