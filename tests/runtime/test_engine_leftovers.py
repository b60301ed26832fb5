"""What a crash left in the outbox goes out before anything new in that room (engine + real SQLite)."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.decks import load_library
from bot.game import Settings
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.runtime.engine import Engine, Outgoing
from bot.store import Store
from bot.store.games import GameStore

ROOM = "!room:example.org"
FAC, ALICE = "@trainer:example.org", "@alice:example.org"
LIBRARY = load_library(())[0]
NARRATOR = Narrator(Catalogue.load(default_language="fr"), LIBRARY)


class Room:
    """Records what reaches the room; ``down`` makes every send fail."""

    def __init__(self):
        self.bodies: list[str] = []
        self.down = False

    async def send(self, room_id: str, content: dict, tx_id: str) -> str:
        if self.down:
            raise ConnectionError("the homeserver went away")
        self.bodies.append(content["body"])
        return "$" + tx_id

    async def send_file(self, room_id, data, filename, mimetype, tx_id) -> str:
        return await self.send(room_id, {"body": filename}, tx_id)


async def engine_on(path, room: Room) -> Engine:
    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user: user.split(":")[0][1:], LIBRARY)

    store = await Store.open(path)
    return Engine(GameStore(store), NARRATOR, Settings(), Outgoing(room.send, room.send_file), view,
                  clock=lambda: datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc))


async def test_leftovers_that_fail_at_start_up_go_before_the_rooms_next_message(tmp_path):
    room = Room()
    engine = await engine_on(tmp_path / "db", room)
    await engine.handle(ROOM, ev.Open(FAC, None, "fr"), facilitator=True, source_event_id=None)
    room.down = True  # the join is saved, its welcome never sent: the process "dies"
    try:
        await engine.handle(ROOM, ev.Join(ALICE), facilitator=False, source_event_id=None)
    except ConnectionError:
        pass
    await engine.games.store.close()

    engine = await engine_on(tmp_path / "db", room)
    await engine.send_leftovers()  # still down at start-up: kept for later, no error
    assert len(await engine.games.pending_outbox()) == 1
    room.down = False
    mark = len(room.bodies)
    await engine.handle(ROOM, ev.Join("@bob:example.org"), facilitator=False, source_event_id=None)
    assert ["Bienvenue alice" in b for b in room.bodies[mark:]] == [True, False], room.bodies[mark:]
    assert "Bienvenue bob" in room.bodies[-1]
    assert await engine.games.pending_outbox() == []
    engine.stop()
    await engine.games.store.close()
