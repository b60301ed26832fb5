"""The trainer's room: a direct, encrypted chat with the bot, a private dashboard in any client.

Someone who facilitates at least one room where the bot is (a power level at or above
the threshold there, read afresh at every command, or a user of ``access.trainers``
who is a member) gets ``!rooms``, ``!agenda``, ``!syntheses``, ``!export <room>``,
``!timezone <zone>``, ``!privacy`` and ``!help``; anyone else gets ``!help`` and
nothing else. Figures are per room, never about a single person: supervision is not
evaluation. Nothing typed here is stored; only the zone set with ``!timezone``.
The reports themselves are built in :mod:`bot.commands.trainer_reports`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable

from bot.commands.parsing import Command
from bot.commands.trainer_reports import Reports, RoomInfo
from bot.game.folding import fold, read_int
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Rendered
from bot.runtime.engine import reply_tx_id
from bot.schedule import canonical_zone
from bot.store.trainers import TrainerStore

log = logging.getLogger(__name__)

Send = Callable[[str, dict, str], Awaitable[str]]
SendFile = Callable[[str, bytes, str, str, str], Awaitable[str]]


@dataclass
class Answer:
    """Replies to one command in the direct chat, each with a transaction id fixed by the command."""

    room_id: str
    event_id: str
    view: RoomView
    narrator: Narrator
    send: Send
    send_file: SendFile
    count: int = 0

    def _tx(self) -> str:
        self.count += 1
        return reply_tx_id(self.event_id, self.count - 1)

    async def say(self, key: str, values: tuple = ()) -> None:
        await self.rendered(self.narrator.message(self.view, key, values))

    async def lines(self, lines: list[tuple[str, tuple]]) -> None:
        await self.rendered(self.narrator.lines(self.view, tuple(lines)))

    async def rendered(self, rendered: Rendered) -> None:
        await self.send(self.room_id, rendered.content(), self._tx())

    async def file(self, text: str, filename: str, mimetype: str) -> None:
        await self.send_file(self.room_id, text.encode("utf-8"), filename, mimetype, self._tx())


class TrainerRoom:
    """Answers commands in trainers' direct chats."""

    def __init__(self, trainers: TrainerStore, reports: Reports, narrator: Narrator, *,
                 rooms: Callable[[], list[RoomInfo]], is_facilitator: Callable[[str, str], bool],
                 send: Send, send_file: SendFile, prefix: str, default_language: str, default_timezone: str,
                 clock: Callable[[], datetime] | None = None, leave: Callable[[str], Awaitable[None]] | None = None):
        self.leave = leave  # leaves a room (after !forget-me)
        self.trainers = trainers
        self.reports = reports
        self.narrator = narrator
        self.rooms = rooms
        self.is_facilitator = is_facilitator
        self.send = send
        self.send_file = send_file
        self.prefix = prefix
        self.default_language = default_language
        self.default_timezone = default_timezone
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        # The language each person last typed a command in: in memory only (nothing here is stored).
        self._languages: dict[str, str] = {}

    async def facilitated(self, user: str) -> list[RoomInfo]:
        """The rooms ``user`` facilitates now, by name; power levels as the last sync left them."""
        direct = await self.trainers.direct_rooms()
        rooms = [r for r in self.rooms() if r.room_id not in direct and user in r.members
                 and self.is_facilitator(r.room_id, user)]
        return sorted(rooms, key=lambda r: (fold(r.name), r.room_id))

    async def handle(self, room_id: str, sender: str, event_id: str, command: Command) -> None:
        lang = self._languages.get(sender, self.default_language)
        if command.language:
            lang = self._languages[sender] = command.language
        zone = await self.trainers.timezone(sender) or self.default_timezone
        view = RoomView(lang, self.prefix, lambda user: user, self.narrator.library, timezone=zone)
        answer = Answer(room_id, event_id, view, self.narrator, self.send, self.send_file)
        if command.name == "forget_me":  # erasure is everyone's, facilitating or not
            await self._forget_me(answer, room_id, sender)
            return
        rooms = await self.facilitated(sender)
        if not rooms:
            await answer.say("help")  # someone who facilitates nothing: the help, nothing else
            return
        handler = {
            "help": self._help, "privacy": self._privacy, "rooms": self._rooms, "agenda": self._agenda,
            "syntheses": self._syntheses, "export": self._export, "timezone": self._timezone,
        }.get(command.name)
        if handler is None:
            await answer.say("between.dm_elsewhere")
            return
        log.info("Trainer command %s in a direct chat", command.name or "unknown")
        await handler(answer, sender, command, rooms)

    async def _help(self, answer: Answer, sender: str, command: Command, rooms: list[RoomInfo]) -> None:
        await answer.say("between.dm_help")

    async def _privacy(self, answer: Answer, sender: str, command: Command, rooms: list[RoomInfo]) -> None:
        await answer.say("between.dm_privacy")

    async def _forget_me(self, answer: Answer, room_id: str, sender: str) -> None:
        """The trainer's zone goes, and the record of this chat: the bot leaves it (invite it again to return)."""
        await answer.say("between.dm_forgotten")
        await self.trainers.forget(sender, room_id)
        if self.leave is not None:
            await self.leave(room_id)

    async def _timezone(self, answer: Answer, sender: str, command: Command, rooms: list[RoomInfo]) -> None:
        if not command.args:
            await answer.say("between.timezone_show", (("zone", answer.view.timezone),))
            return
        zone = canonical_zone(command.args.strip())
        if zone is None:
            await answer.say("between.timezone_bad", (("zone", command.args.strip()[:60]),))
            return
        await self.trainers.set_timezone(sender, zone)
        await answer.say("between.timezone_set", (("zone", zone),))

    async def _rooms(self, answer: Answer, sender: str, command: Command, rooms: list[RoomInfo]) -> None:
        await answer.lines(await self.reports.rooms(answer.view, rooms, self.clock()))

    async def _agenda(self, answer: Answer, sender: str, command: Command, rooms: list[RoomInfo]) -> None:
        lines, calendar = await self.reports.agenda(answer.view, rooms, self.clock())
        await answer.lines(lines)
        if calendar is not None:
            await answer.file(calendar, "reflextics-agenda.ics", "text/calendar")

    async def _syntheses(self, answer: Answer, sender: str, command: Command, rooms: list[RoomInfo]) -> None:
        lines, files = await self.reports.latest_syntheses(answer.view, rooms)
        await answer.lines(lines)
        for text, filename in files:
            await answer.file(text, filename, "text/markdown")

    async def _export(self, answer: Answer, sender: str, command: Command, rooms: list[RoomInfo]) -> None:
        if not command.args:
            await answer.say("between.export_usage")
            return
        room = pick_room(rooms, command.args)
        if room is None:
            await answer.say("between.export_unknown", (("room", command.args.strip()[:80]),))
            return
        exported = await self.reports.export(answer.view, room, self.clock())
        if exported is None:
            await answer.say("between.export_none", (("room", room.name),))
            return
        text, filename, count = exported
        await answer.say("between.export_done", (("room", room.name), ("count", count)))
        await answer.file(text, filename, "text/markdown")


def pick_room(rooms: list[RoomInfo], typed: str) -> RoomInfo | None:
    """A room by its number in ``!rooms``, its exact name, or the one name containing what was typed."""
    typed = typed.strip()
    number = read_int(typed)  # any script's digits; "⁵" is no number (and int() would refuse it)
    if number is not None:
        index = number - 1
        return rooms[index] if 0 <= index < len(rooms) else None
    wanted = fold(typed)
    exact = [r for r in rooms if fold(r.name) == wanted]
    if exact:
        return exact[0]
    partial = [r for r in rooms if wanted in fold(r.name)]
    return partial[0] if len(partial) == 1 else None
