"""The loaded decks, resources and board, and how typed names find a card or theme.

A :class:`Library` is immutable: the built-in one is shared by every room, and a
room's custom cards make a new library with :meth:`Library.with_cards`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.game.folding import ascii_digits, fold
from bot.decks import model


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9]+", ascii_digits(fold(text))))


def _id_key(text: str) -> tuple[str, ...]:
    # "DP-01", "dp 1" and "dp1" all name dp-01: letters and numbers, zeros dropped.
    parts = re.findall(r"[a-z]+|[0-9]+", ascii_digits(fold(text)))
    return tuple(str(int(p)) if p.isdigit() else p for p in parts)


def _same_word(typed: str, word: str) -> bool:
    # A plural "s" should not stop "netiquette" from finding "Netiquettes".
    return typed == word or typed + "s" == word or typed == word + "s"


class Library:
    """Cards by id and language, themes in order, resources, board and prompts."""

    def __init__(self, themes: Iterable[model.Theme], cards: Iterable[model.Card],
                 resources: dict[tuple[str, str], tuple[model.ResourceSection, ...]] | None = None,
                 boards: dict[str, model.Board] | None = None,
                 prompts: dict[str, tuple[str, ...]] | None = None,
                 decks: Iterable[model.DeckInfo] = ()):
        self._themes: dict[tuple[str, str], model.Theme] = {}
        self._theme_order: list[str] = []
        for theme in themes:
            self._themes[(theme.id, theme.language)] = theme
            if theme.id not in self._theme_order:
                self._theme_order.append(theme.id)
        self._cards: dict[tuple[str, str], model.Card] = {}
        self._card_order: list[str] = []
        for card in cards:
            if (card.id, card.language) in self._cards:
                raise model.DeckError([f'card "{card.id}": duplicate id in language {card.language}'],
                                      [("deck_problem_duplicate_id", {"field": "id", "value": card.id,
                                                                      "where": card.deck})])
            if card.theme not in self._theme_order:
                raise model.DeckError([f'card "{card.id}": theme: unknown theme "{card.theme}"'],
                                      [("deck_problem_unknown_theme", {
                                          "field": "theme", "theme": card.theme,
                                          "known": ", ".join(self._theme_order)})])
            self._cards[(card.id, card.language)] = card
            if card.id not in self._card_order:
                self._card_order.append(card.id)
        self._resources = dict(resources or {})
        self._boards = dict(boards or {})
        self._prompts = dict(prompts or {})
        self.decks: tuple[model.DeckInfo, ...] = tuple(decks)
        found = {lang for _, lang in self._cards} | {lang for _, lang in self._themes} | set(self._boards)
        self._languages = tuple(sorted(found))

    # --- languages -------------------------------------------------------------

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language a card, theme or board is available in, sorted."""
        return self._languages

    def _fallbacks(self, lang: str) -> list[str]:
        # The asked language first, then the guide's own (French), then the rest.
        return list(dict.fromkeys([lang, "fr", *self.languages]))

    def _lookup(self, table: dict, key: str, lang: str):
        for candidate in self._fallbacks(lang):
            if (key, candidate) in table:
                return table[(key, candidate)]
        return None

    # --- themes and cards ------------------------------------------------------

    def themes(self) -> list[str]:
        """Theme ids in order: the guide's four, then those of custom decks."""
        return list(self._theme_order)

    def theme(self, theme: str, lang: str) -> model.Theme | None:
        return self._lookup(self._themes, theme, lang)

    def theme_title(self, theme: str, lang: str) -> str:
        found = self.theme(theme, lang)
        return found.title if found else theme

    def cards(self, lang: str, theme: str | None = None) -> list[model.Card]:
        """Every card (in ``lang``, else in another language), optionally of one theme."""
        out = []
        for card_id in self._card_order:
            card = self.card(card_id, lang)
            if card is not None and (theme is None or card.theme == theme):
                out.append(card)
        return out

    def card(self, card_id: str, lang: str) -> model.Card | None:
        """The card in ``lang``, else in another language; None if no such id."""
        return self._lookup(self._cards, card_id, lang)

    # --- resources, board, prompts ---------------------------------------------

    def resources(self, theme: str, lang: str) -> list[model.ResourceSection]:
        return list(self._lookup(self._resources, theme, lang) or ())

    def _board(self, lang: str) -> model.Board | None:
        for candidate in self._fallbacks(lang):
            if candidate in self._boards:
                return self._boards[candidate]
        return None

    def board(self, lang: str) -> list[model.Level]:
        found = self._board(lang)
        return list(found.levels) if found else []

    def board_title(self, lang: str) -> str:
        found = self._board(lang)
        return found.title if found else ""

    def board_intro(self, lang: str) -> str:
        found = self._board(lang)
        return found.intro if found else ""

    def prompts(self, lang: str) -> list[str]:
        for candidate in self._fallbacks(lang):
            if candidate in self._prompts:
                return list(self._prompts[candidate])
        return []

    # --- names typed by users --------------------------------------------------

    def resolve(self, text: str, lang: str) -> tuple[str, str] | None:
        """``("card", id)`` or ``("theme", id)`` for what a user typed, else None.

        Accepts a card id ("dp-01", "DP1"), a theme id, a theme number (1-4), a
        theme's title or alias in any language, or words found in only one theme's
        names ("donnees", "ethique", "data protection"); accents and case ignored.
        """
        words = _words(text)
        if not words:
            return None
        key = _id_key(text)
        for card_id in self._card_order:
            if _id_key(card_id) == key:
                return ("card", card_id)
        joined = "_".join(words)
        if joined in self._theme_order:
            return ("theme", joined)
        if len(words) == 1 and words[0].isdigit() and 1 <= int(words[0]) <= len(self._theme_order):
            return ("theme", self._theme_order[int(words[0]) - 1])
        names: dict[str, list[tuple[str, ...]]] = {t: [] for t in self._theme_order}
        for theme in self._themes.values():
            names[theme.id].extend(_words(n) for n in (theme.title, *theme.aliases))
        exact = [t for t, phrases in names.items() if words in phrases]
        if len(exact) == 1:
            return ("theme", exact[0])
        partial = [t for t, phrases in names.items()
                   if all(any(_same_word(w, x) for p in phrases for x in p) for w in words)]
        if len(partial) == 1:
            return ("theme", partial[0])
        return None

    # --- custom cards ----------------------------------------------------------

    def with_cards(self, extra_cards: Iterable[model.Card]) -> "Library":
        """A library with ``extra_cards`` too (a room's custom cards).

        Raises :class:`DeckError` if one reuses an id or names an unknown theme.
        """
        return Library(
            self._themes.values(),
            [*self._cards.values(), *extra_cards],
            self._resources, self._boards, self._prompts, self.decks,
        )
