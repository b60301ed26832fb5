"""The synthesis: its data and its Markdown document."""

from __future__ import annotations

from bot.game import actions_by_level, build_synthesis, to_markdown
from bot.game import events as ev
from bot.game.state import GameState
from bot.messages.catalogue import Catalogue
from tests.helpers.table import ALICE, BOB, CAROL, FAC, Table
from tests.helpers.table import play_a_whole_game

CATALOGUE = Catalogue.load()
NAMES = {ALICE: "Alice", BOB: "Bob_the*builder", CAROL: "Carol", FAC: "Trainer"}


def markdown(state: GameState, lang: str = "fr", final: bool | None = None) -> str:
    return to_markdown(
        build_synthesis(state, final),
        text=lambda key, **p: CATALOGUE.text(lang, key, **p),
        user_name=NAMES.get,
        card_title=lambda c: f"Carte {c}",
        theme_title=lambda t: {"data_protection": "Protection des données"}[t],
    )


def test_the_synthesis_holds_everything():
    t = play_a_whole_game()
    syn = build_synthesis(t.state)
    assert syn.final and syn.card_id == "dp-04" and syn.theme == "data_protection"
    assert syn.participants == (ALICE, BOB, CAROL)
    assert [c.status for c in syn.contributions] == ["spoken", "timeout", "passed"]
    assert dict(syn.actions)["team"][1].text == "Former l'équipe au RGPD"
    doc = markdown(t.state)
    assert doc.startswith("# Synthèse de la partie Réflex'tics\n")
    assert "Brouillon" not in doc
    for expected in ("**Carte** : Carte dp-04", "**Thème** : Protection des données", "**Date** : 2025-03-04",
                     "> Ce qui me frappe, c'est le groupe WhatsApp.", "> Et le consentement des familles.",
                     "> Je me demande qui a accès aux messages.", "_temps de parole écoulé_", "_a passé son tour_",
                     "Les ressources du thème « Protection des données » ont été partagées.",
                     "Oui (2 oui, 1 non).", "## Synthèse rédigée par Bob\\_the\\*builder",
                     "> Nous retenons la messagerie chiffrée."):
        assert expected in doc, expected
    # Each idea under its level, in the board's order.
    team = doc.index("### Équipe / service / unité")
    org = doc.index("### Organisme / institution")
    policy = doc.index("### Politiques")
    assert team < doc.index("Choisir une messagerie chiffrée pour le service") < doc.index("Former l'équipe au RGPD") < org
    assert org < doc.index("- _aucune piste_", org) < policy < doc.index("Demander un cadre national")


def test_the_draft_says_so_and_english_works():
    t = Table().in_round(ALICE, BOB)
    t.do(ev.Say(ALICE, "# pas un titre\n\n<b>ni du HTML</b>"))
    t.do(ev.End(FAC))
    doc = markdown(t.state, "en")
    assert "_Draft: the synthesis is not final yet._" in doc
    assert "> \\# pas un titre\n>\n> \\<b\\>ni du HTML\\</b\\>" in doc
    assert "_turn cut short by the facilitator_" in doc
    assert "_The game stopped before the resources._" in doc
    assert "_No vote._" in doc and "_No action ideas._" in doc
    assert "Summary written by" not in doc


def test_actions_by_level_for_the_actions_command():
    t = Table().in_actions(ALICE, BOB)
    t.do(ev.AddAction(BOB, "policy", "p"))
    t.do(ev.AddAction(ALICE, "individual", "i"))
    grouped = actions_by_level(t.state)
    assert [level for level, _ in grouped] == ["individual", "team", "organisation", "policy"]
    assert [[a.text for a in ideas] for _, ideas in grouped] == [["i"], [], [], ["p"]]


def test_list_actions_for_the_actions_command():
    from bot.game import list_actions
    from tests.helpers.table import render

    t = Table().in_actions(ALICE, BOB)
    assert list_actions(t.state) == (("game.actions.none", ()),)
    t.do(ev.AddAction(BOB, "policy", "Écrire au ministère"))
    t.do(ev.AddAction(ALICE, "individual", "Relire la charte"))
    lines = list_actions(t.state)
    assert [k for k, _ in lines] == ["game.actions.header", "game.actions.level", "game.actions.item",
                                     "game.actions.level", "game.actions.item"]
    bodies = [render(k, p, "fr") for k, p in lines]
    assert bodies[1:3] == ["Individuel", "2. Relire la charte — @alice:example.org"]
    assert bodies[4] == "1. Écrire au ministère — @bob:example.org"
