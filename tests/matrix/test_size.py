"""The size rule: no message the bot builds can exceed the homeserver's event limit, encrypted.

Pure: the estimate (bot/matrix/size.py) and the cutting. The real homeserver's
verdict on real encrypted sends is in test_size_synapse.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.decks import load_library
from bot.game import GameState, Settings, apply
from bot.game import events as ev
from bot.matrix import size
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Rendered
from bot.messages.synthesis_post import SynthesisWriter

ROOM = "!aVeryLongRoomIdentifierOfTheKindSynapseMakes:example.org"
FRENCH = "Je pense à l'équipe éducative, à l'élève qui s'est confié·e 😊 — « déjà vécu » 🤝. "
LIBRARY = load_library(())[0]
CATALOGUE = Catalogue.load()


def long_turn(chars: int, n: int = 0) -> str:
    """``chars`` characters of French with accents and emoji, opening and closing with marks of ``n``."""
    start, end = f"⟦début {n}⟧ ", f" ⟦fin {n}⟧"
    return start + (FRENCH * (chars // len(FRENCH) + 1))[:chars - len(start) - len(end)] + end


def test_non_ascii_weighs_as_nio_escapes_it():
    # nio's json.dumps escapes every non-ASCII character: é is \\u00e9, an emoji a surrogate pair.
    base = size.plaintext_bytes(ROOM, "m.room.message", {"body": ""})
    assert size.plaintext_bytes(ROOM, "m.room.message", {"body": "é"}) - base == 6
    assert size.plaintext_bytes(ROOM, "m.room.message", {"body": "😊"}) - base == 12
    # 4,000 emoji, body and HTML: far below 65,536 characters, far above the limit encrypted.
    content = Rendered("😊" * 4000, "😊" * 4000).content()
    assert not size.fits(ROOM, "m.room.message", content)


def test_a_message_that_fits_comes_back_untouched():
    content = Rendered("Bonjour à tous", "<b>Bonjour</b> à tous", ("@a:x",)).content()
    assert size.split(ROOM, "m.room.message", content) == [content]


def test_a_long_message_is_cut_at_its_sections_and_loses_nothing():
    sections = [f"<h2>Tour {n}</h2><p>{long_turn(3000)}</p>" for n in range(12)]
    content = Rendered("x", "".join(sections), ("@alice:x",), "m.text").content()
    parts = size.split(ROOM, "m.room.message", content)
    assert len(parts) > 1
    assert all(size.fits(ROOM, "m.room.message", p) for p in parts)
    # Cut between blocks: every heading opens a part or sits whole inside one, never split.
    assert "".join(p["formatted_body"] for p in parts) == "".join(sections)
    assert all(p["msgtype"] == "m.text" for p in parts)
    assert parts[0]["m.mentions"] == {"user_ids": ["@alice:x"]}
    assert all(p["m.mentions"] == {} for p in parts[1:])  # one notification, not one per part
    assert all("Tour" in p["body"] and "<" not in p["body"] for p in parts)


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=30), st.integers(1, 40), st.booleans())
def test_any_text_is_cut_into_parts_that_fit_and_keep_every_character(unit, repeat, with_html):
    text = unit * ((25000 * repeat // 8) // len(unit) + 1)
    content = {"msgtype": "m.notice", "body": text}
    if with_html:
        content.update(format="org.matrix.custom.html", formatted_body=f"<p>{text}</p>")
    parts = size.split(ROOM, "m.room.message", content)
    assert all(size.fits(ROOM, "m.room.message", p) for p in parts)
    if not with_html:  # cut at blank lines, lines or characters: only whitespace may go
        assert "".join("".join(p["body"] for p in parts).split()) == "".join(text.split())


def test_ten_players_at_the_maximum_give_a_synthesis_that_is_cut_not_lost():
    chars = Settings().max_turn_chars
    players = [f"@player{n}:example.org" for n in range(10)]
    state, now = GameState(), datetime(2027, 1, 5, 14, 0, tzinfo=timezone.utc)
    stn = Settings(max_players=12, auto_advance=True)

    def do(event, facilitator=False):
        nonlocal state, now
        now += timedelta(seconds=5)
        state = apply(state, event, now, facilitator=facilitator, settings=stn).state

    do(ev.Open("@fac:example.org", None, "fr"), True)
    for p in players:
        do(ev.Join(p))
    do(ev.Start("@fac:example.org", "dp-01", "data_protection"), True)
    do(ev.Next("@fac:example.org"), True)
    for n, _ in enumerate(players):
        speaker = state.speaker
        do(ev.Say(speaker, long_turn(chars, n)))
        do(ev.Done(speaker))
    assert len(state.turns) == 10 and all(len(t.text) >= chars - 1 for t in state.turns)
    view = RoomView("fr", "!", lambda user: user, LIBRARY)
    message = SynthesisWriter(Narrator(CATALOGUE, LIBRARY)).posts(view, state, final=False)[0]
    assert not size.fits(ROOM, "m.room.message", message.content())  # the defect's cause
    parts = size.split(ROOM, "m.room.message", message.content())
    assert all(size.fits(ROOM, "m.room.message", p) for p in parts)
    joined = "\n".join(p["body"] for p in parts)
    for n in range(10):  # every turn whole: its start and its end, once
        assert joined.count(f"⟦début {n}⟧") == 1 and joined.count(f"⟦fin {n}⟧") == 1
