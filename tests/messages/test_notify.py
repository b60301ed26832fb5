"""The notify rule (bot/messages/notify.py): m.text with a pill for whom a message asks to act, else m.notice."""

from __future__ import annotations

import pytest

from bot.game import UserRef
from bot.game.params import duration, params, users
from bot.messages import notify
from tests.helpers.narration import CAMILLE, KARIM, NAMES, NARRATOR, view
from tests.helpers.table import FAC


# (key, params, who must be notified)
ASKING = [
    ("game.turn_start", params(speaker=UserRef(KARIM), position=2, total=3, time=duration(180)), [KARIM]),
    ("game.turn_reminder", params(speaker=UserRef(KARIM), time=duration(30)), [KARIM]),
    ("narration.prompt_to", params(speaker=UserRef(KARIM), prompt="Qu'en pensez-vous ?"), [KARIM]),
    ("game.turn_time_up", params(speaker=UserRef(KARIM), facilitator=UserRef(FAC)), [FAC]),
    ("game.vote_tie", params(yes=1, no=1, facilitator=UserRef(FAC)), [FAC]),
    ("schedule.reminder_players", params(when="mardi", theme="", players=users([CAMILLE, KARIM])), [CAMILLE, KARIM]),
    ("encryption.unreadable", params(user=UserRef(CAMILLE)), [CAMILLE]),
]
NARRATION = [
    ("game.lobby_opened", params(facilitator=UserRef(FAC), minimum=2, maximum=10)),
    ("game.turn_done", params(speaker=UserRef(CAMILLE))),
    ("game.out_of_turn", params(user=UserRef(CAMILLE), speaker=UserRef(KARIM))),
    ("game.vote_recorded", params(user=UserRef(CAMILLE), voted=1, total=2)),
    ("game.left", params(user=UserRef(CAMILLE))),
    ("game.status.lobby", params(facilitator=UserRef(FAC), players=users([CAMILLE, KARIM]), count=2)),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("key,values,who", ASKING, ids=[a[0] for a in ASKING])
def test_a_message_asking_someone_to_act_is_text_that_mentions_them(lang, key, values, who):
    rendered = NARRATOR.message(view(lang), key, values)
    content = rendered.content()
    assert content["msgtype"] == "m.text"
    assert content["m.mentions"] == {"user_ids": sorted(who)}
    for user in who:
        assert NAMES[user] in content["body"], "the name in the body: clients match it too"
        assert f'href="https://matrix.to/#/{user}"' in content["formatted_body"]
    # Others named in it are plain names.
    assert content["formatted_body"].count("matrix.to") == len(who)


@pytest.mark.parametrize("key,values", NARRATION, ids=[n[0] for n in NARRATION])
def test_narration_is_a_notice_with_names_and_no_pill(key, values):
    content = NARRATOR.message(view(), key, values).content()
    assert content["msgtype"] == "m.notice"
    assert content["m.mentions"] == {}
    assert "matrix.to" not in content["formatted_body"]


def test_the_rule_names_existing_keys_and_parameters():
    catalogue = NARRATOR.catalogue
    for key, param in notify.ASKS_TO_ACT.items():
        for lang in ("fr", "en"):
            assert "{" + param + "}" in catalogue.template(lang, key), (lang, key)


def test_a_bundle_notifies_whom_its_parts_ask_to_act():
    parts = [NARRATOR.message(view(), "game.turn_done", params(speaker=UserRef(CAMILLE))),
             NARRATOR.message(view(), "game.turn_start", params(
                 speaker=UserRef(KARIM), position=2, total=2, time=duration(60)))]
    joined = NARRATOR.renderer.join(parts).content()
    assert joined["msgtype"] == "m.text" and joined["m.mentions"] == {"user_ids": [KARIM]}
    assert "Camille" in joined["body"] and "Karim" in joined["body"]


def test_an_erased_person_is_named_and_never_pinged():
    content = NARRATOR.message(view(), "game.turn_start", params(
        speaker=UserRef("erased#1"), position=1, total=2, time=duration(60))).content()
    assert content["m.mentions"] == {} and "matrix.to" not in content["formatted_body"]
