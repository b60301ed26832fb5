"""Who may invite the bot and who steers a game, against a real Synapse.

Invites are decided on the inviter: a configured trainer, a listed user, anyone on a
listed server. Facilitators are room moderators, configured trainers (whatever their
power in the room), and in room version 12 the room's creators, whom nio reports at
power 0.
"""

from __future__ import annotations

import json

import pytest
from nio import RoomCreateResponse

from bot.devtools.client import ENCRYPTION
from tests.helpers.harness import Player

pytestmark = pytest.mark.synapse


async def says(room: str, bot_id: str, player: Player, text: str, expect: str):
    mark = len(player.messages)
    await player.send(room, text)
    return await player.wait_message(room, bot_id, expect, after=mark)


async def joined(player: Player, room: str) -> None:
    await player.wait_until(lambda: room in player.client.invited_rooms or room in player.client.rooms,
                            what="the invite")
    await player.client.join(room)
    await player.wait_until(lambda: room in player.client.rooms, what="the join")


async def test_a_trainer_invites_and_steers_without_power_in_the_room(make_bot, make_player):
    owner, trainer, bob, stranger = [await make_player(n) for n in ("owner", "trainer", "bob", "stranger")]
    # Only the trainer may invite: no listed user, no listed server.
    bot = await make_bot(access={"trainers": [trainer.user_id], "invite_users": [], "invite_servers": []})
    bot_id = bot.config.matrix.user_id

    refused = await stranger.create_room(invite=[bot_id])
    await stranger.wait_membership(refused, bot_id, "leave")

    # The owner's room (the owner has power 100, the trainer 0); the trainer invites the bot.
    room = await owner.create_room(invite=[trainer.user_id, bob.user_id])
    await joined(trainer, room)
    await joined(bob, room)
    await trainer.invite(room, bot_id)
    await owner.wait_membership(room, bot_id, "join")
    await says(room, bot_id, trainer, "!nouvelle", "Nouvelle partie")
    await says(room, bot_id, bob, "!rejoindre", "Bienvenue")
    await says(room, bot_id, owner, "!rejoindre", "Bienvenue")
    await says(room, bot_id, bob, "!commencer", "Seule la personne qui anime")  # power 0, not a trainer
    await says(room, bot_id, trainer, "!commencer dp-09", "Questions pour le débat")
    await says(room, bot_id, trainer, "!annuler", "annulée")
    assert (refused, bot_id, "join") not in stranger.members


async def test_invites_from_a_listed_server_are_accepted_and_others_refused(make_bot, make_player, synapse):
    inviter, outsider = await make_player("inviter"), await make_player("outsider")
    bot = await make_bot(access={"trainers": [], "invite_users": [], "invite_servers": [synapse.server_name]})
    bot_id = bot.config.matrix.user_id
    room = await inviter.create_room(invite=[bot_id])
    await inviter.wait_membership(room, bot_id, "join")
    await says(room, bot_id, inviter, "!aide", "Commandes")

    other = await make_bot(access={"trainers": [], "invite_users": [], "invite_servers": ["elsewhere.example"]})
    refused = await outsider.create_room(invite=[other.config.matrix.user_id])
    await outsider.wait_membership(refused, other.config.matrix.user_id, "leave")


async def create_v12_room(owner: Player, invite: list[str], additional_creators: list[str]) -> str:
    """A room of version 12 (creators above power levels), encrypted, made through the client API."""
    body = {"room_version": "12", "preset": "private_chat", "invite": invite, "initial_state": [ENCRYPTION],
            "creation_content": {"additional_creators": additional_creators}}
    client = owner.client
    resp = await client.send("POST", f"/_matrix/client/v3/createRoom?access_token={client.access_token}",
                             json.dumps(body), headers={"Content-Type": "application/json"})
    data = await resp.json()
    assert resp.status == 200, data
    room = RoomCreateResponse.from_dict(data).room_id
    await owner.wait_until(lambda: room in client.rooms, what="the new room")
    return room


async def test_room_version_12_creators_are_facilitators(make_bot, make_player):
    creator, co_creator, alice = await make_player("creator"), await make_player("cocreator"), await make_player("alice")
    bot = await make_bot(access={"trainers": [], "invite_users": []})  # anyone on the test server may invite
    bot_id = bot.config.matrix.user_id
    room = await create_v12_room(creator, [bot_id, co_creator.user_id, alice.user_id], [co_creator.user_id])
    await creator.wait_membership(room, bot_id, "join")
    await joined(co_creator, room)
    await joined(alice, room)
    assert bot.transport.client.rooms[room].room_version == "12"
    assert bot.transport.client.rooms[room].power_levels.get_user_level(creator.user_id) == 0  # what nio says

    await says(room, bot_id, creator, "!nouvelle", "Nouvelle partie")
    await says(room, bot_id, alice, "!rejoindre", "Bienvenue")
    await says(room, bot_id, co_creator, "!rejoindre", "Bienvenue")
    await says(room, bot_id, alice, "!commencer", "Seule la personne qui anime")
    await says(room, bot_id, co_creator, "!commencer dp-10", "Questions pour le débat")
    await says(room, bot_id, creator, "!annuler", "annulée")
