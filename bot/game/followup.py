"""Following up action ideas across sessions: what ``!follow-up`` means, and what is recalled.

Pure. The ideas of a room's latest finished game are numbered as in that game
(``2``); an older idea still "in progress" carries over under its game's number in
the room's history and its own (``3.2``). ``parse`` reads what people type, with
the status words of the five languages; ``recall`` orders what the next session
asks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.game.folding import fold, read_int
from bot.game.state import LEVELS

PENDING, IN_PROGRESS, DONE, DROPPED = "pending", "in_progress", "done", "dropped"
MAX_NOTE_CHARS = 500

# Folded words (or phrases) of each status, in French, English, Romanian, German and Greek.
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    DONE: ("fait", "faite", "faits", "faites", "realise", "realisee", "done", "finished", "realizat", "realizata",
           "realizate", "gata", "erledigt", "umgesetzt", "εγινε", "ολοκληρωθηκε", "υλοποιηθηκε"),
    IN_PROGRESS: ("en cours", "encours", "in progress", "ongoing", "in curs", "incurs", "in arbeit", "laufend",
                  "σε εξελιξη"),
    DROPPED: ("abandonnee", "abandonne", "abandonnees", "abandonnes", "abandon", "dropped", "abandoned",
              "abandonata", "abandonat", "abandonate", "aufgegeben", "verworfen", "εγκαταλειφθηκε",
              "ακυρωθηκε"),
}
SKIP_WORDS = ("passer", "skip", "omite", "sari", "uberspringen", "ueberspringen", "παραλειψη")
_REF = re.compile(r"(?:n°|no\.?|nr\.?|αρ\.?|#)?\s*(?:(\w{1,6})[.:/])?(\w{1,4})", re.I)


@dataclass(frozen=True)
class Ref:
    """An idea as people name it: ``seq`` of the latest finished game, or of game ``game`` (its number)."""

    seq: int
    game: int | None = None

    def __str__(self) -> str:
        return f"{self.game}.{self.seq}" if self.game is not None else str(self.seq)


@dataclass(frozen=True)
class Report:
    """``!follow-up <ref> <status> [note]``."""

    ref: Ref
    status: str
    note: str


@dataclass(frozen=True)
class Item:
    """One idea the session asks about: its name (``ref``), level, text, and what became of it so far."""

    ref: Ref
    level: str
    text: str
    status: str = PENDING
    note: str | None = None


def parse(args: str) -> Report | str:
    """What ``!follow-up`` was given: a :class:`Report`, ``"skip"``, or the catalogue key of its right form."""
    words = args.split()
    if not words:
        return "between.followup_usage"
    if fold(words[0]) in SKIP_WORDS and len(words) == 1:
        return "skip"
    match = _REF.fullmatch(words[0])
    # Any script's digits, as people type them (read_int refuses "⁵" and other digit-like signs).
    seq = read_int(match.group(2)) if match else None
    game = read_int(match.group(1)) if match and match.group(1) else None
    if seq is None or (match.group(1) and game is None):
        return "between.followup_usage"
    ref = Ref(seq, game)
    rest = args.strip()[len(words[0]):].strip()
    folded = [fold(w) for w in rest.split()]
    for status, phrases in STATUS_WORDS.items():
        for phrase in phrases:
            size = len(phrase.split())
            if folded[:size] == phrase.split():
                parts = rest.split(None, size)
                note = parts[size].strip() if len(parts) > size else ""
                return Report(ref, status, note)
    return "between.followup_usage"


def recall(previous: list[Item], carried: list[Item]) -> list[tuple[str | None, list[Item]]]:
    """What a session asks about: the latest game's ideas by level (in the board's order), then older ones."""
    groups: list[tuple[str | None, list[Item]]] = [
        (level, [i for i in previous if i.level == level]) for level in LEVELS]
    groups = [(level, items) for level, items in groups if items]
    if carried:
        groups.append((None, carried))
    return groups
