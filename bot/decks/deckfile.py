"""Reading one deck file (one deck in one language) and checking it on its own.

Checks that need other files (a card missing from the other language, an id
already used by another deck) are the loader's; this module reports everything
that one file can get wrong, with its line.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path


from bot.decks import model
from bot.decks.cardcheck import FieldProblem, build_card, check_card, check_identifier
from bot.decks.resources import parse_sections, review_value, text_value, unknown_keys
from bot.decks.source import Mapping, Report, Sequence, read_mapping

FILE_KEYS = ("schema_version", "deck", "language", "title", "source", "attribution", "review",
             "themes", "cards", "resources")

THEME_KEYS = ("id", "title", "aliases")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
MAX_ALIASES = 20
MAX_ALIAS = 80
MAX_ATTRIBUTION = 3000


@dataclass
class DeckFile:
    """What one deck file gave, with the errors found in it."""

    path: Path
    file: str
    name: str = ""
    language: str = ""
    source: str = ""
    review: str = ""  # "pending" while a translation awaits a native reviewer
    themes: list[model.Theme] = field(default_factory=list)
    theme_lines: dict[str, int] = field(default_factory=dict)
    cards: list[model.Located] = field(default_factory=list)
    resources: dict[str, tuple[model.ResourceSection, ...]] = field(default_factory=dict)
    report: Report = None  # type: ignore[assignment]

    @property
    def ok(self) -> bool:
        return not self.report


def _themes(report: Report, raw: object, line: int, deck: DeckFile, reserved: Collection[str]) -> None:
    if raw is None:
        return
    if not isinstance(raw, Sequence):
        report.error(line, "must be a list of themes (id, title, aliases)", None, "themes")
        return
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            report.error(raw.line_of(index), "must be a mapping with id and title", f"theme #{index + 1}")
            continue
        problems: list[FieldProblem] = []
        theme_id = check_identifier(problems, "id", item.get("id"))
        subject = f'theme "{item["id"]}"' if isinstance(item.get("id"), str) else f"theme #{index + 1}"
        for problem in problems:
            report.error(item.line_of("id"), problem.english(), subject, "id")
        unknown_keys(report, item, THEME_KEYS, subject)
        title = text_value(report, item.line_of("title"), subject, "title", item.get("title"), model.MAX_TITLE)
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or len(aliases) > MAX_ALIASES or not all(
                isinstance(a, str) and a.strip() and len(a) <= MAX_ALIAS for a in aliases):
            report.error(item.line_of("aliases"),
                         f"must be a list of at most {MAX_ALIASES} names of at most {MAX_ALIAS} characters",
                         subject, "aliases")
            aliases = []
        if theme_id is None:
            continue
        if theme_id in reserved:
            report.error(item.line_of("id"), "already defined by the built-in decks", subject, "id")
        elif theme_id in deck.theme_lines:
            report.error(item.line_of("id"), f"duplicate theme (first defined at {deck.file}:"
                         f"{deck.theme_lines[theme_id]})", subject, "id")
        else:
            deck.theme_lines[theme_id] = item.line_of("id")
            deck.themes.append(model.Theme(theme_id, deck.language, title,
                                           tuple(a.strip() for a in aliases), deck.name))


def _cards(report: Report, raw: object, line: int, deck: DeckFile, known: list[str]) -> None:
    if not isinstance(raw, Sequence) or not raw:
        report.error(line, "must be a non-empty list of cards", None, "cards")
        return
    first_seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            report.error(raw.line_of(index), "must be a mapping (id, theme, title, situation, questions…)",
                         f"card #{index + 1}")
            continue
        raw_id = item.get("id")
        subject = f'card "{raw_id}"' if isinstance(raw_id, str) and raw_id.strip() else f"card #{index + 1}"
        clean, problems = check_card(item, known)
        for problem in problems:
            report.error(item.line_of(problem.field), problem.english(), subject, problem.field)
        card_id = clean["id"]
        if card_id is not None and card_id in first_seen:
            report.error(item.line_of("id"), f"duplicate id (first defined at {deck.file}:{first_seen[card_id]})",
                         subject, "id")
            continue
        if card_id is not None:
            first_seen[card_id] = item.line_of("id")
        if not problems:
            card = build_card(clean, deck.language, deck.name, deck.source)
            deck.cards.append(model.Located(card, deck.file, item.line, item.line_of("id")))


def read_deck_file(path: Path, file: str, reserved_themes: Collection[str] = ()) -> DeckFile:
    """Parse and check ``path``; cards may use ``reserved_themes`` and the file's own themes.

    ``reserved_themes`` are the built-in themes: a custom deck may use them but not
    redefine them.
    """
    deck = DeckFile(path=path, file=file, report=Report(file))
    report = deck.report
    data = read_mapping(path, report, "schema_version, deck, language and cards")
    if data is None:
        return deck
    if "schema_version" not in data:
        report.error(data.line, "missing", None, "schema_version")
        return deck
    if data["schema_version"] != model.SCHEMA_VERSION:
        # Another version may mean another layout: checking further would only confuse.
        report.error(data.line_of("schema_version"), f"unsupported version {data['schema_version']!r} "
                     f"(this bot reads version {model.SCHEMA_VERSION})", None, "schema_version")
        return deck
    unknown_keys(report, data, FILE_KEYS, None)
    problems: list[FieldProblem] = []
    deck.name = check_identifier(problems, "deck", data.get("deck")) or ""
    for problem in problems:
        report.error(data.line_of("deck"), problem.english(), None, "deck")
    language = data.get("language")
    if not isinstance(language, str) or not LANGUAGE_RE.match(language):
        report.error(data.line_of("language"), 'must be a language code such as "fr" or "en"', None, "language")
    else:
        deck.language = language
    text_value(report, data.line_of("title"), None, "title", data.get("title"), model.MAX_TITLE, False)
    deck.source = text_value(report, data.line_of("source"), None, "source", data.get("source"),
                             model.MAX_SOURCE, False) or str(data.get("title") or "")
    text_value(report, data.line_of("attribution"), None, "attribution", data.get("attribution"),
               MAX_ATTRIBUTION, False)
    deck.review = review_value(report, data)
    _themes(report, data.get("themes"), data.line_of("themes"), deck, reserved_themes)
    known = [*reserved_themes, *(t.id for t in deck.themes)]
    _cards(report, data.get("cards"), data.line_of("cards"), deck, known)
    _resources(report, data.get("resources"), data.line_of("resources"), deck)
    return deck


def _resources(report: Report, raw: object, line: int, deck: DeckFile) -> None:
    """A custom deck's resources, for the new themes it defines (step 3 needs some)."""
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        report.error(line, "must map each of the deck's own themes to its sections", None, "resources")
        return
    for theme, sections in raw.items():
        if theme not in deck.theme_lines:
            report.error(raw.line_of(theme), "only themes defined in this file can have resources here",
                         f'theme "{theme}"', "resources")
            continue
        deck.resources[theme] = parse_sections(report, sections, raw.line_of(theme), f'theme "{theme}"')

