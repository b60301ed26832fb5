"""The vote as a native poll (MSC3381), the way Element sends polls.

Today's rooms are not extensible-event rooms, so the events are the unstable
``org.matrix.msc3381.poll.start`` / ``.poll.end`` with their text fallback
(``org.matrix.msc1767.text``, and ``body`` for clients that read only that). The
answers' ids are ``yes`` and ``no``; the poll is *undisclosed* (results shown when
it ends), as the bot never says who voted what. The start mentions the players:
it asks them to vote (``narration.poll`` in :mod:`bot.messages.notify`), so Element
notifies them. Typed ``!oui``/``!non`` always work, for clients without polls.
"""

from __future__ import annotations

from bot.game import effects as fx
from bot.game.params import Term, params, users
from bot.messages.narration import Narrator, RoomView

POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"
TEXT = "org.matrix.msc1767.text"
UNDISCLOSED = "org.matrix.msc3381.poll.undisclosed"
ANSWERS = {"yes": True, "no": False}
SEPARATOR = " / "  # between the languages of a bilingual room's question and answers


def start(narrator: Narrator, view: RoomView, effect: fx.StartPoll) -> tuple[str, dict]:
    """The poll's (event type, content).

    Element shows the poll's own question and answers, not its fallback text: in a
    bilingual room they hold every language of the room, the answers in their short
    form (``safety.poll.*_short``) so that two languages fit Element's poll layout.
    """
    def text(lang: str, key: str) -> str:
        return narrator.catalogue.text(lang, key, prefix=view.prefix)

    languages = view.languages
    if len(languages) == 1:
        answers = ("narration.poll.yes", "narration.poll.no")
    else:
        answers = ("safety.poll.yes_short", "safety.poll.no_short")
    question = SEPARATOR.join(dict.fromkeys(text(lang, "narration.poll.question") for lang in languages))
    yes, no = (SEPARATOR.join(dict.fromkeys(text(lang, key) for lang in languages)) for key in answers)
    # The fallback says it in each language's own half.
    fallback = narrator.message(view, "narration.poll", params(
        question=Term("narration.poll.question"), yes=Term(answers[0]), no=Term(answers[1]),
        players=users(effect.players)))
    content = {
        POLL_START: {
            "question": {TEXT: question},
            "kind": UNDISCLOSED,
            "max_selections": 1,
            "answers": [{"id": "yes", TEXT: yes}, {"id": "no", TEXT: no}],
        },
        TEXT: fallback.body,
        "body": fallback.body,
        "m.mentions": fallback.content()["m.mentions"],
    }
    return POLL_START, content


def end(narrator: Narrator, view: RoomView, effect: fx.EndPoll, poll_event_id: str) -> tuple[str, dict]:
    """The event closing poll ``poll_event_id``, with the result in its text."""
    key = {True: "narration.poll.ended_yes", False: "narration.poll.ended_no", None: "narration.poll.ended"}[effect.go_on]
    result = narrator.message(view, key, params(yes=effect.yes, no=effect.no)).body
    return POLL_END, {
        "m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
        POLL_END: {},
        TEXT: result,
        "body": result,
    }


def vote_of(answers: tuple[str, ...]) -> bool | None:
    """yes/no from a poll answer's ids (the last known one); None for a spoiled or unknown answer."""
    known = [ANSWERS[a] for a in answers if a in ANSWERS]
    return known[-1] if known else None
