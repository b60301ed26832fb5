"""A card typed in the chat, and cards stored as JSON by the engine.

A facilitator adds a card with one multi-line message following the guide's
"CARTE SITUATION" template::

    Titre : Le groupe WhatsApp de l'équipe
    Thème : protection des données
    Situation : Une éducatrice envoie chaque soir…
    Personnes : une éducatrice ; l'équipe de nuit
    Questions :
    - Qu'est-ce qui est partagé, et avec qui ?
    - Quel autre outil serait possible ?
    Dilemme : (optional)

Section names work in French or English, with any case or accents. The card is
held to the same limits as a card in a deck file (:mod:`bot.decks.cardcheck`).
"""

from __future__ import annotations

import re

from bot.game.folding import fold
from bot.decks import model
from bot.decks.cardcheck import CARD_KEYS, FieldProblem, build_card, check_card

CUSTOM_DECK = "custom"

# Folded section name -> card field. These are the grammar of the message, like
# the command names in bot/commands/parsing.py.
SECTIONS = {
    "titre": "title", "title": "title",
    "theme": "theme", "themes": "theme",
    "situation": "situation",
    "personnes": "people", "personnes impliquees": "people", "people": "people",
    "people involved": "people", "persons": "people",
    "questions": "questions", "question": "questions",
    "questions a mettre en debat": "questions", "questions for debate": "questions",
    "dilemme": "dilemma", "dilemme ethique": "dilemma", "dilemma": "dilemma",
    "ethical dilemma": "dilemma",
}
# How each field is named back to the user, in the message's language.
LABELS = {
    "fr": {"id": "Identifiant", "title": "Titre", "theme": "Thème", "situation": "Situation",
           "people": "Personnes", "questions": "Questions", "dilemma": "Dilemme", "source": "Source"},
    "en": {"id": "Id", "title": "Title", "theme": "Theme", "situation": "Situation",
           "people": "People", "questions": "Questions", "dilemma": "Dilemma", "source": "Source"},
}

# "Titre :", "**Title:**", "Thème  :" — a section name, a colon, maybe text after it.
_HEADER = re.compile(r"^\s*[*_]*\s*([^\W\d_](?:[^\W\d_]|[ ']){0,40}?)\s*[*_]*\s*:\s*[*_]*\s*(.*)$")
# "- ", "• ", "* ", "> ", "1. ", "2) " before a question.
_BULLET = re.compile(r"^\s*(?:[-•*>–]|\d+[.)])\s*")


def _label(field: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(field, field)


def _error(problems: list[FieldProblem], lang: str) -> model.DeckError:
    errors = [f"{p.field}: {p.english()}" for p in problems]
    keyed = [(f"deck_problem_{p.code}", {**p.params, "field": _label(p.field, lang)}) for p in problems]
    return model.DeckError(errors, keyed)


def _split_sections(text: str, lang: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _HEADER.match(line)
        name = " ".join(fold(match.group(1)).split()) if match else ""
        if match and name in SECTIONS:
            current = SECTIONS[name]
            if current in sections:
                raise _error([FieldProblem(current, "repeated_section")], lang)
            sections[current] = [match.group(2)] if match.group(2).strip() else []
        elif current is not None:
            sections[current].append(line)
        elif line.strip():
            raise model.DeckError(
                [f"text before the first section: {line.strip()[:60]}"],
                [("deck_problem_text_before_section", {"text": line.strip()[:60]})])
    return sections


def _paragraphs(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _entries(lines: list[str], split_commas: bool) -> list[str]:
    entries = [_BULLET.sub("", line).strip() for line in lines]
    entries = [e for e in entries if e]
    if split_commas and len(entries) == 1:
        # "Personnes : une éducatrice ; sa collègue" on one line.
        entries = [e.strip() for e in re.split(r"[;,]", entries[0]) if e.strip()]
    return entries


def parse_card_message(text: str, lang: str, card_id: str, library=None) -> model.Card:
    """The card described by a chat message, in language ``lang``.

    ``card_id`` is chosen by the caller (the room's next free id). The theme is
    looked up with ``library.resolve`` (the built-in library when None), so
    "données" or "netiquette" work. Raises :class:`DeckError` naming the problem.
    """
    if library is None:
        from bot.decks.loader import load_library  # reads files: only when not given one

        library = load_library()[0]
    sections = _split_sections(text, lang)
    values: dict[str, object] = {"id": card_id}
    for field in ("title", "situation", "dilemma"):
        if field in sections:
            values[field] = _paragraphs(sections[field]) or None
    if "people" in sections:
        values["people"] = _entries(sections["people"], split_commas=True)
    if "questions" in sections:
        values["questions"] = _entries(sections["questions"], split_commas=False)
    theme_text = _paragraphs(sections.get("theme", []))
    if theme_text:
        found = library.resolve(theme_text, lang)
        values["theme"] = found[1] if found and found[0] == "theme" else theme_text
    clean, problems = check_card(values, library.themes())
    if problems:
        if any(p.code == "unknown_theme" for p in problems):
            # Users type theme names, not ids: list the names they can use.
            names = ", ".join(library.theme_title(t, lang) for t in library.themes())
            problems = [FieldProblem(p.field, p.code, {**p.params, "known": names})
                        if p.code == "unknown_theme" else p for p in problems]
        raise _error(problems, lang)
    return build_card(clean, lang, CUSTOM_DECK, "")


def card_to_dict(card: model.Card) -> dict:
    """A JSON-ready dict of ``card`` (read back with :func:`card_from_dict`)."""
    return {
        "schema_version": model.SCHEMA_VERSION,
        "id": card.id, "theme": card.theme, "language": card.language,
        "title": card.title, "situation": card.situation,
        "people": list(card.people), "questions": list(card.questions),
        "dilemma": card.dilemma, "deck": card.deck, "source": card.source,
    }


def card_from_dict(data: dict) -> model.Card:
    """The card stored by :func:`card_to_dict`; raises :class:`DeckError` if damaged."""
    if not isinstance(data, dict) or data.get("schema_version") != model.SCHEMA_VERSION:
        raise model.DeckError(["stored card: unsupported or missing schema_version"])
    language, deck = data.get("language"), data.get("deck")
    if not isinstance(language, str) or not language or not isinstance(deck, str):
        raise model.DeckError(["stored card: language and deck must be strings"])
    values = {k: v for k, v in data.items() if k in CARD_KEYS}
    clean, problems = check_card(values, None)
    if problems:
        raise _error(problems, language)
    return build_card(clean, language, deck, data.get("source") or "")
