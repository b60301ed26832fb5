"""Custom decks and cards added from the chat, played on a real Synapse."""

from __future__ import annotations

import pytest

from tests.helpers.seat import seat

pytestmark = pytest.mark.synapse

TEAM_DECK = """\
schema_version: 1
deck: equipe-nord
language: fr
title: "Situations de l'équipe Nord"
cards:
  - id: nord-1
    theme: netiquette
    title: "Le groupe de parents"
    situation: "Une éducatrice est ajoutée au groupe de messagerie des parents d'un foyer."
    questions: ["Qu'est-ce qui se dit dans ce groupe ?", "Faut-il y rester ?"]
"""
BROKEN_DECK = "schema_version: 1\ndeck: casse\nlanguage: fr\ncards:\n  - id: c-1\n    theme: ethics\n"

CHAT_CARD = """!ajouter-carte
Titre : Le cahier de liaison numérique
Thème : outils
Situation : Le service remplace le cahier de liaison papier par une application mobile.
Questions :
- Qui lit ce qui est écrit ?
- Que devient l'historique ?"""


async def test_custom_decks_and_chat_cards(make_bot, make_player, tmp_path):
    decks = tmp_path / "team-decks"
    decks.mkdir()
    (decks / "nord.fr.yaml").write_text(TEAM_DECK, encoding="utf-8")
    (decks / "casse.fr.yaml").write_text(BROKEN_DECK, encoding="utf-8")
    t = await seat(make_bot, make_player, sections={"decks": {"directories": [str(decks)]}})
    alice, bob = t.players

    listing = await t.says(t.trainer, "!cartes", "Le groupe de parents", seen_by=[t.trainer])
    assert "Paquet personnalisé ignoré" in listing.body and "casse.fr.yaml" in listing.body
    assert "dp-01" in listing.body  # the guide's cards are still there

    template = await t.says(t.trainer, "!ajouter-carte", "Titre", seen_by=[t.trainer])
    assert "Questions" in template.body
    await t.says(alice, CHAT_CARD, "Seule la personne qui anime", seen_by=[alice])
    assert await t.bot.engine.games.custom_cards(t.room) == [], "a player's card was refused, yet stored"
    bad = await t.says(t.trainer, "!ajouter-carte\nTitre : Sans questions\nThème : outils\nSituation : Rien.",
                       "La carte n'est pas ajoutée", seen_by=[t.trainer])
    assert "Questions" in bad.body
    added = await t.says(t.trainer, CHAT_CARD, "Carte ajoutée", seen_by=[t.trainer])
    assert "custom-1" in added.body
    listing = await t.says(t.trainer, "!cartes outils", "Le cahier de liaison numérique", seen_by=[t.trainer])
    assert "custom-1" in listing.body

    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    card = await t.says(t.trainer, "!commencer custom-1", "Que devient l'historique ?")
    assert "\n\n🃏 Le cahier de liaison numérique\n" in card.body  # the card, inside step 1's one message
    await t.says(t.trainer, "!annuler", "annulée")

    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    card = await t.says(t.trainer, "!commencer nord-1", "Faut-il y rester ?")
    assert "\n\n🃏 Le groupe de parents" in card.body

