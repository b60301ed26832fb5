"""The content types of the decks package: cards, themes, resources, the board.

All frozen: a loaded :class:`~bot.decks.library.Library` is shared by every room
and never changes; a room's custom cards make a new library (``with_cards``).
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1

# Limits a card must respect, in files and from the chat alike (decks/README.md).
# They keep a card readable as one chat message and one screen.
MAX_ID = 40
MAX_TITLE = 150
MAX_SITUATION = 1500
MAX_PEOPLE = 8
MAX_PERSON = 150
MAX_QUESTIONS = 8
MAX_QUESTION = 300
MAX_DILEMMA = 1000
MAX_SOURCE = 300
# A resource section is posted as one message.
MAX_SECTION = 3500


@dataclass(frozen=True)
class Card:
    """One situation card in one language (the guide's "CARTE SITUATION")."""

    id: str
    theme: str
    language: str
    title: str
    situation: str
    people: tuple[str, ...]
    questions: tuple[str, ...]
    dilemma: str | None
    deck: str
    source: str


@dataclass(frozen=True)
class Theme:
    """A theme's name in one language, with the words that name it in commands."""

    id: str
    language: str
    title: str
    aliases: tuple[str, ...] = ()
    deck: str = ""


@dataclass(frozen=True)
class ResourceSection:
    """One postable piece of a theme's resources: title, text, bullet items, note."""

    title: str
    text: str = ""
    items: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Level:
    """A level of the systems board, with the guide's questions for it."""

    id: str  # individual | team | organisation | policy
    number: int  # 1..4, as players may type it
    name: str
    description: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Board:
    """The systems board ("plateau des systèmes") in one language."""

    title: str
    intro: str
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class DeckInfo:
    """Which file gave which deck in which language (for summaries)."""

    name: str
    language: str
    file: str
    cards: int
    builtin: bool
    review: str = ""  # "pending": a translation not yet checked by a native speaker of the field


@dataclass(frozen=True)
class DeckProblem:
    """A custom deck file that was skipped, and why (one error per line)."""

    file: str
    message: str


class DeckError(Exception):
    """Deck content is invalid.

    ``errors`` are complete English lines (``file:line: card "x": field: problem``)
    for logs and the command line. ``problems`` are ``(catalogue key, params)``
    pairs (``bot/messages/locales/*/decks.yaml``) so the chat can say the same thing in
    the room's language; ``key`` and ``params`` are the first of them.
    """

    def __init__(self, errors: list[str] | tuple[str, ...],
                 problems: list[tuple[str, dict]] | tuple[tuple[str, dict], ...] = ()):
        self.errors = tuple(errors)
        self.problems = tuple(problems)
        super().__init__("\n".join(self.errors))

    @property
    def key(self) -> str:
        return self.problems[0][0] if self.problems else "deck_problem_invalid"

    @property
    def params(self) -> dict:
        return dict(self.problems[0][1]) if self.problems else {"reason": str(self)}


@dataclass
class Located:
    """A card with where it came from, while a deck is being checked."""

    card: Card
    file: str
    line: int
    id_line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.id_line}"
