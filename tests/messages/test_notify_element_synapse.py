"""As Element decides notifications (matrix-js-sdk push rules, evaluated after decryption):
the speaker is notified of their turn; the narration does not notify; the vote's poll reaches the players."""

from __future__ import annotations

import pytest

from tests.helpers.foreign_client import shared_room

pytestmark = pytest.mark.synapse


async def test_the_speaker_is_notified_of_their_turn_and_narration_notifies_nobody(make_bot, make_foreign):
    bot = await make_bot(game={"card_seconds": 3600, "turn_seconds": 3600, "resources_seconds": 3600,
                               "reminder_seconds": 0, "silence_seconds": 0})
    bot_user = bot.config.matrix.user_id
    camille = await make_foreign("camille")  # the room's creator: she facilitates, and plays
    karim = await make_foreign("karim")
    room = await shared_room(camille, karim)
    await camille.invite(room, bot_user)
    await camille.wait_membership(room, bot_user, "join")
    await karim.wait_membership(room, bot_user, "join")
    people = {camille.user_id: camille, karim.user_id: karim}

    async def says(who, text: str, expect: str):
        marks = {c: len(c.events) for c in people.values()}
        await who.send_text(room, text)
        return {c: await c.wait_message(room, bot_user, expect, after=marks[c]) for c in people.values()}

    await says(camille, "!nouvelle", "Nouvelle partie")
    await says(camille, "!rejoindre", "Bienvenue")
    joined = await says(karim, "!rejoindre", "Bienvenue")
    card = await says(camille, "!commencer dp-01", "Questions pour le débat")
    for seen in list(joined.values()) + list(card.values()):
        assert seen.content["msgtype"] == "m.notice" and not seen.utd
        assert seen.push == {"notify": False, "highlight": False}, seen.body[:60]

    marks = {c: len(c.events) for c in people.values()}
    await camille.send_text(room, "!suivant")
    turns = {c: await c.wait_message(room, bot_user, "À vous", after=marks[c]) for c in people.values()}
    speaker_id = turns[camille].content["m.mentions"]["user_ids"][0]
    speaker, other = people[speaker_id], people[next(u for u in people if u != speaker_id)]
    assert turns[speaker].content["msgtype"] == "m.text"
    assert turns[speaker].push == {"notify": True, "highlight": True}  # "à vous, X" reaches X
    assert turns[other].push["highlight"] is False  # the other is not called

    # The turn change: "merci X" and "à vous Y" in one message, notifying Y.
    marks = {c: len(c.events) for c in people.values()}
    await speaker.send_text(room, "!fini")
    change = await other.wait_message(room, bot_user, "À vous", after=marks[other])
    assert "Merci" in change.body and change.push == {"notify": True, "highlight": True}

    # The vote's native poll: it asks the players, and Element notifies them.
    marks = {c: len(c.events) for c in people.values()}
    await other.send_text(room, "!passe")
    poll = await speaker.wait_for(lambda e: e.type == "org.matrix.msc3381.poll.start" and e.sender == bot_user,
                                  after=marks[speaker], what="the poll")
    assert not poll.utd and poll.push["notify"] and poll.push["highlight"]
    step3 = await speaker.wait_message(room, bot_user, "Ressources du thème", after=marks[speaker])
    assert step3.push == {"notify": False, "highlight": False}
    # Answered as Element does: counted like a typed vote.
    await speaker.poll_response(room, poll.event_id, ["yes"])
    await speaker.wait_message(room, bot_user, "enregistré (1/2)", after=marks[speaker])
