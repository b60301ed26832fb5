"""A game step is one trip to aiosqlite's thread, all or nothing, and the room's game is kept in memory."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import aiosqlite
import pytest

from bot.store import Store
from bot.store.games import GameStore, Step

T0 = datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc)


@pytest.fixture
def trips(monkeypatch):
    """Counts the calls handed to aiosqlite's thread."""
    calls = []
    real = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        calls.append(fn)
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


def step(**kw) -> Step:
    base = dict(room_id="!r:x", state={"phase": "lobby"}, active=True, event={"type": "Open"}, at=T0,
                facilitator=True)
    return Step(**{**base, **kw})


async def test_a_step_and_its_outbox_clearing_are_one_trip_each(tmp_path, trips):
    store = await Store.open(tmp_path / "bot.db")
    await store.pending()
    games = GameStore(store)
    trips.clear()
    game_id, items = await games.commit(step(source_event_id="$open",
                                             effects=[{"type": "Say", "key": "a"}, {"type": "Say", "key": "b"}]))
    assert len(trips) == 1
    trips.clear()
    await games.outbox_done(*(i.tx_id for i in items))
    assert len(trips) == 1
    trips.clear()
    _, more = await games.commit(step(game_id=game_id, state={"phase": "card"}, event={"type": "Start"},
                                      source_event_id="$start", effects=[{"type": "Say", "key": "c"}],
                                      previous_state={"phase": "lobby"}))
    assert len(trips) == 1 and more[0].tx_id == f"g{game_id}e2x0"
    # What the trip wrote is on disk, committed: another connection reads it.
    db = sqlite3.connect(tmp_path / "bot.db")
    assert db.execute("SELECT seq FROM game_events WHERE game_id = ? ORDER BY seq", (game_id,)).fetchall() == [(1,), (2,)]
    assert {r[0] for r in db.execute("SELECT event_id FROM processed_events")} == {"$open", "$start"}
    assert [r[0] for r in db.execute("SELECT tx_id FROM outbox")] == [f"g{game_id}e2x0"]
    db.close()
    await store.close()


async def test_the_rooms_game_is_read_once_and_follows_every_write(tmp_path, trips):
    store = await Store.open(tmp_path / "bot.db")
    games = GameStore(store)
    assert await games.active_game("!r:x") is None
    trips.clear()
    assert await games.active_game("!r:x") is None and trips == []  # known: no game
    game_id, _ = await games.commit(step())
    trips.clear()
    assert (await games.active_game("!r:x")).state == {"phase": "lobby"} and trips == []
    await games.rewrite(game_id, {"phase": "lobby", "note": "rewritten"})
    assert (await games.active_game("!r:x")).state == {"phase": "lobby", "note": "rewritten"}
    await games.commit(step(game_id=game_id, state={"phase": "finished"}, active=False, event={"type": "Abort"}))
    assert await games.active_game("!r:x") is None
    # A second store on the same file (the next start) reads the same.
    again = GameStore(store)
    assert await again.active_game("!r:x") is None
    await store.close()


async def test_a_step_failing_inside_the_database_thread_writes_nothing(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    games = GameStore(store)
    game_id, _ = await games.commit(step())
    # A wrong next rank (as if another writer had slipped in): the event row breaks
    # the log's key after the game's row was already updated in the same trip.
    games._next_seq[game_id] = 1
    with pytest.raises(sqlite3.IntegrityError):
        await games.commit(step(game_id=game_id, state={"phase": "card"}, source_event_id="$bad",
                                effects=[{"type": "Say", "key": "x"}]))
    assert (await GameStore(store).active_game("!r:x")).state == {"phase": "lobby"}  # rolled back
    assert (await games.active_game("!r:x")).state == {"phase": "lobby"}
    assert await store.processed_among(["$bad"]) == set()
    assert await games.pending_outbox() == []
    del games._next_seq[game_id]
    # The connection is usable: the next step commits.
    await games.commit(step(game_id=game_id, state={"phase": "card"}, source_event_id="$next"))
    assert (await GameStore(store).active_game("!r:x")).state == {"phase": "card"}
    assert await store.processed_among(["$next"]) == {"$next"}
    await store.close()
