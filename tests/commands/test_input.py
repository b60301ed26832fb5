"""Whatever people type after a command: numbers as they type them, and never a crash.

Pure of Matrix: the whole bot (router, handlers, engine, SQLite store) with a recording
room in place of the homeserver. Numbers: any Unicode decimal digit counts
(Arabic-Indic ٥, full-width ５, Devanagari ५ …, read with their decimal value);
superscripts and other digit-like signs (⁵, ①, ፩) are not numbers, and get the
command's right form.
"""

from __future__ import annotations

import dataclasses
import logging

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.app.bot import Bot
from bot.commands.parsing import COMMANDS, names, parse
from bot.commands.play import event_for
from bot.commands.router import Context
from bot.config import parse_config
from bot.game import events as ev
from bot.game.folding import read_int
from bot.runtime.engine import Outgoing
from bot.schedule.parsing import parse_schedule, schedule_id
from bot.schedule.recurrence import ScheduleError
from bot.store import Store

ROOM, TRAINER, ALICE = "!room:test", "@trainer:test", "@alice:test"


def test_decimal_digits_of_any_script_are_numbers_and_other_digit_signs_are_not():
    assert read_int("12") == 12
    assert read_int("١٢") == 12  # Arabic-Indic
    assert read_int("１２") == 12  # full-width
    assert read_int("१२") == 12  # Devanagari
    for word in ("⁵", "①", "፩", "½", "", "1.5", "-3", "１２a", " "):
        assert read_int(word) is None, word


@pytest.mark.parametrize("typed, minutes", [("5", 5), ("٥", 5), ("５", 5), ("۱۰", 10)])
def test_extend_reads_the_digits_people_type(typed, minutes):
    assert event_for(parse(f"!prolonger {typed}"), ALICE) == ev.Extend(ALICE, minutes)


@pytest.mark.parametrize("typed", ["⁵", "①", "፩", "5⁵", "²⁰", "٥٥٥٥", "0", "61"])
def test_extend_refuses_what_is_not_a_number_of_minutes_with_its_right_form(typed):
    # ⁵ made str.isdigit() say yes and int() raise: a traceback and silence.
    assert event_for(parse(f"!prolonger {typed}"), ALICE) == "game.extend_range"


@pytest.mark.parametrize("typed, level", [("2", "team"), ("٢", "team"), ("２", "team"), ("४", "policy")])
def test_levels_given_as_numbers_in_any_script(typed, level):
    assert event_for(parse(f"!piste {typed} Une idée"), ALICE, "$r") == ev.AddAction(ALICE, level, "Une idée", "$r")


@pytest.mark.parametrize("typed", ["²", "①", "፪"])
def test_levels_refuse_digit_signs_with_the_right_form(typed):
    assert event_for(parse(f"!piste {typed} Une idée"), ALICE, "$r") == "game.bad_level"


def test_schedule_numbers_in_other_scripts():
    from datetime import datetime, timezone
    now = datetime(2027, 3, 27, 8, 0, tzinfo=timezone.utc)
    parsed = parse_schedule("mardi ١٤:٣٠ ٣ fois", now, "Europe/Paris", "fr")
    assert parsed.recurrence.at.hour == 14 and parsed.recurrence.at.minute == 30 and parsed.recurrence.count == 3
    assert schedule_id("#٣") == 3
    for text in ("mardi 14h count ፩", "mardi 14:00 ፩ fois", "tous les ፩ semaines mardi 14h", "mardi 14:0⁵",
                 "mardi 14h ³ fois"):
        with pytest.raises(ScheduleError):
            parse_schedule(text, now, "Europe/Paris", "fr")


# -- every command, arbitrary text, through the router ---------------------------------------

