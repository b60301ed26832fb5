"""A narrator on the built-in decks and a room view naming the players of tests (tests.helpers.table's and two more)."""

from __future__ import annotations

from bot.decks import load_library
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from tests.helpers.table import ALICE, BOB, CAROL, FAC

LIBRARY, _ = load_library([])
NARRATOR = Narrator(Catalogue.load(), LIBRARY)
CAMILLE, KARIM = "@camille:example.org", "@karim:example.org"
NAMES = {ALICE: "Alice", BOB: "Bob", CAROL: "Carol", FAC: "Inès", CAMILLE: "Camille", KARIM: "Karim"}


def view(lang: str = "fr") -> RoomView:
    return RoomView(lang, "!", lambda user_id: NAMES.get(user_id, user_id), LIBRARY, timezone="Europe/Paris")
