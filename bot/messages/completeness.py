"""Are all the languages complete and in step? Catalogue, cards, resources.

French, the guide's language, is the reference. Every problem names the file and
line to fix, for ``reflextics validate-decks`` and the test suite:

- a catalogue key missing from a language, or only in one language, or whose
  ``{placeholders}`` differ from the reference;
- plural forms that are not the language's CLDR categories (Romanian needs one, few
  and other), or that sit in a file without its language code at the root (Weblate
  reads plurals only from such "Ruby YAML" files);
- a built-in card whose dilemma, questions or people differ in number from the
  reference card (the loader already reports a card missing from a language);
- a resource file whose themes, sections, board questions or prompts differ in
  number from the reference;
- a text that seems written in another language (:mod:`languagecheck`).

Reads the YAML files only; no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.decks.loader import BUILTIN_FILES, DECKS_DIR, RESOURCES_DIR
from bot.decks.source import Mapping, Sequence, display_path, load_yaml
from bot.messages.catalogue import LOCALE_KEY, LOCALES_DIR, cldr_locale, is_plural, placeholders, unwrap
from bot.messages.languagecheck import foreign_language

REFERENCE = "fr"
# Keys whose text is not prose in the file's language (ids, names of partners, words typed).
NOT_PROSE = {"id", "theme", "source", "attribution", "deck", "language", "review", "schema_version", "aliases"}


@dataclass(frozen=True)
class Problem:
    """One thing to fix, where to fix it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """A catalogue template (or its plural forms) and where it is defined."""

    text: str
    file: str
    line: int
    forms: tuple[tuple[str, str], ...] = ()
    wrapped: bool = False

    @property
    def placeholders(self) -> frozenset[str]:
        texts = [t for _, t in self.forms] or [self.text]
        return frozenset().union(*(placeholders(t) for t in texts))

    @property
    def texts(self) -> list[str]:
        return [t for _, t in self.forms] or [self.text]


def _read(path: Path) -> Mapping:
    data = load_yaml(path.read_text(encoding="utf-8"))
    return data if isinstance(data, Mapping) else Mapping()


def catalogue_entries(root: Path = LOCALES_DIR) -> dict[str, dict[str, Entry]]:
    """``entries[lang][key]``: every template with its file and line."""
    out: dict[str, dict[str, Entry]] = {}
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        table = out.setdefault(lang_dir.name, {})
        for path in sorted(lang_dir.glob("*.yaml")):
            whole = _read(path)
            data = unwrap(whole, lang_dir.name)
            wrapped = data is not whole
            if not isinstance(data, Mapping):
                continue
            for key, value in data.items():
                forms = tuple((k, str(v)) for k, v in value.items()) if is_plural(value) else ()
                text = dict(forms)["other"] if forms else str(value)
                table.setdefault(key, Entry(text, display_path(path), data.line_of(key), forms, wrapped))
    return out


def _plural_forms(lang: str, table: dict[str, Entry]) -> list[Problem]:
    """Plural entries: exactly the language's CLDR categories, in a file Weblate reads plurals from."""
    problems: list[Problem] = []
    locale_entry = table.get(LOCALE_KEY)
    code = locale_entry.text if locale_entry else lang
    if locale_entry is not None and str(cldr_locale(code)) != code.replace("-", "_"):
        problems.append(Problem(locale_entry.file, locale_entry.line, f"{LOCALE_KEY}: CLDR has no locale {code!r}"))
    needed = set(cldr_locale(code).plural_form.tags) | {"other"}
    for key, entry in table.items():
        if not entry.forms:
            continue
        have = {k for k, _ in entry.forms}
        for category in sorted(needed - have):
            problems.append(Problem(entry.file, entry.line, f"{key}: plural form '{category}' missing ({lang} needs "
                                                            f"{', '.join(sorted(needed))})"))
        for category in sorted(have - needed):
            problems.append(Problem(entry.file, entry.line, f"{key}: {lang} has no plural form '{category}' "
                                                            f"(it needs {', '.join(sorted(needed))})"))
        if not entry.wrapped:
            problems.append(Problem(entry.file, entry.line, f"{key}: plural forms need a file with '{lang}:' at its "
                                                            "root (Weblate's Ruby YAML), like counts.yaml"))
    return problems


