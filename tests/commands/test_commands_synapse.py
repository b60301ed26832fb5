"""Commands not played elsewhere, and people who come and go mid-game, against a real Synapse.

`!themes`, `!confidentialite`, `!langue`, a random card in the chosen theme,
`!prolonger N`; a player who joins the room and the game mid-game gets the room keys
of what the bot says next, one who leaves does not.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.seat import seat

pytestmark = pytest.mark.synapse


class Draws:
    """Stands for the bot's random source: records what it draws from, takes the last."""

    def __init__(self):
        self.drawn_from: list[list[str]] = []

    def choice(self, cards):
        self.drawn_from.append([c.id for c in cards])
        return cards[-1]


def seconds(body: str) -> int:
    """The time left in a French status or extension message ("il reste 64 min 58 s")."""
    match = re.search(r"il reste (?:(\d+) min)? ?(?:(\d+) s)?", body)
    assert match and (match.group(1) or match.group(2)), body
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


async def test_themes_privacy_language_random_card_and_extend(make_bot, make_player):
    draws = Draws()

    def prepare(bot) -> None:
        bot.play.rng = draws

    t = await seat(lambda **kw: make_bot(prepare=prepare, **kw), make_player,
                   sections={"privacy": {"retention_days": 12, "keep_game_records": False}})
    alice, bob = t.players

    themes = await t.says(alice, "!themes", "Les thèmes du guide", seen_by=[alice])
    for title, count in (("Protection des données", 10), ("outils numériques", 3), ("Netiquettes", 6),
                         ("posture éthique", 4)):
        assert re.search(rf"{title}.* — {count} carte", themes.body), (title, themes.body)

    privacy = await t.says(bob, "!confidentialite", "Ce que je conserve", seen_by=[bob])
    assert "effacés 12 jours après sa fin. Il n'en reste rien." in privacy.body, privacy.body

    # The room's language: the facilitator's to change, and everyone reads it.
    await t.says(alice, "!langue en", "Seule la personne qui anime", seen_by=[alice])
    await t.says(t.trainer, "!langue en", "I now speak English")
    await t.says(alice, "!themes", "The guide's themes", seen_by=[alice])
    await t.says(bob, "!lang fr", "Only the game's facilitator", seen_by=[bob])
    await t.says(t.trainer, "!lang fr", "je parle désormais français")

    # A random card, drawn among the chosen theme's only.
    await t.says(t.trainer, "!nouvelle netiquette", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    card = await t.says(t.trainer, "!commencer", "Questions pour le débat")
    [candidates] = draws.drawn_from
    assert candidates == [f"net-{n:02d}" for n in range(1, 7)], candidates
    expected = t.bot.narrator.library.card("net-06", "fr")
    assert expected.title in card.body and "Netiquettes" in card.body

    # Five more minutes on the step, for the facilitator only.
    before = seconds((await t.says(alice, "!etat", "il reste", seen_by=[alice])).body)
    await t.says(alice, "!prolonger 5", "Seule la personne qui anime", seen_by=[alice])
    extended = await t.says(t.trainer, "!prolonger 5", "5 minutes de plus")
    after = seconds((await t.says(alice, "!etat", "il reste", seen_by=[alice])).body)
    assert 300 - 30 <= after - before <= 300, (before, after)
    assert abs(seconds(extended.body) - after) <= 30
    await t.says(t.trainer, "!prolonger 90", "entre 1 et 60", seen_by=[t.trainer])


async def test_a_newcomer_gets_the_keys_and_a_leaver_does_not(make_bot, make_player):
    t = await seat(make_bot, make_player)
    alice, bob = t.players
    olm = t.bot.transport.client.olm
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!commencer dp-07", "Questions pour le débat")

    # Carol is invited into the room mid-game and joins the game.
    carol = await make_player("carol")
    await t.trainer.invite(t.room, carol.user_id)
    await carol.wait_until(lambda: t.room in carol.client.invited_rooms, what="the invite")
    await carol.join(t.room)
    await t.trainer.wait_membership(t.room, carol.user_id, "join")
    t.players.append(carol)
    welcome = await t.says(carol, "!rejoindre", "vous rejoignez la partie en cours", seen_by=[carol, alice])
    assert welcome.decrypted
    shared = olm.outbound_group_sessions[t.room]
    assert (carol.user_id, carol.client.device_id) in shared.users_shared_with

    # Bob leaves the game, then the room: what the bot says next is not for his device.
    await t.says(bob, "!quitter", "a quitté la partie", seen_by=[alice, bob])
    await bob.client.room_leave(t.room)
    await t.trainer.wait_membership(t.room, bob.user_id, "leave")
    t.players.remove(bob)
    status = await t.says(alice, "!etat", "la situation", seen_by=[alice, carol])
    assert status.decrypted
    session = olm.outbound_group_sessions[t.room]
    assert session.id != shared.id, "the room key Bob had must not be used after he left"
    assert not any(user == bob.user_id for user, _ in session.users_shared_with)
    assert (carol.user_id, carol.client.device_id) in session.users_shared_with
    _, state = await t.bot.engine.state(t.room)
    assert set(state.players) == {alice.user_id, carol.user_id}
