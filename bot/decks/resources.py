"""Reading the resource files: each theme's resources, the systems board, the prompts.

``resources/<lang>.yaml`` holds, for one language, the guide's "Ressources" chapter
split into sections short enough for one chat message, the board's four levels with
their questions, and the narrator's prompts ("Note à la narratrice").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path


from bot.decks import model
from bot.decks.source import Mapping, Report, Sequence, read_mapping

LEVEL_IDS = ("individual", "team", "organisation", "policy")
FILE_KEYS = ("schema_version", "language", "source", "attribution", "review", "themes", "board", "prompts")
# ``review``: whether a translation has been checked by a native speaker of the field.
REVIEW_VALUES = ("pending", "done")
SECTION_KEYS = ("title", "text", "items", "note")
LEVEL_KEYS = ("id", "name", "description", "questions")
MAX_NAME = 150
MAX_PROMPT = 300


@dataclass
class ResourceFile:
    """What one resource file gave, with the errors found in it."""

    file: str
    language: str = ""
    review: str = ""  # "pending" while a translation awaits a native reviewer
    sections: dict[str, tuple[model.ResourceSection, ...]] = field(default_factory=dict)
    board: model.Board | None = None
    prompts: tuple[str, ...] = ()
    report: Report | None = None


def text_value(report: Report, line: int, subject: str | None, name: str, value: object,
               limit: int, required: bool = True) -> str:
    """A stripped string, or "" after reporting why ``value`` is not one."""
    if value is None or (value == "" and not required):
        if required:
            report.error(line, "missing", subject, name)
        return ""
    if not isinstance(value, str) or not value.strip():
        report.error(line, "must be a non-empty string", subject, name)
        return ""
    if len(value.strip()) > limit:
        report.error(line, f"too long ({len(value.strip())} characters, at most {limit})", subject, name)
    return value.strip()


def review_value(report: Report, data: Mapping) -> str:
    """The optional ``review`` field: "pending" or "done" ("" when absent)."""
    value = data.get("review")
    if value is None:
        return ""
    if value not in REVIEW_VALUES:
        report.error(data.line_of("review"), f"must be one of {', '.join(REVIEW_VALUES)}", None, "review")
        return ""
    return value


def string_list(report: Report, container: Mapping, key: str, subject: str | None,
                limit: int, required: bool) -> tuple[str, ...]:
    value = container.get(key)
    line = container.line_of(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        report.error(line, "must be a non-empty list of strings" if required
                     else "must be a list of strings", subject, key)
        return ()
    out = []
    for index, item in enumerate(value):
        text = text_value(report, value.line_of(index), subject, f"{key} {index + 1}", item, limit)
        if text:
            out.append(text)
    return tuple(out)


def unknown_keys(report: Report, container: Mapping, allowed: tuple[str, ...], subject: str | None) -> None:
    for key in container:
        if key not in allowed:
            report.error(container.line_of(key), f"unknown key (allowed: {', '.join(allowed)})", subject, str(key))


def parse_sections(report: Report, value: object, line: int, subject: str) -> tuple[model.ResourceSection, ...]:
    """A theme's sections: each a title with text and/or bullet items and a note."""
    if not isinstance(value, Sequence) or not value:
        report.error(line, "must be a non-empty list of sections", subject)
        return ()
    sections = []
    for index, raw in enumerate(value):
        where = f"{subject}: section {index + 1}"
        if not isinstance(raw, Mapping):
            report.error(value.line_of(index), "must be a mapping with a title", where)
            continue
        unknown_keys(report, raw, SECTION_KEYS, where)
        title = text_value(report, raw.line_of("title"), where, "title", raw.get("title"), MAX_NAME)
        text = text_value(report, raw.line_of("text"), where, "text", raw.get("text"),
                          model.MAX_SECTION, required=False)
        items = string_list(report, raw, "items", where, model.MAX_SECTION, required=False)
        note = text_value(report, raw.line_of("note"), where, "note", raw.get("note"),
                          model.MAX_SECTION, required=False)
        if not text and not items:
            report.error(raw.line, "needs a text or items", where)
        size = len(title) + len(text) + len(note) + sum(len(item) + 3 for item in items)
        if size > model.MAX_SECTION:
            report.error(raw.line, f"too long for one message ({size} characters, at most {model.MAX_SECTION})",
                         where)
        sections.append(model.ResourceSection(title, text, items, note))
    return tuple(sections)


def _board(report: Report, raw: object, line: int) -> model.Board | None:
    if not isinstance(raw, Mapping):
        report.error(line, "must be a mapping with title, intro and levels", None, "board")
        return None
    unknown_keys(report, raw, ("title", "intro", "levels"), "board")
    title = text_value(report, raw.line_of("title"), "board", "title", raw.get("title"), MAX_NAME)
    intro = text_value(report, raw.line_of("intro"), "board", "intro", raw.get("intro"), model.MAX_SECTION)
    levels_raw = raw.get("levels")
    ids = [lv.get("id") if isinstance(lv, Mapping) else None for lv in levels_raw or []] \
        if isinstance(levels_raw, list) else None
    if ids != list(LEVEL_IDS):
        report.error(raw.line_of("levels"), f"must list the four levels {', '.join(LEVEL_IDS)} in this order",
                     "board", "levels")
        return None
    levels = []
    for number, level in enumerate(levels_raw, start=1):
        where = f'level "{level["id"]}"'
        unknown_keys(report, level, LEVEL_KEYS, where)
        levels.append(model.Level(
            id=level["id"],
            number=number,
            name=text_value(report, level.line_of("name"), where, "name", level.get("name"), MAX_NAME),
            description=text_value(report, level.line_of("description"), where, "description",
                                   level.get("description"), model.MAX_SECTION),
            questions=string_list(report, level, "questions", where, model.MAX_QUESTION, required=False),
        ))
    return model.Board(title, intro, tuple(levels))


def read_resource_file(path: Path, file: str, themes: Collection[str]) -> ResourceFile:
    """Parse ``path``; the themes it covers must be exactly ``themes``."""
    out = ResourceFile(file=file, report=Report(file))
    report = out.report
    data = read_mapping(path, report, "schema_version, language, themes, board and prompts")
    if data is None:
        return out
    unknown_keys(report, data, FILE_KEYS, None)
    if data.get("schema_version") != model.SCHEMA_VERSION:
        report.error(data.line_of("schema_version"),
                     f"unsupported version {data.get('schema_version')!r} "
                     f"(this bot reads version {model.SCHEMA_VERSION})", None, "schema_version")
        return out
    out.language = text_value(report, data.line_of("language"), None, "language", data.get("language"), 3)
    out.review = review_value(report, data)
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, Mapping):
        report.error(data.line_of("themes"), "must map each theme id to its sections", None, "themes")
    else:
        for theme in themes:
            if theme not in raw_themes:
                report.error(raw_themes.line, f'no resources for theme "{theme}"', None, "themes")
        for theme, value in raw_themes.items():
            if theme not in themes:
                report.error(raw_themes.line_of(theme), f'unknown theme "{theme}" (known: {", ".join(themes)})',
                             None, "themes")
                continue
            out.sections[theme] = parse_sections(report, value, raw_themes.line_of(theme), f'theme "{theme}"')
    out.board = _board(report, data.get("board"), data.line_of("board"))
    out.prompts = string_list(report, data, "prompts", None, MAX_PROMPT, required=True)
    return out
