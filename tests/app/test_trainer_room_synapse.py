"""The trainer's room (issue 26, item 3) on a real Synapse, the direct chat opened as Element does.

The trainer is a ``ForeignClient`` (matrix-js-sdk with Element's Rust crypto, cross-signed,
"exclude insecure devices"): it opens a direct chat with the bot (``is_direct`` invite,
encrypted, ``m.direct``). The game room belongs to another person (a nio player) who
makes the trainer a moderator, then takes the role back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nio import RoomGetStateEventResponse
from nio.crypto.attachments import decrypt_attachment

from bot.game import events as ev
from tests.helpers.foreign_client import ForeignClient, ForeignEvent

pytestmark = pytest.mark.synapse

CALM = {"card_seconds": 3600, "turn_seconds": 3600, "resources_seconds": 3600, "actions_seconds": 3600,
        "amend_seconds": 3600, "reminder_seconds": 0, "silence_seconds": 0}
ROOM_NAME = "Équipe Nord"
SECRET = "NOM-DE-FAMILLE-Zyxwv"


class DirectChat:
    """The trainer's direct chat with the bot: send a command, wait for the bot's answer."""

    def __init__(self, client: ForeignClient, room: str, bot_id: str):
        self.client, self.room, self.bot_id = client, room, bot_id

    async def ask(self, text: str, expect: str) -> ForeignEvent:
        mark = len(self.client.events)
        await self.client.send_text(self.room, text)
        answer = await self.client.wait_message(self.room, self.bot_id, expect, after=mark)
        assert not answer.utd and answer.encrypted and answer.shield_colour == "NONE", answer
        return answer

    async def file_after(self, mark: int) -> str:
        event = await self.client.wait_for(
            lambda e: e.room_id == self.room and e.sender == self.bot_id and e.content.get("msgtype") == "m.file",
            what="a file from the bot", after=mark)
        info = event.content["file"]  # an encrypted attachment
        data = decrypt_attachment(await self.client.download(info["url"]), info["key"]["k"],
                                  info["hashes"]["sha256"], info["iv"])
        return event.content["body"] + "\n" + data.decode("utf-8")

    async def ask_file(self, text: str, expect: str) -> tuple[ForeignEvent, str]:
        mark = len(self.client.events)
        answer = await self.ask(text, expect)
        return answer, await self.file_after(mark)


async def set_power(owner, room: str, user_id: str, level: int) -> None:
    resp = await owner.client.room_get_state_event(room, "m.room.power_levels")
    assert isinstance(resp, RoomGetStateEventResponse)
    content = dict(resp.content)
    content["users"] = {**content.get("users", {}), user_id: level}
    await owner.client.room_put_state(room, "m.room.power_levels", content)


async def finished_game(bot, room: str, owner: str) -> None:
    """A whole game through the engine (players who need not be members): one idea, one synthesis."""
    p1, p2 = "@pia:localhost", "@paul:localhost"

    async def do(event, facilitator=False):
        assert await bot.engine.handle(room, event, facilitator=facilitator, source_event_id=None)

    await do(ev.Open(owner, None, "fr"), True)
    await do(ev.Join(p1))
    await do(ev.Join(p2))
    await do(ev.Start(owner, "dp-03", "data_protection"), True)
    await do(ev.Next(owner), True)
    speaker = (await bot.engine.state(room))[1].speaker
    await do(ev.Say(speaker, "Un tour de parole"))
    await do(ev.Done(speaker))
    await do(ev.Pass((await bot.engine.state(room))[1].speaker))
    await do(ev.Vote(p1, True))
    await do(ev.Vote(p2, True))
    await do(ev.AddAction(p1, "team", "Relire la charte du service"))
    await do(ev.End(owner), True)
    await do(ev.End(owner), True)


def data_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


async def test_a_trainer_sees_their_rooms_agenda_and_syntheses_in_a_direct_chat_until_they_lose_the_role(
        make_bot, make_player, make_foreign):
    bot = await make_bot(game=CALM)
    bot_id = bot.config.matrix.user_id
    owner = await make_player("owner")
    trainer = await make_foreign("trainer", only_signed=True)

    # The team's room: the owner's, the trainer a moderator in it.
    room = await owner.create_room(invite=[bot_id, trainer.user_id])
    await owner.client.room_put_state(room, "m.room.name", {"name": ROOM_NAME})
    await owner.wait_membership(room, bot_id, "join")
    await trainer.join(room)
    await set_power(owner, room, trainer.user_id, 50)
    mark = len(owner.messages)
    await owner.send(room, "!planifier mardi 14:00 Europe/Paris")
    await owner.wait_message(room, bot_id, "Planification n°", after=mark)
    await finished_game(bot, room, owner.user_id)
    mark = len(owner.messages)
    await owner.send(room, "!aide")
    help_ = await owner.wait_message(room, bot_id, "Commandes", after=mark)
    assert "Entre les séances" in help_.body and "!historique" in help_.body  # one message, both parts
    # The next lobby recalls the game's action idea; anyone reports on it.
    mark = len(owner.messages)
    await owner.send(room, "!nouvelle")
    lobby = await owner.wait_message(room, bot_id, "Nouvelle partie", after=mark)
    assert "Suivi des pistes de la séance du" in lobby.body and "1. Relire la charte du service" in lobby.body
    mark = len(owner.messages)
    note = await owner.send(room, "!suivi 1 en cours NOTE-On-relit-en-equipe")
    await owner.wait_message(room, bot_id, "piste n° 1, en cours", after=mark)
    assert b"NOTE-On-relit-en-equipe" in data_bytes(bot.config.data_dir)
    # Deleting the message deletes its note (the bot handles the room's events in order).
    await owner.redact(room, note)
    mark = len(owner.messages)
    await owner.send(room, "!historique")
    await owner.wait_message(room, bot_id, "Historique du salon", after=mark)
    assert b"NOTE-On-relit-en-equipe" not in data_bytes(bot.config.data_dir)
    mark = len(owner.messages)
    await owner.send(room, "!annuler")
    await owner.wait_message(room, bot_id, "annulée", after=mark)

    # The direct chat, opened as Element does.
    dm = await trainer.create_dm(bot_id)
    await trainer.wait_membership(dm, bot_id, "join")
    chat = DirectChat(trainer, dm, bot_id)

    rooms = await chat.ask("!salons", "Les salons que vous animez")
    assert ROOM_NAME in rooms.body and "Français" in rooms.body
    assert "1 séance tenue" in rooms.body and "participant·es par séance : 2" in rooms.body
    assert "équipe 1" in rooms.body and "prochaine séance : mardi" in rooms.body and "14:00" in rooms.body
    assert "@pia" not in rooms.body and "pia" not in rooms.body.lower()  # figures per room, nobody named

    answer, ics = await chat.ask_file("!agenda", "Vos prochaines séances")
    assert "Europe/Paris)" in answer.body and "14:00" in answer.body
    assert "BEGIN:VCALENDAR" in ics and f"Réflex'tics — {ROOM_NAME}" in ics and "TZID=Europe/Paris" in ics

    answer, synthesis = await chat.ask_file("!syntheses", "Les dernières synthèses")
    assert f"{ROOM_NAME} : partie n° 1" in answer.body
    assert "Un tour de parole" in synthesis and "Relire la charte du service" in synthesis

    answer, export = await chat.ask_file("!exporter nord", "en un fichier Markdown")
    assert "1 synthèse(s)" in answer.body and export.startswith("equipe-nord-") and "# Synthèse" in export

    await chat.ask("!fuseau Europe/Bucharest", "C'est noté")
    answer = await chat.ask("!agenda", "Vos prochaines séances")
    assert "Europe/Bucharest)" in answer.body and "15:00" in answer.body and "14:00" not in answer.body
    await chat.ask("!fuseau Mars/Olympus", "Je ne connais pas le fuseau")
    privacy = await chat.ask("!confidentialite", "je ne garde rien")
    assert "jamais sur une personne" in privacy.body
    await chat.ask("!rejoindre", "Ici, je réponds seulement")  # a game command: not here
    await chat.ask(f"!exporter {SECRET}", "Je ne trouve pas le salon")
    await chat.ask("!help", "Your trainer's space")  # English names answer in English
    await chat.ask("!salons", "Les salons que vous animez")

    # The owner takes the moderator role back: the room is gone from the trainer's view.
    await set_power(owner, room, trainer.user_id, 0)
    answer = await chat.ask("!salons", "Commandes")
    assert ROOM_NAME not in answer.body and "Les salons que vous animez" not in answer.body

    # Nothing typed in the direct chat is stored.
    assert SECRET.encode() not in data_bytes(bot.config.data_dir)
    assert b"Europe/Bucharest" in data_bytes(bot.config.data_dir)  # the zone, the one thing kept
    # Forget me: the zone and the record of this chat go, and the bot leaves it.
    await chat.ask("!oublie-moi", "j'oublie cette conversation")
    await trainer.wait_membership(dm, bot_id, "leave")
    assert b"Europe/Bucharest" not in data_bytes(bot.config.data_dir)


async def test_a_direct_chat_from_someone_who_facilitates_nothing_gets_the_help_and_nothing_else(
        make_bot, make_foreign):
    bot = await make_bot(game=CALM)
    bot_id = bot.config.matrix.user_id
    stranger = await make_foreign("stranger", only_signed=True)
    dm = await stranger.create_dm(bot_id)
    await stranger.wait_membership(dm, bot_id, "join")
    chat = DirectChat(stranger, dm, bot_id)
    for command in ("!salons", "!agenda", "!exporter 1", "!nouvelle"):
        answer = await chat.ask(command, "Commandes")
        assert "Les salons que vous animez" not in answer.body and "Nouvelle partie" not in answer.body
    # Text that is no command gets no answer at all (the bot handles the chat in order).
    mark = len(stranger.events)
    await stranger.send_text(dm, "bonjour")
    await chat.ask("!aide", "Commandes")
    answers = [e for e in stranger.events[mark:] if e.sender == bot_id and e.type == "m.room.message"]
    assert len(answers) == 1
    assert (await bot.engine.state(dm))[0] is None  # no game was ever opened here
