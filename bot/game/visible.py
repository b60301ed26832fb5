r"""What a reader can see of typed text: format and zero-width characters set apart.

Pure. A command name typed with a zero-width joiner inside (``!ai\u200dde``) or a
direction override in front is the name without them; a text made only of such
characters (or spaces) says nothing and is refused as empty.
"""

from __future__ import annotations

import unicodedata

# Characters that draw nothing yet are not format (Cf) characters: the Hangul
# fillers, the braille blank and the combining grapheme joiner.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
# Categories that draw nothing on their own: controls, format characters, separators,
# marks with no base letter, unassigned code points and surrogates.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def without_format(text: str) -> str:
    """``text`` without format (Cf) and zero-width characters: how a name is read."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and ch not in _BLANK_LETTERS)


def has_visible(text: str) -> bool:
    """Whether ``text`` holds at least one character a reader can see."""
    return any(unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_LETTERS
               for ch in text)


def visible_words(text: str) -> list[str]:
    """The words of ``text`` that show something, each without its format characters."""
    return [word for word in (without_format(w) for w in text.split()) if has_visible(word)]
