"""The string catalogue: every sentence a user reads, keyed by message id.

One directory per language under ``bot/messages/locales/``; each holds any number of YAML
files mapping message ids to templates, so a translator edits text, never code.
Several files per language let separate features keep separate files; a key
defined twice is an error.

Two shapes of file are read, both monolingual YAML that Weblate loads with French as
the base language (see decks/README.md, "Translating"):

- flat: ``key: "text"`` on each line (Weblate's "YAML file" format);
- wrapped in the language code, ``ro:`` at the root (Weblate's "Ruby YAML" format),
  where a key may hold plural forms by CLDR category::

      ro:
        game.count.cards:
          one: "{count} cartonaș"
          few: "{count} cartonașe"
          other: "{count} de cartonașe"

A plural entry is chosen by its ``count`` parameter with the language's CLDR plural
rules (Babel), so each language has exactly the forms its grammar needs.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from babel.lists import format_list

LOCALES_DIR = Path(__file__).parent / "locales"
# CLDR's plural categories; "other" is the one every language has.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
# The catalogue key naming the CLDR locale of a language's dates, lists and plural
# rules ("en_GB": the English of the bot's European readers).
LOCALE_KEY = "language.locale"


class CatalogueError(Exception):
    """The catalogue files are inconsistent (duplicate key, bad YAML, not a string)."""


def placeholders(template: str) -> frozenset[str]:
    """The ``{name}`` fields a template uses."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field
    )


def is_plural(value: object) -> bool:
    """Is ``value`` a mapping of CLDR plural categories to texts?"""
    return (isinstance(value, dict) and bool(value) and "other" in value
            and all(k in PLURAL_CATEGORIES and isinstance(v, str) for k, v in value.items()))


def unwrap(data: object, lang: str) -> object:
    """A file's mapping of keys, without its ``<lang>:`` root when it has one (Ruby YAML)."""
    if isinstance(data, dict) and len(data) == 1 and lang in data and isinstance(data[lang], dict):
        return data[lang]
    return data


@lru_cache(maxsize=None)
def cldr_locale(code: str) -> Locale:
    """Babel's locale for ``code`` ("fr", "en_GB"); French when CLDR does not know it."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("fr")


def plural_category(locale: Locale, count: object) -> str:
    """CLDR's category ("one", "few", "other"…) of ``count`` in ``locale``."""
    try:
        return locale.plural_form(abs(Decimal(str(count))))
    except (ArithmeticError, TypeError, ValueError):
        return "other"


def one_full_stop(template: str, values: dict[str, str]) -> str:
    """``template`` without the full stop that follows a value already ending in one.

    An abbreviation's full stop ends the sentence too: "Es bleiben 3 Min.", not "Min..";
    the same for the Greek clock, "στις 2:30 π.μ.".
    """
    for name, value in values.items():
        if value.endswith("."):
            template = template.replace("{%s}." % name, "{%s}" % name)
    return template


def listed(items: list[str], locale: Locale) -> str:
    """``A, B et C``, ``A, B și C``, ``A, B und C``: a list as CLDR joins it in ``locale``."""
    return format_list(list(items), locale=locale) if items else ""


@dataclass(frozen=True)
class Catalogue:
    """Templates per language: ``messages[lang][key]``; plural forms in ``plurals[lang][key]``.

    For a plural key, ``messages`` holds its "other" form, so code that only wants a
    template (its placeholders, its length) sees an ordinary one.
    """

    messages: dict[str, dict[str, str]]
    default_language: str = "fr"
    plurals: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path = LOCALES_DIR, default_language: str = "fr") -> "Catalogue":
        messages: dict[str, dict[str, str]] = {}
        plurals: dict[str, dict[str, dict[str, str]]] = {}
        for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            table: dict[str, str] = {}
            forms: dict[str, dict[str, str]] = {}
            origin: dict[str, Path] = {}
            for path in sorted(lang_dir.glob("*.yaml")):
                try:
                    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                except yaml.YAMLError as exc:
                    raise CatalogueError(f"{path}: invalid YAML: {exc}") from exc
                data = unwrap(data, lang_dir.name)
                if not isinstance(data, dict):
                    raise CatalogueError(f"{path}: must be a mapping of message ids to text")
                for key, value in data.items():
                    if is_plural(value):
                        forms[key] = dict(value)
                        value = value["other"]
                    elif not isinstance(value, str):
                        raise CatalogueError(f"{path}: {key}: must be a string, or plural forms "
                                             f"({', '.join(PLURAL_CATEGORIES)}) with at least 'other'")
                    if key in table:
                        raise CatalogueError(
                            f"{path}: {key}: already defined in {origin[key].name}"
                        )
                    table[key] = value
                    origin[key] = path
            messages[lang_dir.name] = table
            plurals[lang_dir.name] = forms
        if default_language not in messages:
            raise CatalogueError(f"{root}: no catalogue for language {default_language!r}")
        return cls(messages, default_language, plurals)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.messages))

    def language(self, lang: str | None) -> str:
        """``lang`` if the catalogue has it, else the default language."""
        return lang if lang in self.messages else self.default_language

    def locale(self, lang: str | None) -> Locale:
        """The CLDR locale of ``lang``: its catalogue's ``language.locale``, else the code itself."""
        lang = self.language(lang)
        return cldr_locale(self.messages[lang].get(LOCALE_KEY, lang))

    def template(self, lang: str, key: str, count: object = None) -> str:
        """``key``'s template in ``lang``; for plural forms, the one ``count`` calls for."""
        lang = self.language(lang)
        if key not in self.messages[lang]:
            # A missing translation falls back to the default language rather than
            # leaving a user without an answer; tests keep the languages in step.
            lang = self.default_language
        forms = self.plurals.get(lang, {}).get(key)
        if forms is not None and count is not None:
            return forms.get(plural_category(self.locale(lang), count), forms["other"])
        return self.messages[lang][key]

    def text(self, lang: str, key: str, **params: object) -> str:
        """The plain text of ``key`` with ``params`` filled in (no escaping)."""
        template = self.template(lang, key, params.get("count"))
        return one_full_stop(template, {k: str(v) for k, v in params.items()}).format(**params)
