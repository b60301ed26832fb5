"""What a timeline says about the bot's place in a room (bot/matrix/timeline.py)."""

from nio import Event

from bot.matrix import timeline

BOT = "@bot:x"


def member(user: str, membership: str, prev: str | None = None, sender: str = "@alice:x") -> Event:
    unsigned = {"prev_content": {"membership": prev}} if prev else {}
    return Event.parse_event({"type": "m.room.member", "state_key": user, "sender": sender, "event_id": f"$m{user}{membership}",
                              "origin_server_ts": 1, "content": {"membership": membership}, "unsigned": unsigned})


def text(n: int) -> Event:
    return Event.parse_event({"type": "m.room.message", "sender": "@alice:x", "event_id": f"$t{n}",
                              "origin_server_ts": 1, "content": {"msgtype": "m.text", "body": "hi"}})


def test_the_events_before_the_invite_are_history_the_ones_after_first_contact():
    events = [text(1), text(2), member(BOT, "invite"), text(3), member(BOT, "join", prev="invite"), text(4)]
    assert timeline.joins(events, BOT)
    assert timeline.history_end(events, BOT) == 2


def test_a_sync_where_the_bot_was_already_in_the_room_has_no_history():
    events = [text(1), member(BOT, "join", prev="join"), text(2)]
    assert not timeline.joins(events, BOT)
    assert timeline.history_end(events, BOT) == 0


def test_creators_are_the_create_events_sender_and_additional_creators():
    create = Event.parse_event({"type": "m.room.create", "state_key": "", "sender": "@alice:x", "event_id": "$c",
                                "origin_server_ts": 1,
                                "content": {"room_version": "12", "additional_creators": ["@bob:x", 7]}})
    assert timeline.creators([text(1), create]) == frozenset({"@alice:x", "@bob:x"})
    assert timeline.creators([text(1)]) is None
