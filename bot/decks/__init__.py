"""Situation cards, resources and the systems board of the DLiS guide.

Pure: reads YAML files (PyYAML only), no network, no asyncio; imports only the
rest of the pure core (``bot.game.folding``). The built-in decks
live in ``decks/`` and ``resources/`` at the repository root; trainers add their
own decks there or in directories named in the config (see ``decks/README.md``).
"""

from bot.decks.chat import card_from_dict, card_to_dict, parse_card_message
from bot.decks.library import Library
from bot.decks.loader import load_library
from bot.decks.model import (
    Board,
    Card,
    DeckError,
    DeckInfo,
    DeckProblem,
    Level,
    ResourceSection,
    Theme,
)

__all__ = [
    "Board", "Card", "DeckError", "DeckInfo", "DeckProblem", "Level", "Library",
    "ResourceSection", "Theme", "card_from_dict", "card_to_dict", "load_library",
    "parse_card_message",
]
