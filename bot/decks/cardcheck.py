"""The rules a card's fields must follow, shared by deck files and the chat.

One place decides what a valid card is, so a card typed in the chat and a card in
a file are held to the same limits. Problems come back as :class:`FieldProblem`
(a code and its parameters): deck files turn them into English lines with a file
and line, the chat turns them into catalogue messages (``deck_problem_<code>``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from bot.decks import model

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CARD_KEYS = ("id", "theme", "title", "situation", "people", "questions", "dilemma", "source")

# English wording of each problem code; the chat uses deck_problem_<code> instead.
ENGLISH = {
    "missing": "missing",
    "not_text": "must be a non-empty string",
    "too_long": "too long ({length} characters, at most {limit})",
    "not_list": "must be a list of strings",
    "no_questions": "must be a non-empty list of strings",
    "too_many": "too many entries ({count}, at most {limit})",
    "item_not_text": "entry {index} must be a non-empty string",
    "item_too_long": "entry {index} too long ({length} characters, at most {limit})",
    "bad_id": "must use lowercase letters, digits, '-' and '_' only, and start with a letter or digit",
    "unknown_theme": 'unknown theme "{theme}" (known: {known})',
    "unknown_key": "unknown key (allowed: {allowed})",
    "duplicate_id": "duplicate id (first defined at {where})",
    "repeated_section": "given twice",
}


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field of a card."""

    field: str
    code: str
    params: dict = field(default_factory=dict)

    def english(self) -> str:
        return ENGLISH[self.code].format(**self.params)


def _text(problems: list, name: str, value: object, limit: int, required: bool) -> str | None:
    if value is None or (not required and value == ""):
        if required:
            problems.append(FieldProblem(name, "missing"))
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(FieldProblem(name, "not_text"))
        return None
    text = value.strip()
    if len(text) > limit:
        problems.append(FieldProblem(name, "too_long", {"length": len(text), "limit": limit}))
    return text


def _strings(problems: list, name: str, value: object, max_count: int, max_len: int,
             required: bool) -> tuple[str, ...]:
    empty_code = "no_questions" if required else "not_list"
    if value is None:
        if required:
            problems.append(FieldProblem(name, "missing"))
        return ()
    if not isinstance(value, list) or (required and not value):
        problems.append(FieldProblem(name, empty_code))
        return ()
    if len(value) > max_count:
        problems.append(FieldProblem(name, "too_many", {"count": len(value), "limit": max_count}))
    out = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            problems.append(FieldProblem(name, "item_not_text", {"index": index}))
            continue
        if len(item.strip()) > max_len:
            problems.append(FieldProblem(
                name, "item_too_long", {"index": index, "length": len(item.strip()), "limit": max_len}))
        out.append(item.strip())
    return tuple(out)


def check_identifier(problems: list, name: str, value: object) -> str | None:
    """A card or theme id: lowercase, digits, '-' and '_'; at most ``MAX_ID`` characters."""
    text = _text(problems, name, value, model.MAX_ID, required=True)
    if text is not None and not ID_RE.match(text):
        problems.append(FieldProblem(name, "bad_id", {"value": text}))
        return None
    return text


def check_card(values: Mapping, known_themes: Collection[str] | None) -> tuple[dict, list[FieldProblem]]:
    """The cleaned fields of a card and what is wrong with them.

    ``known_themes`` is None when the theme cannot be checked here (a stored card
    read back); otherwise the theme must be one of them.
    """
    problems: list[FieldProblem] = []
    for key in values:
        if key not in CARD_KEYS:
            problems.append(FieldProblem(str(key), "unknown_key", {"allowed": ", ".join(CARD_KEYS)}))
    clean = {
        "id": check_identifier(problems, "id", values.get("id")),
        "theme": None,
        "title": _text(problems, "title", values.get("title"), model.MAX_TITLE, True),
        "situation": _text(problems, "situation", values.get("situation"), model.MAX_SITUATION, True),
        "people": _strings(problems, "people", values.get("people"),
                           model.MAX_PEOPLE, model.MAX_PERSON, required=False),
        "questions": _strings(problems, "questions", values.get("questions"),
                              model.MAX_QUESTIONS, model.MAX_QUESTION, required=True),
        "dilemma": _text(problems, "dilemma", values.get("dilemma"), model.MAX_DILEMMA, False),
        "source": _text(problems, "source", values.get("source"), model.MAX_SOURCE, False),
    }
    theme = values.get("theme")
    if theme is None:
        problems.append(FieldProblem("theme", "missing"))
    elif not isinstance(theme, str) or not theme.strip():
        problems.append(FieldProblem("theme", "not_text"))
    elif known_themes is not None and theme.strip() not in known_themes:
        problems.append(FieldProblem(
            "theme", "unknown_theme", {"theme": theme.strip(), "known": ", ".join(known_themes)}))
    else:
        clean["theme"] = theme.strip()
    return clean, problems


def build_card(clean: dict, language: str, deck: str, source: str) -> model.Card:
    """A :class:`Card` from fields that passed :func:`check_card`."""
    return model.Card(
        id=clean["id"],
        theme=clean["theme"],
        language=language,
        title=clean["title"],
        situation=clean["situation"],
        people=tuple(clean["people"]),
        questions=tuple(clean["questions"]),
        dilemma=clean["dilemma"],
        deck=deck,
        source=clean["source"] or source,
    )
