r"""What a reader can see of typed text: format and zero-width characters, text direction.

Pure. A command name typed with a zero-width joiner inside (``!ai\u200dde``) or a
direction override in front is the name without them; a text made only of such
characters (or spaces) says nothing and is refused as empty. User text shown back
inside the bot's sentences is isolated (:func:`isolate`) so that it cannot turn them
around: here, so that the synthesis (bot/game) and the renderer share one rule.
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


FSI, PDI = "\u2068", "\u2069"
# Bidi classes that can reorder the text around them: right-to-left letters and
# numbers, and the explicit embeddings, overrides and isolates.
_BIDI_RISKY = frozenset({"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"})
_ISOLATE_OPEN = frozenset("\u2066\u2067\u2068")


def needs_isolation(text: str) -> bool:
    """Whether ``text`` could turn the sentence around it (RTL letters or bidi controls).

    Text of left-to-right letters, digits and punctuation reads the same isolated or
    not: leaving it bare keeps messages free of invisible characters that some
    terminal clients draw as boxes.
    """
    return any(unicodedata.bidirectional(ch) in _BIDI_RISKY for ch in text)


def isolate(text: str) -> str:
    """``text`` between FSI and PDI when it could reorder what surrounds it.

    A PDI typed without its opener would close the bot's FSI early and let an
    override run on into the bot's sentence: such stray PDIs are dropped. Isolates
    the text leaves open get their PDI, so the last one closes the bot's FSI; an
    embedding or override left open (RLO…) ends there too (Unicode bidi rule X6a).
    """
    if not needs_isolation(text):
        return text
    kept: list[str] = []
    depth = 0
    for ch in text:
        if ch in _ISOLATE_OPEN:
            depth += 1
        elif ch == PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(ch)
    return FSI + "".join(kept) + PDI * depth + PDI
