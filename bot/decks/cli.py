"""``reflextics validate-decks [PATH…]``: check deck files and print a summary.

Without paths, checks the built-in decks and resources and any custom deck in
``decks/``. With paths (files or directories), checks those too, against the
built-in themes and ids. Exit status 0 when everything loads, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.decks.library import Library
from bot.decks.loader import load_library
from bot.decks.model import DeckError


def summary(library: Library) -> list[str]:
    """Lines describing what was loaded: decks, then cards per theme and language."""
    lines = ["decks:"]
    for deck in library.decks:
        kind = "built-in" if deck.builtin else "custom"
        if deck.review == "pending":
            kind += ", translation to be reviewed by a native speaker of the field"
        lines.append(f"  {deck.file}: deck \"{deck.name}\" ({deck.language}, {kind}), {deck.cards} cards")
    languages = [lang for lang in library.languages
                 if any(d.language == lang for d in library.decks)]
    width = max([len("theme"), *(len(t) for t in library.themes())])
    lines.append("cards per theme and language:")
    lines.append("  " + "theme".ljust(width) + "".join(f"  {lang:>4}" for lang in languages))
    totals = dict.fromkeys(languages, 0)
    for theme in library.themes():
        row = "  " + theme.ljust(width)
        for lang in languages:
            # Count only cards really written in this language, not fallbacks.
            count = sum(1 for c in library.cards(lang, theme) if c.language == lang)
            totals[lang] += count
            row += f"  {count:>4}"
        lines.append(row)
    lines.append("  " + "total".ljust(width) + "".join(f"  {totals[lang]:>4}" for lang in languages))
    board = len(library.board("fr") or library.board("en"))
    lines.append(f"resources: {len(library.themes())} themes, board with {board} levels, "
                 f"{len(library.prompts('fr'))} narrator prompts")
    return lines


def validate_main(paths: list[str]) -> int:
    """Check the decks; print a summary or the errors. Returns the exit status."""
    try:
        library, problems = load_library([Path(p) for p in paths])
    except DeckError as exc:
        print("error: the built-in decks are invalid:", file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 1
    for line in summary(library):
        print(line)
    if problems:
        print(f"error: {len(problems)} deck file(s) skipped:", file=sys.stderr)
        for problem in problems:
            for line in problem.message.splitlines():
                print(f"  {line}", file=sys.stderr)
        return 1
    print("OK: all decks are valid")
    return 0
