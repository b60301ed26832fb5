"""Parsing typed commands: prefix, English/French names, accents and case.

Pure: no I/O. ``parse`` turns a message body into a :class:`Command` (or None when
the text is not a command), so the router, the game and the tests share one parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.game.folding import fold

# command id -> (English name, French name, other accepted aliases)
COMMANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "help": ("help", "aide", ()),
    "privacy": ("privacy", "confidentialite", ()),
    "new": ("new", "nouvelle", ()),
    "join": ("join", "rejoindre", ()),
    "leave": ("leave", "quitter", ()),
    "themes": ("themes", "themes", ()),
    "cards": ("cards", "cartes", ()),
    "start": ("start", "commencer", ()),
    "next": ("next", "suivant", ()),
    "done": ("done", "fini", ()),
    "pass": ("pass", "passe", ()),
    "skip": ("skip", "sauter", ()),
    "yes": ("yes", "oui", ()),
    "no": ("no", "non", ()),
    "action": ("action", "piste", ()),
    "actions": ("actions", "pistes", ()),
    "pause": ("pause", "pause", ()),
    "resume": ("resume", "reprendre", ()),
    "extend": ("extend", "prolonger", ()),
    "end": ("end", "fin", ()),
    "abort": ("abort", "annuler", ()),
    "status": ("status", "etat", ()),
    "lang": ("lang", "langue", ()),
    "schedule": ("schedule", "planifier", ()),
    "forget_me": ("forget-me", "oublie-moi", ("forgetme", "oubliemoi")),
    "synthesis": ("synthesis", "synthese", ()),
    "add_card": ("add-card", "ajouter-carte", ("addcard", "ajoutercarte")),
    "purge": ("purge", "purger", ()),
    "pseudonyms": ("pseudonyms", "pseudonymes", ()),
}


def _index() -> dict[str, tuple[str, str | None]]:
    index: dict[str, tuple[str, str | None]] = {}
    for cid, (en, fr, aliases) in COMMANDS.items():
        # A name shared by both languages ("pause", "themes") says nothing
        # about the speaker's language.
        index[fold(en)] = (cid, "en" if en != fr else None)
        index[fold(fr)] = (cid, "fr" if en != fr else None)
        for alias in aliases:
            index.setdefault(fold(alias), (cid, None))
    return index


_INDEX = _index()
_HEAD = re.compile(r"(\S+)\s*(.*)", re.S)


@dataclass(frozen=True)
class Command:
    """A parsed command line."""

    name: str  # canonical command id, or "" when the name is unknown
    typed: str  # the name as typed (without prefix)
    args: str  # the rest of the first line and any following lines, stripped
    language: str | None  # "fr"/"en" when the name used belongs to one language

    @property
    def known(self) -> bool:
        return bool(self.name)

    @property
    def words(self) -> list[str]:
        return self.args.split()


def parse(body: str, prefix: str = "!") -> Command | None:
    """The command in ``body``, or None when ``body`` is not a command."""
    text = body.lstrip()
    if not prefix or not text.startswith(prefix):
        return None
    rest = text[len(prefix):]
    if not rest or rest[0].isspace():
        return None
    typed, args = _HEAD.match(rest).groups()
    cid, language = _INDEX.get(fold(typed), ("", None))
    return Command(cid, typed, args.strip(), language)


def command_names(cid: str, lang: str) -> str:
    """The name of command ``cid`` in ``lang`` (French for "fr", English otherwise)."""
    en, fr, _ = COMMANDS[cid]
    return fr if lang == "fr" else en
