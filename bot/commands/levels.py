"""The four levels of the systems board, as a player may type them, in every language.

Every name a board shows for a level is accepted: the whole name and each of its
"/"-separated parts ("Team / Dienst / Abteilung" → team, dienst, abteilung), several
words included ("europäische Politik", "Politiques locales"), folded like every typed
word; plus a few short forms (the number, the singular, the head word) that the
refusal message suggests. Words that name no level on any board are refused: a
misspelt level should not file an idea at a level nobody chose.
tests/test_level_words.py fails when a name shown on a board cannot be typed.
"""

from __future__ import annotations

import re

from bot.game.folding import fold

# The boards' names (resources/<lang>.yaml, game.level.* in the catalogue) and short forms.
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
    """Folded, one space between words and around each "/", no trailing "." or ":"."""
    return re.sub(r"\s*/\s*", " / ", " ".join(fold(text).split())).strip(" .:")


_LEVELS = {normal(word): level for level, words in LEVEL_WORDS.items() for word in words}
_LONGEST = max(len(word.split()) for word in _LEVELS)


def parse_level(word: str) -> str | None:
    """The level ``word`` names, or None; "Team/Dienst" (names of one level) names it too."""
    word = normal(word)
    if word in _LEVELS:
        return _LEVELS[word]
    named = {_LEVELS.get(part) for part in word.split(" / ")} if " / " in word else {None}
    return named.pop() if len(named) == 1 and None not in named else None


def split_level(text: str) -> tuple[str | None, str]:
    """``(level, the rest)`` for text that starts with a level's name (the longest that fits)."""
    tokens = text.replace("/", " / ").split()
    for size in range(min(_LONGEST, len(tokens)), 0, -1):
        level = parse_level(" ".join(tokens[:size]))
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
