"""Trainers' direct chats, wired: recognised at the invite, kept apart from the game rooms.

An invite marked ``is_direct`` (as Element opens a direct chat) from someone allowed
to invite the bot makes the room a direct chat (:class:`bot.store.trainers.TrainerStore`).
There only the person who opened it is answered, only while nobody else has joined,
only in an encrypted room, only to commands: free text is not read, nothing typed is
stored, and no game event is ever made of it.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import MatrixRoom, RoomMessageText
from nio.events import Event

from bot.commands.history import Section
from bot.commands.trainer import TrainerRoom
from bot.commands.trainer_reports import Reports, RoomInfo
from bot.matrix import read_message
from bot.store.history import HistoryStore
from bot.store.schedules import ScheduleStore
from bot.store.trainers import TrainerStore

log = logging.getLogger(__name__)


class DirectChats:
    """The direct chats of one bot and the trainer's room that answers in them."""

    def __init__(self, bot: Any, history: HistoryStore, section: Section | None = None):
        # ``bot`` is the bot.app.bot.Bot being built (not imported: no cycle).
        self.bot = bot
        self.trainers = TrainerStore(bot.store)
        config = bot.config
        reports = Reports(history, ScheduleStore(bot.store), bot.engine, bot.narrator, bot.room_view,
                          config.schedule.duration_minutes, section)
        self.room = TrainerRoom(
            self.trainers, reports, bot.narrator, rooms=self.rooms, is_facilitator=bot.is_facilitator,
            send=bot.transport.send, send_file=bot.transport.send_file, prefix=config.prefix,
            default_language=config.rooms.default_language, default_timezone=config.schedule.default_timezone,
            leave=bot.transport.leave)

    async def opened(self, room_id: str, inviter: str) -> None:
        """Before joining: the chat's first messages already belong to the trainer's room."""
        await self.trainers.add_direct(room_id, inviter)

    async def handle(self, room: MatrixRoom, event: Event) -> bool:
        """True when ``room`` is a direct chat (the event is then handled, or ignored, here)."""
        owner = await self.trainers.direct_owner(room.room_id)
        if owner is None:
            return False
        if not isinstance(event, RoomMessageText) or event.sender != owner:
            return True
        if not room.encrypted or not getattr(event, "decrypted", False):
            return True  # the trainer's room is private, or it is nothing
        if set(room.users) - {owner, self.bot.transport.user_id}:
            log.info("Ignoring a direct chat that someone else joined")
            return True
        message = read_message(event.source.get("content") or {})
        command = self.bot.router.parse(message.text)
        if command is None or message.replaces is not None:
            return True
        if self.bot.throttle.check(event.sender) != "ok":
            return True
        await self.room.handle(room.room_id, event.sender, event.event_id, command)
        return True

    def rooms(self) -> list[RoomInfo]:
        """Every room the bot is in, with its name and members as the last sync left them."""
        client = self.bot.transport.client
        rooms = client.rooms if client is not None else {}
        return [RoomInfo(room_id, room.display_name, frozenset(room.users)) for room_id, room in rooms.items()]
