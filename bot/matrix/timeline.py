"""What a room's timeline says about the bot's place in it (pure: no I/O)."""

from __future__ import annotations

from nio import RoomCreateEvent, RoomMemberEvent


def joins(events: list, user_id: str) -> bool:
    """Whether ``user_id`` joins the room in these events (rather than was in it already)."""
    return any(
        isinstance(e, RoomMemberEvent) and e.state_key == user_id
        and e.membership == "join" and e.prev_membership != "join"
        for e in events
    )


def history_end(events: list, user_id: str) -> int:
    """In the sync where the bot joins a room: how many events came before it was invited.

    Those are the room's past, which the bot was never meant to read. The ones
    between the invite and the join are first contact: a client that invites the
    bot and speaks at once, before it counts the bot as a member.
    """
    if not joins(events, user_id):
        return 0
    for index, event in enumerate(events):
        if isinstance(event, RoomMemberEvent) and event.state_key == user_id \
                and event.membership in ("invite", "join"):
            return index
    return 0


def creators(events: list) -> frozenset[str] | None:
    """The room's creators (``m.room.create``'s sender and ``additional_creators``), if the
    create event is among these; room version 12 gives them unlimited power."""
    found = None
    for event in events:
        if isinstance(event, RoomCreateEvent):
            extra = event.source.get("content", {}).get("additional_creators") or []
            found = frozenset([event.sender, *[u for u in extra if isinstance(u, str)]])
    return found
