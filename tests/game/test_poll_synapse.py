"""Against a real Synapse: the vote as a native poll, poll answers and typed votes counted together."""

from __future__ import annotations

import pytest

from tests.helpers.seat import seat

pytestmark = pytest.mark.synapse

POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"


async def test_a_poll_vote_and_a_typed_vote_are_both_counted(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!commencer dp-05", "Questions pour le débat")
    await t.says(t.trainer, "!suivant", "À vous")
    marks = t.mark()
    for p in (alice, bob):
        await p.send(t.room, "!passe")  # only the speaker's pass counts: both, in any order
    await alice.send(t.room, "!passe")
    poll = await alice.wait_until(
        lambda: next((m for m in t.bot_messages(alice, marks[alice.localpart]) if m.msgtype == POLL_START), None),
        what="the vote's poll")
    assert poll.decrypted
    start = poll.content[POLL_START]
    assert [a["id"] for a in start["answers"]] == ["yes", "no"]
    assert set(poll.content["m.mentions"]["user_ids"]) == {alice.user_id, bob.user_id}  # it asks them to vote

    marks = t.mark()
    await alice.poll_response(t.room, poll.event_id, ["no"])
    await alice.wait_message(t.room, t.bot_id, "enregistré (1/2)", after=marks[alice.localpart])
    await alice.poll_response(t.room, poll.event_id, ["yes"], event_type="m.poll.response")
    await alice.wait_message(t.room, t.bot_id, "change son vote (1/2)", after=marks[alice.localpart])
    result = await t.says(bob, "!oui", "Résultat : 2 oui, 0 non")
    assert "Plateau" in result.body
    end = await alice.wait_until(
        lambda: next((m for m in t.bot_messages(alice, marks[alice.localpart]) if m.msgtype == POLL_END), None),
        what="the poll's end")
    assert end.content["m.relates_to"] == {"rel_type": "m.reference", "event_id": poll.event_id}
    assert "2 oui, 0 non" in end.body
