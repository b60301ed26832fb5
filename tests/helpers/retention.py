"""Rooms for the retention tests: the engine, the privacy commands and a SQLite file; what is sent is kept."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.commands.parsing import parse
from bot.commands.privacy import Privacy
from bot.commands.router import Context, Router
from bot.config import PrivacyConfig
from bot.decks import load_library
from bot.game import Settings
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Renderer
from bot.runtime.engine import Engine, Outgoing
from bot.store import Store
from bot.store.games import GameStore

ROOM, OTHER = "!room:example.org", "!other:example.org"
FAC, ALICE, BOB = "@trainer:example.org", "@alice:example.org", "@bob:example.org"
DAY = 86400
CATALOGUE = Catalogue.load(default_language="fr")
LIBRARY = load_library(())[0]


class Sleeps:
    """Stands for asyncio.sleep in the retention loop: the test decides when it wakes."""

    def __init__(self):
        self.asked: asyncio.Queue[float] = asyncio.Queue()
        self.wake = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.wake.clear()
        await self.asked.put(seconds)
        await self.wake.wait()


class Rooms:
    """The engine, the privacy commands and a SQLite file; what is sent is kept."""

    def __init__(self, data_dir: Path, config: PrivacyConfig, sleep=asyncio.sleep):
        self.data_dir, self.config, self.sleep = data_dir, config, sleep
        self.sent: list[tuple[str, str]] = []  # (room, body)
        self.now = datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc)
        self.commands = 0

    async def open(self) -> "Rooms":
        self.store = await Store.open(self.data_dir / "reflextics.db")
        narrator = Narrator(CATALOGUE, LIBRARY)

        async def view(room_id: str) -> RoomView:
            return RoomView("fr", "!", lambda user: user.split(":")[0][1:], LIBRARY)

        async def send(room_id: str, content: dict, tx_id: str) -> str:
            self.sent.append((room_id, content["body"]))
            return "$" + tx_id

        async def send_file(room_id, data, filename, mimetype, tx_id) -> str:
            return "$" + tx_id

        self.engine = Engine(GameStore(self.store), narrator, Settings(), Outgoing(send, send_file), view,
                             clock=lambda: self.now)
        self.privacy = Privacy(self.config, self.store, self.engine, narrator, view,
                               lambda room, user: user == FAC, sleep=self.sleep)
        self.router = Router("!")
        self.privacy.register(self.router)
        return self

    async def close(self) -> None:
        self.privacy.stop()
        self.engine.stop()
        await self.store.close()

    async def do(self, room: str, event, facilitator: bool = False) -> None:
        self.now += timedelta(seconds=5)
        assert await self.engine.handle(room, event, facilitator=facilitator, source_event_id=None)

    async def finished_game(self, room: str, text: str) -> int:
        """A whole game whose one turn says ``text``; its id."""
        await self.do(room, ev.Open(FAC, None, "fr"), True)
        await self.do(room, ev.Join(ALICE))
        await self.do(room, ev.Join(BOB))
        await self.do(room, ev.Start(FAC, "dp-03", "data_protection"), True)
        await self.do(room, ev.Next(FAC), True)
        _, state = await self.engine.state(room)
        await self.do(room, ev.Say(state.speaker, text))
        await self.do(room, ev.Done(state.speaker))
        _, state = await self.engine.state(room)
        await self.do(room, ev.Pass(state.speaker))
        await self.do(room, ev.Vote(ALICE, False))
        await self.do(room, ev.Vote(BOB, False))
        game_id, state = await self.engine.state(room)
        await self.do(room, ev.End(FAC), True)
        assert (await self.engine.state(room))[0] is None, "the game should be over"
        return game_id

    async def game_in_progress(self, room: str, text: str) -> int:
        await self.do(room, ev.Open(FAC, None, "fr"), True)
        await self.do(room, ev.Join(ALICE))
        await self.do(room, ev.Join(BOB))
        await self.do(room, ev.Start(FAC, "dp-03", "data_protection"), True)
        await self.do(room, ev.Next(FAC), True)
        game_id, state = await self.engine.state(room)
        await self.do(room, ev.Say(state.speaker, text))
        return game_id

    async def ended_days_ago(self, game_id: int, days: float) -> None:
        async with self.store.transaction() as db:
            await db.execute("UPDATE games SET ended_at = ? WHERE id = ?", (time.time() - days * DAY, game_id))

    async def rows(self) -> dict[int, tuple[int, str]]:
        """game id -> (purged, state) for every games row."""
        async with self.store.conn.execute("SELECT id, purged, state FROM games") as cur:
            return {r[0]: (r[1], r[2]) for r in await cur.fetchall()}

    async def logged(self, game_id: int) -> int:
        async with self.store.conn.execute("SELECT COUNT(*) FROM game_events WHERE game_id = ?", (game_id,)) as cur:
            return (await cur.fetchone())[0]

    def on_disk(self, text: str) -> bool:
        return any(text.encode() in p.read_bytes() for p in self.data_dir.rglob("*") if p.is_file())

    async def command(self, room: str, sender: str, body: str) -> str:
        self.commands += 1
        mark = len(self.sent)
        ctx = Context(room, sender, f"$cmd{self.commands}", parse(body, "!"), "fr", "!", Renderer(CATALOGUE),
                      self.engine.outgoing.send)
        await self.router.dispatch(ctx)
        return "\n".join(body for _, body in self.sent[mark:])
