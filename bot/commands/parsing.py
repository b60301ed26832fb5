"""Parsing typed commands: prefix, names in every language, accents and case.

Pure: no I/O. ``parse`` turns a message body into a :class:`Command` (or None when
the text is not a command), so the router, the game and the tests share one parser.
Every name of every language is understood in every room: a cross-border team
types what it knows. Greek names fold like the others (``fold`` drops the tonos
and lower-cases, final sigma included), so ``!Βοήθεια`` and ``!βοηθεια`` agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.game.visible import has_visible, without_format
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
    "card": ("card", "carte", ()),
    "week": ("week", "semaine", ()),
    # Between sessions (bot/commands/history.py, bot/commands/trainer.py, bot/commands/followup.py).
    "history": ("history", "historique", ()),
    "followup": ("follow-up", "suivi", ("followup",)),
    "rooms": ("rooms", "salons", ()),
    "agenda": ("agenda", "agenda", ()),
    "syntheses": ("syntheses", "syntheses", ()),
    "export": ("export", "exporter", ()),
    "timezone": ("timezone", "fuseau", ("time-zone",)),
}

# command id -> its names in the partners' other languages (Romanian, German, Greek).
NATIVE: dict[str, dict[str, str]] = {
    "help": {"ro": "ajutor", "de": "hilfe", "el": "βοήθεια"},
    "privacy": {"ro": "confidențialitate", "de": "datenschutz", "el": "απόρρητο"},
    "new": {"ro": "nou", "de": "neu", "el": "νέο"},
    "join": {"ro": "intră", "de": "beitreten", "el": "συμμετοχή"},
    "leave": {"ro": "ieși", "de": "verlassen", "el": "αποχώρηση"},
    "themes": {"ro": "teme", "de": "themen", "el": "θέματα"},
    "cards": {"ro": "cartonașe", "de": "karten", "el": "κάρτες"},
    "start": {"ro": "începe", "de": "starten", "el": "έναρξη"},
    "next": {"ro": "următorul", "de": "weiter", "el": "επόμενο"},
    "done": {"ro": "gata", "de": "fertig", "el": "τελείωσα"},
    "pass": {"ro": "pas", "de": "passe", "el": "πάσο"},
    "skip": {"ro": "sari", "de": "überspringen", "el": "παράλειψη"},
    "yes": {"ro": "da", "de": "ja", "el": "ναι"},
    "no": {"ro": "nu", "de": "nein", "el": "όχι"},
    "action": {"ro": "idee", "de": "idee", "el": "ιδέα"},
    "actions": {"ro": "idei", "de": "ideen", "el": "ιδέες"},
    "pause": {"ro": "pauză", "de": "pause", "el": "παύση"},
    "resume": {"ro": "reia", "de": "fortsetzen", "el": "συνέχεια"},
    "extend": {"ro": "prelungește", "de": "verlängern", "el": "παράταση"},
    "end": {"ro": "sfârșit", "de": "ende", "el": "τέλος"},
    "abort": {"ro": "anulează", "de": "abbrechen", "el": "ακύρωση"},
    "status": {"ro": "stare", "de": "status", "el": "κατάσταση"},
    "lang": {"ro": "limba", "de": "sprache", "el": "γλώσσα"},
    "schedule": {"ro": "programează", "de": "planen", "el": "προγραμματισμός"},
    "forget_me": {"ro": "uită-mă", "de": "vergiss-mich", "el": "ξέχασέ-με"},
    "synthesis": {"ro": "sinteză", "de": "synthese", "el": "σύνθεση"},
    "add_card": {"ro": "adaugă-cartonaș", "de": "neue-karte", "el": "νέα-κάρτα"},
    "purge": {"ro": "curăță", "de": "bereinigen", "el": "εκκαθάριση"},
    "pseudonyms": {"ro": "pseudonime", "de": "pseudonyme", "el": "ψευδώνυμα"},
    "card": {"ro": "cartonaș", "de": "karte", "el": "κάρτα"},
    "week": {"ro": "săptămână", "de": "woche", "el": "εβδομάδα"},
    "history": {"ro": "istoric", "de": "verlauf", "el": "ιστορικό"},
    "followup": {"ro": "urmărire", "de": "nachverfolgung", "el": "παρακολούθηση"},
    "rooms": {"ro": "camere", "de": "räume", "el": "αίθουσες"},
    "agenda": {"ro": "agendă", "de": "termine", "el": "ατζέντα"},
    "syntheses": {"ro": "sinteze", "de": "synthesen", "el": "συνθέσεις"},
    "export": {"ro": "exportă", "de": "exportieren", "el": "εξαγωγή"},
    "timezone": {"ro": "fus-orar", "de": "zeitzone", "el": "ζώνη-ώρας"},
}
# Spellings typed without the language's letters (German without umlauts).
NATIVE_ALIASES: dict[str, tuple[str, ...]] = {
    "skip": ("ueberspringen",), "extend": ("verlaengern",),
    "forget_me": ("uitama", "vergissmich"), "add_card": ("adaugacartonas", "neuekarte"),
    "week": ("saptamana",),
    "rooms": ("raeume",), "timezone": ("fusorar", "ζωνη-ωρας", "ζωνηωρας"),
}


def names(cid: str) -> dict[str, str]:
    """The name of command ``cid`` in each language."""
    en, fr, _ = COMMANDS[cid]
    return {"en": en, "fr": fr, **NATIVE.get(cid, {})}


def _index() -> dict[str, tuple[str, str | None]]:
    """Folded name -> (command id, its language, or None when several languages share it)."""
    languages: dict[str, set[str]] = {}
    owner: dict[str, str] = {}
    for cid in COMMANDS:
        for lang, name in names(cid).items():
            key = fold(name)
            if owner.setdefault(key, cid) != cid:
                raise ValueError(f"command name {name!r} means both {owner[key]} and {cid}")
            languages.setdefault(key, set()).add(lang)
    index = {key: (owner[key], next(iter(langs)) if len(langs) == 1 else None) for key, langs in languages.items()}
    for cid, (_, _, aliases) in COMMANDS.items():
        for alias in (*aliases, *NATIVE_ALIASES.get(cid, ())):
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
    language: str | None  # the language of the name used, when only one language has it

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
    # Format and zero-width characters are no part of a name (``!ai\u200dde`` is !aide).
    typed = without_format(typed)
    if not typed:
        return None
    cid, language = _INDEX.get(fold(typed), ("", None))
    # Arguments no one can see are no arguments: the command alone gets its right form.
    return Command(cid, typed, args.strip() if has_visible(args) else "", language)


def command_names(cid: str, lang: str) -> str:
    """The name of command ``cid`` in ``lang`` (English for a language without names)."""
    return names(cid).get(lang) or COMMANDS[cid][0]
