"""A scheduling adapter with a fake clock, a real SQLite store and engine, and a recording homeserver.

Restarts are a new Scheduling (and engine) on the same database file; the fake
homeserver answers a repeated transaction id with the first message, as Synapse does.
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.commands.parsing import parse
from bot.config import ScheduleConfig
from bot.decks import load_library
from bot.runtime.engine import Engine, Outgoing
from bot.game import Settings
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Renderer
from bot.commands.router import Context, Router
from bot.commands.schedules import ScheduleCommands
from bot.runtime.scheduling import Scheduling
from bot.store import Store
from bot.store.games import GameStore
from bot.store.schedules import ScheduleStore

UTC = timezone.utc
ROOM = "!room:test"
TRAINER, ALICE, BOB = "@trainer:test", "@alice:test", "@bob:test"
CREATED = datetime(2027, 3, 27, 8, 0, tzinfo=UTC)  # Saturday
SESSION = datetime(2027, 3, 30, 12, 0, tzinfo=UTC)  # Tuesday 14:00 in Paris (summer time)
CATALOGUE = Catalogue.load()
LIBRARY = load_library(())[0]


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Homeserver:
    """Records what the bot posts; a repeated transaction id posts nothing new (as Synapse).

    ``attempts`` keeps every send the bot tried, failed or repeated ones included.
    """

    def __init__(self):
        self.posted: list[tuple[str, dict, str]] = []
        self.attempts: list[tuple[str, str]] = []  # (tx_id, body)
        self.files: list[tuple[str, bytes, str, str]] = []
        self.fail_next = 0

    async def send(self, room_id: str, content: dict, tx_id: str) -> str:
        self.attempts.append((tx_id, content["body"]))
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("the homeserver went away")
        if all(tx != tx_id for _, _, tx in self.posted):
            self.posted.append((room_id, content, tx_id))
        return "$" + tx_id

    async def send_file(self, room_id: str, data: bytes, filename: str, mimetype: str, tx_id: str) -> str:
        self.files.append((room_id, data, filename, mimetype))
        return "$" + tx_id

    def bodies(self, containing: str = "") -> list[str]:
        return [c["body"] for _, c, _ in self.posted if containing in c["body"]]


class World:
    def __init__(self, path, clock: Clock, config: ScheduleConfig):
        self.path, self.clock, self.config = path, clock, config
        self.server = Homeserver()
        self.store: Store | None = None
        self.scheduling: Scheduling | None = None
        self.router = Router("!")
        self.events = 0

    async def start(self) -> Scheduling:
        """A fresh process on the same database: what a restart does."""
        await self.stop()
        self.store = await Store.open(self.path)
        outgoing = Outgoing(self.server.send, self.server.send_file)
        narrator = Narrator(CATALOGUE, LIBRARY)

        async def views(room_id: str) -> RoomView:
            return RoomView("fr", "!", lambda user: user, LIBRARY)

        engine = Engine(GameStore(self.store), narrator, Settings(), outgoing, views, clock=self.clock)
        self.engine = engine
        self.scheduling = Scheduling(ScheduleStore(self.store), engine, views, lambda room, user: user == TRAINER,
                                     outgoing, self.config, clock=self.clock)
        self.router = Router("!")
        self.router.add("schedule", ScheduleCommands(self.scheduling).handle)
        await self.scheduling.start()
        return self.scheduling

    async def stop(self) -> None:
        if self.scheduling is not None:
            self.scheduling.stop()
            self.engine.stop()
            self.scheduling = None
        if self.store is not None:
            await self.store.close()
            self.store = None

    async def command(self, sender: str, body: str, language: str = "fr") -> str:
        self.events += 1
        ctx = Context(ROOM, sender, f"$cmd{self.events}", parse(body), language, "!", Renderer(CATALOGUE),
                      self.server.send)
        before = len(self.server.posted)
        await self.router.dispatch(ctx)
        return "\n".join(c["body"] for _, c, _ in self.server.posted[before:])

    async def play_a_game(self) -> None:
        """A game with Alice and Bob, aborted: they become the room's usual players."""
        for event, facilitator in ((ev.Open(TRAINER), True), (ev.Join(ALICE), False), (ev.Join(BOB), False),
                                   (ev.Abort(TRAINER), True)):
            assert await self.engine.handle(ROOM, event, facilitator=facilitator, source_event_id=None)
        self.server.posted.clear()  # only what the schedules say counts below
        self.server.attempts.clear()
