"""Who a message notifies: the one rule deciding between ``m.text`` with a pill and ``m.notice``.

A message that asks a particular person to act *now* notifies that person, and only
that person: it is ``m.text``, their name is in the body, a pill in the HTML, and
their id in ``m.mentions``, so Element's default push rules (``.m.rule.is_user_mention``)
notify and highlight it for them. Everything else is narration: ``m.notice``, which
never notifies (``.m.rule.suppress_notices`` comes before the mention rules), and
people named in it are plain names, never pills, so no client pings them either.

:data:`ASKS_TO_ACT` is that rule, for the whole bot: the catalogue key of each
message that asks someone to act, and the parameter naming who. A message built of
several parts (one per moment) notifies the people its parts ask to act.
"""

from __future__ import annotations

from typing import Any

from bot.game.params import Params, UserRef

TEXT, NOTICE = "m.text", "m.notice"

ASKS_TO_ACT: dict[str, str] = {
    "game.turn_start": "speaker",  # your turn
    "game.turn_reminder": "speaker",  # your turn ends soon
    "narration.prompt_to": "speaker",  # the narrator relaunches the silent speaker
    "game.turn_time_up": "facilitator",  # auto-advance off: skip the speaker
    "game.step_time_up": "facilitator",  # auto-advance off: go on
    "game.vote_tie": "facilitator",  # break the tie
    "week.nudge": "user",  # a week game: your reading is awaited (one nudge, naming only you)
    "week.nudge_vote": "user",  # a week game: the vote awaits you
    "narration.poll": "players",  # the vote's native poll (its text fallback): answer it, or type
    "schedule.reminder_players": "players",  # the usual players: a session soon
    "encryption.unreadable": "user",  # "I could not read you, send it again"
    "encryption.unsigned_device": "user",  # "verify this device, then write again"
}


def acting_param(key: str) -> str | None:
    """The parameter of message ``key`` that names who must act, if it asks anyone."""
    return ASKS_TO_ACT.get(key)


def msgtype(key: str) -> str:
    return TEXT if key in ASKS_TO_ACT else NOTICE


def addressees(key: str, params: Params) -> tuple[str, ...]:
    """The user ids message ``key`` with ``params`` notifies (none for narration)."""
    name = ASKS_TO_ACT.get(key)
    if name is None:
        return ()
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, UserRef):
            found.append(value.user_id)
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    for param, value in params:
        if param == name:
            walk(value)
    return tuple(dict.fromkeys(found))
