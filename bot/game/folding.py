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


def read_int(word: str) -> int | None:
    """The whole number ``word`` writes in decimal digits of any script, or None.

    ``١٢`` (Arabic-Indic), ``１２`` (full-width) and ``12`` are all 12: people type
    the digits of their keyboard. Superscripts, circled and other digit-like signs
    (``⁵``, ``①``, ``፩``) are not numbers, although ``str.isdigit`` says they are
    (and ``int`` refuses them): only ``str.isdecimal`` characters count.
    """
    word = word.strip()
    if not word or not word.isdecimal():
        return None
    return int("".join(str(unicodedata.decimal(c)) for c in word))


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script written as its ASCII digit (``٣`` → ``3``)."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def digit_sign(text: str) -> str | None:
    """The first word of ``text`` holding a digit-like sign that is not a decimal digit (``⁵``, ``①``).

    :func:`fold` (NFKD) would turn ``⁵`` into ``5``: parsers that fold their text call
    this first, so that such signs are refused everywhere, as :func:`read_int` does.
    """
    return next((word for word in text.split() if any(c.isdigit() and not c.isdecimal() for c in word)), None)
