"""A bilingual room reads every language everywhere: the poll, the confirmation, step 3, the file name.

Checked for every ordered pair of the five languages (the main one first).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from bot.decks import load_library
from bot.game import GameState
from bot.game import effects as fx
from bot.game.params import Term
from bot.messages import poll
from bot.messages.catalogue import Catalogue
from bot.messages.moment import compose
from bot.messages.narration import Narrator, RoomView
from bot.messages.synthesis_post import SynthesisWriter

LIBRARY, _ = load_library([])
CATALOGUE = Catalogue.load()
NARRATOR = Narrator(CATALOGUE, LIBRARY)
LANGUAGES = ("fr", "en", "ro", "el", "de")
PAIRS = list(itertools.permutations(LANGUAGES, 2))
# Element lays a poll's answers out as one line each beside a radio button, and the
# question as a heading: beyond these lengths two languages wrap into a block.
QUESTION_MAX = 90
ANSWER_MAX = 48


def view(main: str, other: str | None = None) -> RoomView:
    return RoomView(main, "!", lambda user: user.split(":")[0].lstrip("@"), LIBRARY, also=(other,) if other else ())


def text(lang: str, key: str) -> str:
    return CATALOGUE.text(lang, key, prefix="!")


def halves(body: str, other: str) -> tuple[str, str]:
    main, _, second = body.partition(f"── {text(other, 'language.name')} ──")
    assert second, body
    return main, second


@pytest.mark.parametrize("main,other", PAIRS)
def test_the_poll_asks_in_both_languages_short_enough_for_element(main, other):
    _, content = poll.start(NARRATOR, view(main, other), fx.StartPoll(("@ana:x",)))
    start = content[poll.POLL_START]
    question = start["question"][poll.TEXT]
    yes, no = (a[poll.TEXT] for a in start["answers"])
    assert question == f"{text(main, 'narration.poll.question')} / {text(other, 'narration.poll.question')}"
    assert yes == f"{text(main, 'safety.poll.yes_short')} / {text(other, 'safety.poll.yes_short')}"
    assert no == f"{text(main, 'safety.poll.no_short')} / {text(other, 'safety.poll.no_short')}"
    assert len(question) <= QUESTION_MAX and len(yes) <= ANSWER_MAX and len(no) <= ANSWER_MAX, (question, yes, no)
    # The fallback: each half in its own language.
    first, second = halves(content["body"], other)
    assert text(main, "narration.poll.question") in first and text(other, "narration.poll.question") in second
    assert text(other, "narration.poll.question") not in first


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_one_language_poll_keeps_its_full_answers(lang):
    _, content = poll.start(NARRATOR, view(lang), fx.StartPoll(("@ana:x",)))
    start = content[poll.POLL_START]
    assert start["question"][poll.TEXT] == text(lang, "narration.poll.question")
    assert [a[poll.TEXT] for a in start["answers"]] == [text(lang, "narration.poll.yes"), text(lang, "narration.poll.no")]


@pytest.mark.parametrize("main,other", PAIRS)
def test_the_bilingual_confirmation_names_both_languages_in_each_half(main, other):
    rendered = NARRATOR.message(view(main, other), "safety.langs_set", (
        ("first", Term(f"safety.in.{main}")), ("second", Term(f"safety.in.{other}"))))
    first, second = halves(rendered.body, other)
    for half, lang in ((first, main), (second, other)):
        assert f"{text(lang, f'safety.in.{main}')} " in half and text(lang, f"safety.in.{other}") in half, half


@pytest.mark.parametrize("main,other", PAIRS)
def test_every_step_three_part_carries_both_languages(main, other):
    room = view(main, other)
    for theme in LIBRARY.themes():
        messages = compose(NARRATOR, room, GameState(), (fx.PostResources(theme),), lambda *a: [])
        assert messages, theme
        for message in messages:
            body = message["content"]["body"]
            first, second = halves(body, other)
            # The same sections in both halves: each starts with its language's header or a section title.
            assert first.strip() and second.strip(), (theme, body[:200])
        titles = [s.title for s in LIBRARY.resources(theme, other)]
        shown = "".join(m["content"]["body"] for m in messages)
        assert all(t in shown for t in titles), theme


def test_the_netiquette_resources_of_an_el_en_room_come_in_two_parts_of_both_languages():
    """The case found by hand: Greek needs two parts where English fits in one."""
    messages = compose(NARRATOR, view("el", "en"), GameState(), (fx.PostResources("netiquette"),), lambda *a: [])
    assert len(messages) == 2
    for message in messages:
        halves(message["content"]["body"], "en")


@pytest.mark.parametrize("main,other", PAIRS)
def test_the_synthesis_file_name_is_bilingual(main, other):
    writer = SynthesisWriter(NARRATOR)
    name = writer.file_name(view(main, other), "2027-03-02")
    words = list(dict.fromkeys((text(main, "safety.synthesis_file_word"), text(other, "safety.synthesis_file_word"))))
    assert name == f"reflextics-{'-'.join(words)}-2027-03-02.md"
    assert name.isascii()
    assert writer.file_name(view(main), "2027-03-02") == CATALOGUE.text(main, "narration.synthesis_file",
                                                                         date="2027-03-02")


def test_the_final_synthesis_file_of_a_bilingual_room_has_the_bilingual_name():
    writer = SynthesisWriter(NARRATOR)
    state = GameState(phase="finished", created=datetime(2027, 3, 2, 13, tzinfo=timezone.utc))
    posts = writer.posts(view("fr", "ro"), state, final=True)
    [file] = [p for p in posts if isinstance(p, dict)]
    assert file["filename"] == "reflextics-synthese-sinteza-2027-03-02.md"
