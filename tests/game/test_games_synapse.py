"""Whole games against a real Synapse, with three real encrypted clients."""

from __future__ import annotations

import pytest
from nio.crypto.attachments import decrypt_attachment

from tests.helpers.harness import Player
from tests.helpers.seat import Table, seat

pytestmark = pytest.mark.synapse

async def test_a_whole_game_from_lobby_to_synthesis(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players

    await t.says(t.trainer, "!nouvelle protection des données", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    # A player cannot start the game: a clear answer, nothing changes.
    await t.says(alice, "!commencer", "Seule la personne qui anime", seen_by=[alice])

    card = await t.says(t.trainer, "!commencer dp-01", "Questions pour le débat")
    assert "<ul><li>" in card.content["formatted_body"]
    assert "Collecte des données" in card.body

    marks = t.mark()
    await t.says(t.trainer, "!suivant", "Ordre de passage")
    turn = await alice.wait_message(t.room, t.bot_id, "À vous", after=marks[alice.localpart])
    first = turn.content["m.mentions"]["user_ids"][0]
    speaker, other = (alice, bob) if first == alice.user_id else (bob, alice)
    assert first == speaker.user_id
    assert 'href="https://matrix.to/#/' + speaker.user_id in turn.content["formatted_body"]

    # Someone else speaking out of turn gets one gentle reminder.
    await t.says(other, "je voudrais dire quelque chose", "merci de la lui laisser", seen_by=[other])
    # Only the speaker ends their turn.
    await t.says(other, "!fini", "Ce n'est pas votre tour", seen_by=[other])
    await speaker.send(t.room, "Je lis une situation de collecte <b>excessive</b>.")
    await speaker.send(t.room, "La finalité n'est pas claire @room.")
    marks = t.mark()
    await speaker.send(t.room, "!fini")
    nxt = await other.wait_message(t.room, t.bot_id, "À vous", after=marks[other.localpart])
    assert nxt.content["m.mentions"]["user_ids"] == [other.user_id]
    await other.send(t.room, "Je me demande qui a accès au dossier.")
    marks = t.mark()
    await other.send(t.room, "!fini")
    await alice.wait_message(t.room, t.bot_id, "Ressources du thème", after=marks[alice.localpart])
    await alice.wait_message(t.room, t.bot_id, "!oui", after=marks[alice.localpart])

    await t.says(alice, "!oui", "enregistré")
    await t.says(bob, "!oui", "Résultat : 2 oui, 0 non")
    board = await alice.wait_message(t.room, t.bot_id, "Plateau des systèmes")
    assert "Organisme / institution" in board.body

    await t.says(alice, "!piste equipe Un temps d'échange mensuel sur nos outils", "Piste n° 1")
    await t.says(bob, "!piste 4 Plaider pour un <script>guide</script> national", "Piste n° 2")
    await t.says(bob, "!piste nulle part", "Niveau inconnu", seen_by=[bob])
    listing = await t.says(alice, "!pistes", "Pistes d'action")
    assert "Un temps d'échange mensuel" in listing.body

    opened = await t.says(t.trainer, "!fin", "Fin de la partie")
    assert "Je lis une situation" not in opened.body  # the draft is not posted to all
    draft = await t.says(alice, "!synthese", "Brouillon", seen_by=[alice])  # only shown to whoever asks
    assert "Je lis une situation" in draft.body
    await t.says(alice, "!synthese Nous retenons la minimisation des données.", "Merci")
    marks = t.mark()
    await t.trainer.send(t.room, "!fin")
    final = await bob.wait_message(t.room, t.bot_id, "Nous retenons la minimisation", after=marks[bob.localpart])
    html = final.content["formatted_body"]
    # Every contribution and action idea, under its level; user text inert.
    for text in ("Je lis une situation de collecte", "La finalité n'est pas claire", "qui a accès au dossier"):
        assert text in final.body
    assert "&lt;b&gt;excessive&lt;/b&gt;" in html and "<b>excessive</b>" not in html
    assert "&lt;script&gt;" in html
    assert final.content.get("m.mentions") == {}
    team = html.index("Équipe / service / unité")
    policy = html.index("Politiques locales")
    assert team < html.index("Un temps d'échange mensuel") < policy < html.index("Plaider pour un")

    file_msg = await bob.wait_until(
        lambda: next((m for m in t.bot_messages(bob) if m.msgtype == "m.file"), None), what="the synthesis file")
    assert "file" in file_msg.content and "url" not in file_msg.content, "must be an encrypted attachment"
    resp = await bob.client.download(mxc=file_msg.content["file"]["url"])
    info = file_msg.content["file"]
    data = decrypt_attachment(resp.body, info["key"]["k"], info["hashes"]["sha256"], info["iv"])
    document = data.decode("utf-8")
    assert document.startswith("# Synthèse")
    for text in ("Je lis une situation", "qui a accès au dossier", "Un temps d'échange mensuel",
                 "Nous retenons la minimisation"):
        assert text in document
    # The game is over: a status shows no game.
    await t.says(alice, "!etat", "Aucune partie en cours", seen_by=[alice])


async def test_two_rooms_play_at_once_without_mixing(make_bot, make_player):
    first = await seat(make_bot, make_player)
    bot = first.bot
    trainer2 = await make_player("trainer")
    carol, dan = await make_player("carol"), await make_player("dan")
    room2 = await trainer2.create_room(invite=[bot.config.matrix.user_id, carol.user_id, dan.user_id])
    await trainer2.wait_membership(room2, bot.config.matrix.user_id, "join")
    for p in (carol, dan):
        await p.wait_until(lambda p=p: room2 in p.client.invited_rooms or room2 in p.client.rooms, what="invite")
        await p.client.join(room2)
        await trainer2.wait_membership(room2, p.user_id, "join")
    second = Table(bot, room2, trainer2, [carol, dan])

    await first.says(first.trainer, "!new", "Nouvelle partie")
    await second.says(second.trainer, "!nouvelle netiquette", "Nouvelle partie")
    for table in (first, second):
        for p in table.players:
            await table.says(p, "!rejoindre", "Bienvenue")
    await first.says(first.trainer, "!commencer dp-02", "Questions pour le débat")
    await second.says(second.trainer, "!commencer net-01", "Questions pour le débat")
    status1 = await first.says(first.players[0], "!etat", "Étape", seen_by=[first.players[0]])
    status2 = await second.says(second.players[0], "!etat", "Étape", seen_by=[second.players[0]])
    assert "la situation" in status1.body and "la situation" in status2.body
    # Each room saw only its own players and card. Bodies name people by display
    # name (the localpart here) and pills carry their ids: look for both.
    def people_named(table: Table, reader: Player) -> set[str]:
        named = set()
        for msg in table.bot_messages(reader):
            text = msg.body + msg.content.get("formatted_body", "") + " ".join(
                msg.content.get("m.mentions", {}).get("user_ids", []))
            named |= {p.localpart for p in (*first.everyone, *second.everyone) if p.localpart in text}
        return named

    for table, reader in ((first, first.trainer), (second, carol)):
        named = people_named(table, reader)
        assert {p.localpart for p in table.players} <= named <= {p.localpart for p in table.everyone}, named
    card1 = [m.body for m in first.bot_messages(first.trainer) if "Questions pour le débat" in m.body]
    card2 = [m.body for m in second.bot_messages(second.trainer) if "Questions pour le débat" in m.body]
    assert len(card1) == 1 and len(card2) == 1 and card1 != card2
    assert not any(m.room_id == first.room for m in carol.messages)


async def test_timers_advance_the_game_by_themselves(make_bot, make_player):
    """Short steps: the card step ends by itself, a silent turn gets its reminder and times out."""
    t = await seat(make_bot, make_player, card_seconds=5, turn_seconds=6, reminder_seconds=3)
    alice, bob = t.players
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    marks = t.mark()
    await t.trainer.send(t.room, "!commencer dp-06")
    # Nobody types: step 1 ends after 5 s, the first turn gets a reminder, then times out.
    await alice.wait_message(t.room, t.bot_id, "Ordre de passage", after=marks[alice.localpart], timeout=30)
    await alice.wait_message(t.room, t.bot_id, "il vous reste", after=marks[alice.localpart], timeout=30)
    await alice.wait_message(t.room, t.bot_id, "est écoulé", after=marks[alice.localpart], timeout=30)
    await alice.wait_until(lambda: len([m for m in t.bot_messages(alice, marks[alice.localpart])
                                        if "🎙️" in m.body]) >= 2, what="the second turn")
    turns = [m for m in t.bot_messages(alice, marks[alice.localpart]) if "🎙️" in m.body]
    assert turns[0].content["m.mentions"]["user_ids"] != turns[1].content["m.mentions"]["user_ids"]