def check_catalogue(root: Path = LOCALES_DIR, reference: str = REFERENCE) -> list[Problem]:
    entries = catalogue_entries(root)
    problems: list[Problem] = []
    ref = entries.get(reference, {})
    for lang, table in entries.items():
        if lang == reference:
            continue
        lang_dir = display_path(root / lang)
        for key, entry in ref.items():
            if key not in table:
                expected = f"{lang_dir}/{Path(entry.file).name}"
                problems.append(Problem(entry.file, entry.line, f"{key}: missing from the {lang} catalogue ({expected})"))
            elif table[key].placeholders != entry.placeholders:
                mine = ", ".join(sorted(table[key].placeholders)) or "none"
                theirs = ", ".join(sorted(entry.placeholders)) or "none"
                problems.append(Problem(table[key].file, table[key].line,
                                        f"{key}: placeholders {{{mine}}} differ from {reference} ({{{theirs}}})"))
        for key, entry in table.items():
            if key not in ref:
                problems.append(Problem(entry.file, entry.line, f"{key}: not in the {reference} catalogue"))
    for lang, table in entries.items():
        problems += _plural_forms(lang, table)
        for key, entry in table.items():
            if key == LOCALE_KEY:
                continue  # a locale code, not prose
            for text in entry.texts:
                problems += _language(text, lang, entry.file, entry.line, key)
    return problems


def _language(text: str, lang: str, file: str, line: int, what: str) -> list[Problem]:
    other = foreign_language(text, lang)
    if other is None:
        return []
    return [Problem(file, line, f"{what}: this text seems to be in {other}, not {lang}")]


def _prose(node: object, file: str, lang: str, line: int, what: str) -> list[Problem]:
    """Every prose string under ``node``, checked for its language."""
    problems: list[Problem] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key not in NOT_PROSE:
                problems += _prose(value, file, lang, node.line_of(key), str(key))
    elif isinstance(node, Sequence):
        for index, value in enumerate(node):
            problems += _prose(value, file, lang, node.line_of(index), what)
    elif isinstance(node, str):
        problems += _language(node, lang, file, line, what)
    return problems


def _cards(data: Mapping) -> dict[str, tuple[int, Mapping]]:
    cards = data.get("cards")
    if not isinstance(cards, Sequence):
        return {}
    return {c["id"]: (cards.line_of(i), c) for i, c in enumerate(cards) if isinstance(c, Mapping) and "id" in c}


def _count(value: object) -> int:
    return len(value) if isinstance(value, list) else (1 if value else 0)


def check_decks(decks_dir: Path = DECKS_DIR, reference: str = REFERENCE) -> list[Problem]:
    """The built-in decks: same fields per card as the reference, prose in the file's language."""
    files = {name.split(".")[1]: decks_dir / name for name in BUILTIN_FILES}
    data = {lang: _read(path) for lang, path in files.items() if path.exists()}
    problems: list[Problem] = []
    ref_cards = _cards(data.get(reference, Mapping()))
    for lang, deck in data.items():
        file = display_path(files[lang])
        problems += _prose(deck, file, lang, 1, "deck")
        if lang == reference:
            continue
        for card_id, (line, card) in _cards(deck).items():
            if card_id not in ref_cards:
                continue  # the loader reports ids one language lacks
            ref = ref_cards[card_id][1]
            for field in ("questions", "people", "dilemma"):
                if _count(card.get(field)) != _count(ref.get(field)):
                    problems.append(Problem(file, card.line_of(field) if field in card else line,
                                            f'card "{card_id}": {field}: {_count(card.get(field))} '
                                            f"where {reference} has {_count(ref.get(field))}"))
    return problems


def _shape(data: Mapping) -> dict[str, tuple[int, int]]:
    """What a resource file holds, as counts with their lines: ``{what: (count, line)}``."""
    shape: dict[str, tuple[int, int]] = {}
    themes = data.get("themes")
    if isinstance(themes, Mapping):
        for theme, sections in themes.items():
            shape[f'theme "{theme}": sections'] = (_count(sections), themes.line_of(theme))
    board = data.get("board")
    levels = board.get("levels") if isinstance(board, Mapping) else None
    if isinstance(levels, Sequence):
        for index, level in enumerate(levels):
            if isinstance(level, Mapping):
                shape[f'board level "{level.get("id")}": questions'] = (_count(level.get("questions")),
                                                                         levels.line_of(index))
    shape["prompts"] = (_count(data.get("prompts")), data.line_of("prompts"))
    return shape


def check_resources(resources_dir: Path = RESOURCES_DIR, reference: str = REFERENCE) -> list[Problem]:
    """Every resource file: the reference's themes, sections, board and prompts; prose in its language."""
    data = {path.stem: (display_path(path), _read(path)) for path in sorted(resources_dir.glob("*.yaml"))}
    problems: list[Problem] = []
    ref_shape = _shape(data[reference][1]) if reference in data else {}
    for lang, (file, content) in data.items():
        problems += _prose(content, file, lang, 1, "resources")
        if lang == reference:
            continue
        shape = _shape(content)
        for what, (count, _) in ref_shape.items():
            mine, line = shape.get(what, (0, content.line))
            if mine != count:
                problems.append(Problem(file, line, f"{what}: {mine} where {reference} has {count}"))
    return problems


def check_all() -> list[Problem]:
    """Every completeness problem of the catalogue, the built-in decks and the resources."""
    return check_catalogue() + check_decks() + check_resources()
