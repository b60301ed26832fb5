"""Against a real Synapse: hostile text as players type it gets isolated echoes and the right forms."""

from __future__ import annotations

import pytest

from bot.messages.render import FSI, PDI
from tests.helpers.harness import answering_room

pytestmark = pytest.mark.synapse

RLO, ZWJ, ZWSP = "\u202e", "\u200d", "\u200b"


async def test_hostile_commands_get_isolated_echoes_and_their_right_forms(make_bot, make_player):
    bot, player, room = await answering_room(make_bot, make_player)
    bot_id = bot.config.matrix.user_id

    async def ask(text: str, expect: str):
        mark = len(player.messages)
        await player.send(room, text)
        return await player.wait_message(room, bot_id, expect, after=mark)

    unknown = await ask("!" + RLO + "edia", "Je ne connais pas la commande")
    # The name is shown without the override, and nothing of the bot's sentence is mirrored.
    assert "« edia »" in unknown.body and RLO not in unknown.body
    hebrew = await ask("!שלום" + RLO, "Je ne connais pas la commande")
    assert f"« {FSI}שלום{PDI} »" in hebrew.body
    assert f"<bdi>{FSI}שלום{PDI}</bdi>" in hebrew.content["formatted_body"]
    await ask("!ai" + ZWJ + "de", "Commandes")  # read as !aide
    await ask("!piste  " + ZWSP, "Écrivez votre piste après le niveau")
    await ask("!piste politique " + RLO + ZWJ, "Écrivez votre piste après le niveau")
    await ask("!nouvelle", "Nouvelle partie")
    await ask("!nouvelle netiquette", "Une partie est déjà en cours")
    await ask("!nouvelle pas-un-theme", "Une partie est déjà en cours")