class Room:
    """Records what the bot posts instead of a homeserver."""

    def __init__(self):
        self.posted: list[dict] = []

    async def send(self, room_id: str, content: dict, tx_id: str | None = None, *rest) -> str:
        self.posted.append(content)
        return f"$e{len(self.posted)}"

    async def send_file(self, room_id: str, data: bytes, filename: str, mimetype: str, tx_id: str = "") -> str:
        self.posted.append({"body": filename, "msgtype": "m.file"})
        return f"$e{len(self.posted)}"

    async def send_event(self, room_id: str, event_type: str, content: dict, tx_id: str) -> str:
        self.posted.append(content)
        return f"$e{len(self.posted)}"


@pytest.fixture
async def offline_bot(tmp_path):
    """One bot for all the examples of a test: games open, start and end as the commands come."""
    config = parse_config({
        "matrix": {"homeserver": "http://127.0.0.1:9", "user_id": "@bot:test", "password": "x"},
        "storage": {"data_dir": str(tmp_path)},
        "access": {"trainers": [TRAINER]},
        "rooms": {"default_language": "fr"},
    })
    bot = Bot(config, await Store.open(tmp_path / "reflextics.db"))
    room = Room()
    outgoing = Outgoing(room.send, room.send_file, room.send_event)
    bot.engine.outgoing = outgoing
    bot.scheduling.outgoing = outgoing
    yield bot, room
    bot.scheduling.stop()
    bot.privacy.stop()
    bot.engine.stop()
    await bot.store.close()


# Text as people (and pasting accidents) produce it: any character, digits of every kind,
# numbers in words, times, the prefix, line breaks.
WORDS = st.sampled_from(["5", "٥", "５", "⁵", "①", "፩", "१२", "0", "61", "999999999999", "-1", "1.5", "²⁰",
                         "14:00", "١٤:٣٠", "14h", "mardi", "tous", "les", "semaines", "fois", "#3", "n°٣", "x",
                         "equipe", "4", "on", "off", "fr", "en", "dp-01", "!", "\n", "theme:", "😊", "é", "liste",
                         "annuler", "ics", "until", "jusqu'au", "31/02/2027", "١٢/٠٣/٢٠٢٧", "every", "weeks"])
ARGS = st.one_of(st.text(max_size=40), WORDS, st.lists(WORDS, max_size=6).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(command=st.sampled_from(sorted(COMMANDS)), args=ARGS)
def test_the_pure_parsers_refuse_any_text_with_a_key_never_an_exception(command, args):
    from datetime import datetime, timezone
    parsed = parse(f"!{names(command)['en']} {args}")
    if command in ("extend", "action", "yes", "no", "synthesis", "join", "next", "done"):
        result = event_for(parsed, ALICE, "$ref")
        assert isinstance(result, str) or dataclasses.is_dataclass(result)
    if command == "schedule":
        schedule_id(args)
        try:
            parse_schedule(args, datetime(2027, 3, 27, 8, tzinfo=timezone.utc), "Europe/Paris", "fr")
        except ScheduleError:
            pass
EVENTS = iter(range(10**9))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(sorted(COMMANDS)), args=ARGS, sender=st.sampled_from([TRAINER, ALICE]),
       language=st.sampled_from(["fr", "en", "ro", "de", "el"]))
@example(command="extend", args="⁵", sender=TRAINER, language="fr")  # the crash the issue reported
@example(command="schedule", args="mardi 14h ፩ fois", sender=TRAINER, language="fr")
async def test_every_command_answers_any_text_without_a_traceback(offline_bot, caplog, command, args, sender,
                                                                  language):
    bot, room = offline_bot
    caplog.clear()
    before = len(room.posted)
    typed = names(command)[language] if language in names(command) else names(command)["en"]
    parsed = parse(f"!{typed} {args}")
    assert parsed is not None and parsed.name == command
    ctx = Context(ROOM, sender, f"$cmd{next(EVENTS)}", parsed, "fr", "!", bot.renderer, room.send)
    with caplog.at_level(logging.INFO):
        await bot.router.dispatch(ctx)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], \
        [r.getMessage() for r in caplog.records]
    # Every command gets an answer, except the few whose silence is their answer:
    # a player's own turn ending and moving on in a game that is not there is refused aloud too.
    assert len(room.posted) > before, (command, args)
