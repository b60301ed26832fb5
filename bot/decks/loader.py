"""Loading the built-in decks and resources, then the trainers' custom decks.

The built-in content (the guide) must be right: any error raises
:class:`DeckError`. A custom deck is checked the same way but, when broken, is
skipped and reported as a :class:`DeckProblem`, so one trainer's typo never
stops a game.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.decks import model
from bot.decks.deckfile import DeckFile, read_deck_file
from bot.decks.library import Library
from bot.decks.resources import read_resource_file
from bot.decks.source import display_path

REPO_ROOT = Path(__file__).resolve().parents[2]
DECKS_DIR = REPO_ROOT / "decks"
RESOURCES_DIR = REPO_ROOT / "resources"
# The guide's own decks; any other *.yaml in decks/ is a trainer's custom deck.
BUILTIN_FILES = tuple(f"guide.{lang}.yaml" for lang in ("fr", "en", "ro", "el", "de"))


def _language_gaps(group: list[DeckFile]) -> dict[str, list[str]]:
    """Errors per file for cards and themes one language has and another lacks."""
    errors: dict[str, list[str]] = {}
    for deck in group:
        for other in group:
            if other is deck:
                continue
            other_cards = {located.card.id for located in other.cards}
            for located in deck.cards:
                if located.card.id not in other_cards:
                    errors.setdefault(deck.file, []).append(
                        f'{deck.file}:{located.id_line}: card "{located.card.id}": '
                        f"missing from the {other.language} version ({other.file})")
            for theme_id, line in deck.theme_lines.items():
                if theme_id not in other.theme_lines:
                    errors.setdefault(deck.file, []).append(
                        f'{deck.file}:{line}: theme "{theme_id}": '
                        f"missing from the {other.language} version ({other.file})")
    return errors


def _duplicate_languages(group: list[DeckFile]) -> tuple[list[DeckFile], list[model.DeckProblem]]:
    kept: dict[str, DeckFile] = {}
    problems = []
    for deck in group:
        if deck.language in kept:
            first = kept[deck.language]
            problems.append(model.DeckProblem(deck.file, (
                f'{deck.file}:1: deck "{deck.name}" in language {deck.language} is already given by {first.file}')))
        else:
            kept[deck.language] = deck
    return list(kept.values()), problems


def _builtin(decks_dir: Path) -> list[DeckFile]:
    files = [read_deck_file(decks_dir / name, display_path(decks_dir / name)) for name in BUILTIN_FILES]
    errors = [line for deck in files for line in deck.report.errors]
    if not errors:
        errors = [line for lines in _language_gaps(files).values() for line in lines]
    if errors:
        raise model.DeckError(errors)
    return files


def _custom_paths(decks_dir: Path, extra_dirs: Iterable[Path]) -> tuple[list[Path], list[model.DeckProblem]]:
    paths = [p for p in sorted(decks_dir.glob("*.yaml")) if p.name not in BUILTIN_FILES]
    problems = []
    for extra in extra_dirs:
        extra = Path(extra)
        if extra.is_dir():
            paths.extend(sorted(extra.glob("*.yaml")))
        elif extra.is_file():
            paths.append(extra)
        else:
            problems.append(model.DeckProblem(display_path(extra), f"{display_path(extra)}: no such file or directory"))
    builtin = {(decks_dir / name).resolve() for name in BUILTIN_FILES}
    # A config may name decks/ itself: read each file once.
    unique = list({p.resolve(): p for p in paths if p.resolve() not in builtin}.values())
    return unique, problems


class _Accepted:
    """What has been accepted so far, to catch ids and themes used twice."""

    def __init__(self, builtin: list[DeckFile]):
        self.files: list[DeckFile] = list(builtin)
        self.card_where: dict[str, str] = {}
        self.theme_where: dict[str, str] = {}
        for deck in builtin:
            self._record(deck)

    def _record(self, deck: DeckFile) -> None:
        for located in deck.cards:
            self.card_where.setdefault(located.card.id, located.where)
        for theme_id, line in deck.theme_lines.items():
            self.theme_where.setdefault(theme_id, f"{deck.file}:{line}")

    def clashes(self, group: list[DeckFile]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for deck in group:
            for located in deck.cards:
                if located.card.id in self.card_where:
                    errors.setdefault(deck.file, []).append(
                        f'{deck.file}:{located.id_line}: card "{located.card.id}": id: '
                        f"duplicate id (first defined at {self.card_where[located.card.id]})")
            for theme_id, line in deck.theme_lines.items():
                if theme_id in self.theme_where:
                    errors.setdefault(deck.file, []).append(
                        f'{deck.file}:{line}: theme "{theme_id}": id: '
                        f"duplicate theme (first defined at {self.theme_where[theme_id]})")
        return errors

    def add(self, group: list[DeckFile]) -> None:
        self.files.extend(group)
        for deck in group:
            self._record(deck)


def _skip(group: list[DeckFile], errors: dict[str, list[str]]) -> list[model.DeckProblem]:
    problems = []
    faulty = ", ".join(f for f in errors)
    for deck in group:
        lines = errors.get(deck.file) or [
            f'{deck.file}:1: deck "{deck.name}" skipped because of errors in {faulty}']
        problems.append(model.DeckProblem(deck.file, "\n".join(lines)))
    return problems


def load_library(extra_dirs: Iterable[Path] = (), *, decks_dir: Path = DECKS_DIR,
                 resources_dir: Path = RESOURCES_DIR) -> tuple[Library, list[model.DeckProblem]]:
    """The built-in decks and resources plus every custom deck that passes the checks.

    Custom decks are the other ``*.yaml`` files in ``decks_dir`` and those in
    ``extra_dirs`` (directories, or single files). Returns the library and the
    custom deck files that were skipped, with why. Raises :class:`DeckError` when
    the built-in content itself is broken.
    """
    builtin = _builtin(decks_dir)
    builtin_themes = [theme_id for theme_id in builtin[0].theme_lines]
    resource_files = [read_resource_file(p, display_path(p), builtin_themes)
                      for p in sorted(resources_dir.glob("*.yaml"))]
    errors = [line for res in resource_files for line in res.report.errors]
    if errors:
        raise model.DeckError(errors)

    paths, problems = _custom_paths(decks_dir, extra_dirs)
    groups: dict[str, list[DeckFile]] = {}
    for path in paths:
        deck = read_deck_file(path, display_path(path), builtin_themes)
        if deck.ok:
            groups.setdefault(deck.name, []).append(deck)
        else:
            problems.append(model.DeckProblem(deck.file, "\n".join(deck.report.errors)))
    accepted = _Accepted(builtin)
    for group in groups.values():
        group, duplicates = _duplicate_languages(group)
        problems.extend(duplicates)
        errors_by_file = _language_gaps(group) or accepted.clashes(group)
        if errors_by_file:
            problems.extend(_skip(group, errors_by_file))
        else:
            accepted.add(group)

    return _library(accepted.files, len(builtin), resource_files), problems


def _library(files: list[DeckFile], builtin_count: int, resource_files: list) -> Library:
    """The library of the accepted files; the first ``builtin_count`` are the guide's."""
    themes = [theme for deck in files for theme in deck.themes]
    cards = [located.card for deck in files for located in deck.cards]
    resources = {(theme, res.language): sections for res in resource_files
                 for theme, sections in res.sections.items()}
    for deck in files:
        for theme, sections in deck.resources.items():
            resources[(theme, deck.language)] = sections
    decks = [model.DeckInfo(deck.name, deck.language, deck.file, len(deck.cards), builtin=index < builtin_count,
                            review=deck.review)
             for index, deck in enumerate(files)]
    return Library(themes, cards, resources,
                   boards={res.language: res.board for res in resource_files if res.board},
                   prompts={res.language: res.prompts for res in resource_files},
                   decks=decks)
