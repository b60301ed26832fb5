"""The string catalogue: every sentence a user reads, keyed by message id.

One directory per language under ``bot/messages/locales/``; each holds any number of YAML
files mapping message ids to templates, so a translator edits text, never code.
Several files per language let separate features keep separate files; a key
defined twice is an error.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import yaml

LOCALES_DIR = Path(__file__).parent / "locales"


class CatalogueError(Exception):
    """The catalogue files are inconsistent (duplicate key, bad YAML, not a string)."""


def placeholders(template: str) -> frozenset[str]:
    """The ``{name}`` fields a template uses."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field
    )


@dataclass(frozen=True)
class Catalogue:
    """Templates per language: ``messages[lang][key]``."""

    messages: dict[str, dict[str, str]]
    default_language: str = "fr"

    @classmethod
    def load(cls, root: Path = LOCALES_DIR, default_language: str = "fr") -> "Catalogue":
        messages: dict[str, dict[str, str]] = {}
        for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            table: dict[str, str] = {}
            origin: dict[str, Path] = {}
            for path in sorted(lang_dir.glob("*.yaml")):
                try:
                    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                except yaml.YAMLError as exc:
                    raise CatalogueError(f"{path}: invalid YAML: {exc}") from exc
                if not isinstance(data, dict):
                    raise CatalogueError(f"{path}: must be a mapping of message ids to text")
                for key, value in data.items():
                    if not isinstance(value, str):
                        raise CatalogueError(f"{path}: {key}: must be a string")
                    if key in table:
                        raise CatalogueError(
                            f"{path}: {key}: already defined in {origin[key].name}"
                        )
                    table[key] = value
                    origin[key] = path
            messages[lang_dir.name] = table
        if default_language not in messages:
            raise CatalogueError(f"{root}: no catalogue for language {default_language!r}")
        return cls(messages, default_language)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.messages))

    def language(self, lang: str | None) -> str:
        """``lang`` if the catalogue has it, else the default language."""
        return lang if lang in self.messages else self.default_language

    def template(self, lang: str, key: str) -> str:
        table = self.messages[self.language(lang)]
        if key in table:
            return table[key]
        # A missing translation falls back to the default language rather than
        # leaving a user without an answer; tests keep the languages in step.
        return self.messages[self.default_language][key]

    def text(self, lang: str, key: str, **params: object) -> str:
        """The plain text of ``key`` with ``params`` filled in (no escaping)."""
        return self.template(lang, key).format(**params)
