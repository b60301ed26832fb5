"""One message per moment (bot/messages/moment.py): each transition of a game is at most one message."""

from __future__ import annotations

from bot.game import effects as fx
from bot.game import events as ev
from bot.messages.moment import compose
from bot.messages.synthesis_post import SynthesisWriter
from tests.helpers.table import ALICE, BOB, FAC, Table
from tests.helpers.table import play_a_whole_game
from tests.helpers.narration import LIBRARY, NARRATOR, view

WRITER = SynthesisWriter(NARRATOR)
class Room(Table):
    """A table whose every transition is turned into what the room receives."""

    def __init__(self, lang: str = "fr"):
        super().__init__()
        self.lang = lang
        self.sent: list[list[dict]] = []  # per transition

    def do(self, event, fac=None):
        effects = super().do(event, fac)
        if any(not isinstance(e, (fx.ArmTimer, fx.CancelTimers, fx.GameOver)) for e in effects):
            self.sent.append(compose(NARRATOR, view(self.lang), self.state, effects, WRITER.posts))
        return effects

    def messages(self, entries: list[dict]) -> list[dict]:
        return [e["content"] for e in entries if e["type"] == "message"]


def test_every_transition_of_a_whole_game_is_one_message():
    for lang in ("fr", "en"):
        room = play_a_whole_game(Room(lang))
        assert len(room.sent) > 20
        for entries in room.sent:
            assert len(room.messages(entries)) == 1, [m["body"][:80] for m in room.messages(entries)]
            assert entries[0]["type"] == "message"  # what cannot be in it (the file) comes after
        last = room.sent[-1]
        assert [e["type"] for e in last] == ["message", "file"]


def test_step_one_is_the_title_the_card_and_the_reading_time():
    room = Room().lobby(ALICE, BOB)
    room.do(ev.Start(FAC, "dp-01", "data_protection"))
    [message] = room.messages(room.sent[-1])
    body = message["body"]
    assert body.index("Étape 1") < body.index("tirée au hasard") < body.index("Questions pour le débat")
    assert body.index("Questions pour le débat") < body.index("vous avez 2 min")
    title = LIBRARY.card("dp-01", "fr").title
    assert body.count(title) == 1  # once, in the card: no heading repeating it
    assert message["msgtype"] == "m.notice"


def test_a_turn_change_thanks_one_and_gives_the_floor_to_the_next_who_alone_is_notified():
    room = Room().in_round(ALICE, BOB)
    room.do(ev.Say(ALICE, "Je lis une situation."))
    room.do(ev.Done(ALICE))
    [message] = room.messages(room.sent[-1])
    assert "Merci Alice" in message["body"] and "À vous, Bob" in message["body"]
    assert message["msgtype"] == "m.text" and message["m.mentions"] == {"user_ids": [BOB]}
    assert message["formatted_body"].count("matrix.to") == 1


def test_step_three_is_one_message_with_all_resources_and_the_question():
    room = Room().in_round(ALICE, BOB)
    room.do(ev.Pass(ALICE))
    room.do(ev.Pass(BOB))
    [message] = room.messages(room.sent[-1])
    for section in LIBRARY.resources("data_protection", "fr"):
        assert section.title in message["body"]
    assert message["body"].rstrip().endswith("tant qu'il est ouvert.")
    assert "!oui" in message["body"]


def test_step_four_says_how_to_propose_an_idea_once():
    room = Room().in_actions(ALICE, BOB)
    [message] = room.messages(room.sent[-1])
    assert message["body"].count("!piste <niveau>") == 1
    assert "Résultat" in message["body"] and "Plateau" in message["body"]


def test_the_draft_is_not_posted_and_the_final_synthesis_is_text_and_file():
    room = Room().in_actions(ALICE, BOB)
    room.do(ev.End(FAC))
    [message] = room.messages(room.sent[-1])
    assert "Synthèse de la partie" not in message["body"] and "!synthese" in message["body"]
    room.do(ev.End(FAC))
    entries = room.sent[-1]
    assert [e["type"] for e in entries] == ["message", "file"]
    body = entries[0]["content"]["body"]
    assert body.index("synthèse définitive") < body.index("Synthèse de la partie")


def test_level_names_are_the_boards_everywhere():
    for lang in ("fr", "en"):
        board = {level.id: level.name for level in LIBRARY.board(lang)}
        for level, name in board.items():
            assert NARRATOR.catalogue.text(lang, f"game.level.{level}") == name, (lang, level)


def test_the_synthesis_date_is_in_the_rooms_zone():
    room = Room().in_actions(ALICE, BOB)  # started 2025-03-04 13:00 UTC
    room.do(ev.End(FAC))
    room.do(ev.End(FAC))
    body = room.sent[-1][0]["content"]["body"]
    assert "04/03/2025 14:00 (Europe/Paris)" in body and "UTC" not in body
    assert room.sent[-1][1]["filename"].endswith("2025-03-04.md")
