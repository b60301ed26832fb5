"""Against a real Synapse: the unsigned-device explanation (rooms.only_cross_signed_senders) is given
once per room and person, a restart included."""

from __future__ import annotations

import pytest

from tests.helpers.firstcontact import cross_sign, notices_to
from tests.helpers.harness import join_bot

pytestmark = pytest.mark.synapse


async def test_the_unsigned_device_explanation_is_not_repeated_after_a_restart(make_bot, make_player):
    bot = await make_bot(rooms={"only_cross_signed_senders": True})
    bot_id = bot.config.matrix.user_id
    signed = await make_player("signed")
    await cross_sign(signed)
    room = await join_bot(signed, bot_id)
    unsigned = await make_player("unsigned")
    await signed.invite(room, unsigned.user_id)
    await unsigned.join(room)

    await unsigned.send(room, "!aide")
    await signed.send(room, "!help")
    await signed.wait_message(room, bot_id, "Commands")
    assert len(notices_to(signed.from_user(room, bot_id), unsigned.user_id)) == 1

    bot = await make_bot.restart(bot)
    mark = len(signed.messages)
    await unsigned.send(room, "!aide")
    await signed.send(room, "!help")  # handled after the unsigned one: the room's order
    await signed.wait_message(room, bot_id, "Commands", after=mark)
    assert notices_to(signed.from_user(room, bot_id, mark), unsigned.user_id) == [], "told again after a restart"
