"""The four levels of the systems board, as a player may type them, in every language.

Every name a board shows for a level is accepted: the whole name and each of its
"/"-separated parts ("Team / Dienst / Abteilung" → team, dienst, abteilung), several
words included ("europäische Politik", "Politiques locales"), folded like every typed
word; plus a few short forms (the number, the singular, the head word) that the
refusal message suggests. Words that name no level on any board are refused: a
misspelt level should not file an idea at a level nobody chose.

The names below are the boards' as shipped; :func:`shown` adds the names the running
bot's boards and catalogue actually show (a translator who renames a level needs no
code change). A word that would name two levels names neither, and
tests/test_level_words.py fails when a name shown on a board cannot be typed.
"""

from __future__ import annotations

import re
from typing import Iterable

from bot.game.folding import ascii_digits, digit_sign, fold
from bot.game.visible import without_format
from bot.decks import Library
from bot.messages.catalogue import Catalogue

LEVEL_WORDS = {
    "individual": (
        "1", "individuel", "individuelle",  # fr
        "individual",  # en, ro
        "individuell",  # de
        "ατομικό", "ατομικό επίπεδο",  # el
    ),
    "team": (
        "2", "équipe / service / unité", "équipe", "service", "unité",
        "team / service / unit", "team", "unit",
        "echipă / serviciu / unitate", "echipă", "serviciu", "unitate",
        "ομάδα / υπηρεσία / μονάδα", "ομάδα", "υπηρεσία", "μονάδα",
        "team / dienst / abteilung", "dienst", "abteilung",
    ),
    "organisation": (
        "3", "organisme / institution", "organisme", "institution",
        "organisation / institution", "organisation", "organization",
        "organizație / instituție", "organizație", "instituție",
        "οργανισμός / φορέας", "οργανισμός", "φορέας", "θεσμός",
        "organisation / einrichtung", "einrichtung",
    ),
    "policy": (
        "4", "politiques locales / nationales / européennes", "politiques locales", "nationales", "européennes",
        "politiques", "politique",
        "local / national / european policy", "local", "national", "european policy", "policy",
        "politici locale / naționale / europene", "politici locale", "naționale", "europene", "politici", "politică",
        "τοπικές / εθνικές / ευρωπαϊκές πολιτικές", "τοπικές", "εθνικές", "ευρωπαϊκές πολιτικές",
        "πολιτικές", "πολιτική",
        "lokale / nationale / europäische politik", "lokale", "nationale", "europäische politik", "politik",
    ),
}


def normal(text: str) -> str:
    """Folded, any script's digits as ASCII ("٢" → "2"), one space between words and around
    each "/", no trailing "." or ":"."""
    return re.sub(r"\s*/\s*", " / ", " ".join(ascii_digits(fold(text)).split())).strip(" .:")


class Levels:
    """What may be typed for each level: ``parse`` one name, ``split`` a level off an idea."""

    def __init__(self, names: Iterable[tuple[str, str]]):
        table: dict[str, str] = {}
        ambiguous: set[str] = set()
        for level, name in names:
            words = normal(name)
            for word in [words, *(words.split(" / ") if " / " in words else ())]:
                if table.get(word, level) != level:
                    ambiguous.add(word)
                table[word] = level
        self._table = {word: level for word, level in table.items() if word not in ambiguous}
        self._longest = max((len(word.split()) for word in self._table), default=1)

    def with_names(self, names: Iterable[tuple[str, str]]) -> "Levels":
        """These words and ``names`` (level id, a name a board shows) as one table."""
        return Levels([*((level, word) for word, level in self._table.items()), *names])

    def parse(self, word: str) -> str | None:
        """The level ``word`` names, or None; "Team/Dienst" (names of one level) names it too.

        Its number 1-4 may be in any script's digits (``٢``, ``２``); digit-like signs
        (``²``, ``②``) are refused, as everywhere numbers are typed (``digit_sign``).
        """
        if digit_sign(word):
            return None
        word = normal(without_format(word))
        if word in self._table:
            return self._table[word]
        named = {self._table.get(part) for part in word.split(" / ")} if " / " in word else {None}
        return named.pop() if len(named) == 1 and None not in named else None

    def split(self, text: str) -> tuple[str | None, str]:
        """``(level, the rest)`` for text that starts with a level's name (the longest that fits)."""
        tokens = text.replace("/", " / ").split()
        for size in range(min(self._longest, len(tokens)), 0, -1):
            level = self.parse(" ".join(tokens[:size]))
            if level is not None:
                rest = _rest(text, tokens[:size])
                # "team/policy": two levels at once is no level.
                return (None, text.strip()) if rest.startswith("/") else (level, rest)
        return None, text.strip()


def _rest(text: str, head: list[str]) -> str:
    """``text`` without its first words ``head`` (as split around "/"), line breaks kept."""
    rest = text.lstrip()
    for token in head:
        rest = rest.lstrip()
        if not rest.startswith(token):
            break
        rest = rest[len(token):]
    return rest.strip()


def shown(catalogue: Catalogue, library: Library, levels: "Levels | None" = None) -> "Levels":
    """``levels`` (the shipped words) with every level name the boards and the catalogue show."""
    return (levels or LEVELS).with_names(
        [(level.id, level.name) for lang in catalogue.languages for level in library.board(lang)]
        + [(level, catalogue.text(lang, f"game.level.{level}")) for lang in catalogue.languages for level in LEVEL_WORDS])


LEVELS = Levels((level, word) for level, words in LEVEL_WORDS.items() for word in words)
parse_level = LEVELS.parse
split_level = LEVELS.split
