"""The SQLite store against real files in tmp_path."""

from __future__ import annotations

import os
import stat
from contextlib import asynccontextmanager
from datetime import datetime, timezone

from bot.store import Store
from bot.store.games import GameStore, Step
from bot.store.migrations import MIGRATIONS

T0 = datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc)


async def test_migrations_run_once_and_file_is_private(tmp_path):
    path = tmp_path / "db" / "bot.db"
    store = await Store.open(path)
    assert await store.schema_version() == max(m.version for m in MIGRATIONS)
    await store.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = await Store.open(path)  # re-opening must not re-run migrations
    assert await again.schema_version() == max(m.version for m in MIGRATIONS)
    await again.close()


async def test_sync_token_and_processed_events(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    assert await store.sync_token() is None
    await store.save_sync_token("s1_2")
    await store.mark_processed("!r:x", ["$a", "$b"])
    await store.close()
    store = await Store.open(tmp_path / "bot.db")
    assert await store.sync_token() == "s1_2"
    assert await store.processed_among(["$a", "$c"]) == {"$a"}
    await store.close()


async def test_a_step_is_one_transaction(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    games = GameStore(store)
    game_id, items = await games.commit(Step(
        room_id="!r:x", state={"phase": "lobby"}, active=True, event={"type": "Open"}, at=T0,
        facilitator=True, source_event_id="$open",
        effects=[{"type": "Say", "key": "lobby_opened"}, {"type": "Say", "key": "privacy_short"}],
    ))
    assert [i.tx_id for i in items] == [f"g{game_id}e1x0", f"g{game_id}e1x1"]
    assert await store.processed_among(["$open"]) == {"$open"}
    game = await games.active_game("!r:x")
    assert game.id == game_id and game.state == {"phase": "lobby"}
    assert [g.id for g in await games.active_games()] == [game_id]
    assert [i.effect["key"] for i in await games.pending_outbox()] == ["lobby_opened", "privacy_short"]
    await games.outbox_done(items[0].tx_id)
    assert await games.pending_outbox() == [items[1]]

    _, items = await games.commit(Step(
        room_id="!r:x", state={"phase": "finished"}, active=False, event={"type": "Abort"}, at=T0,
        facilitator=True, game_id=game_id,
    ))
    assert items == []
    assert await games.active_game("!r:x") is None
    assert await games.active_games() == []
    assert [e[2]["type"] for e in await games.events(game_id)] == ["Open", "Abort"]
    await store.close()


async def test_failed_step_writes_nothing(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    games = GameStore(store)
    try:
        await games.commit(Step(
            room_id="!r:x", state={"phase": "lobby"}, active=True, event={"bad": object()}, at=T0,
            facilitator=True, source_event_id="$x",
        ))
    except TypeError:
        pass
    assert await games.active_game("!r:x") is None
    assert await store.processed_among(["$x"]) == set()
    await store.close()


def test_migration_versions_are_unique_and_contiguous():
    versions = sorted(m.version for m in MIGRATIONS)
    assert versions == list(range(1, len(versions) + 1))


async def test_processed_among_answers_for_a_whole_sync(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    ids = [f"$e{n}" for n in range(1200)]  # more than one chunk of SQL variables
    await store.mark_processed("!r:x", ids[::2])
    assert await store.processed_among(ids) == set(ids[::2])
    assert await store.processed_among(["$unknown"]) == set()
    await store.close()


async def test_an_event_a_committed_step_marked_is_not_written_again(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    await store.pending()  # as the transport does at start: nothing waits for a key
    games = GameStore(store)
    await games.commit(Step(room_id="!r:x", state={"phase": "lobby"}, active=True, event={"type": "Open"},
                            at=T0, facilitator=True, source_event_id="$open"))
    writes = []
    real = store.transaction

    @asynccontextmanager
    async def counting():
        async with real() as db:
            writes.append(db)
            yield db

    store.transaction = counting
    await store.mark_handled("!r:x", "$open")  # the step's transaction marked it already
    assert writes == []
    await store.mark_handled("!r:x", "$chat")  # no step: the transport's mark is the only one
    assert len(writes) == 1
    assert await store.processed_among(["$open", "$chat"]) == {"$open", "$chat"}
    await store.close()


async def test_marking_an_event_that_waited_for_its_key_clears_the_wait(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    assert await store.pending() == []
    await store.add_pending("!r:x", "$late", "session", {"event_id": "$late", "type": "m.room.encrypted"})
    await store.mark_processed("!r:x", ["$other"])
    assert [source["event_id"] for _, source in await store.pending()] == ["$late"]
    await store.mark_handled("!r:x", "$late")
    assert await store.pending() == []
    await store.close()
    store = await Store.open(tmp_path / "bot.db")  # and it stays cleared
    assert await store.pending() == [] and await store.processed_among(["$late"]) == {"$late"}
    await store.close()


async def test_room_settings_are_read_once_and_follow_changes(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    assert await store.room_language("!r:x") is None
    assert await store.room_pseudonymous("!r:x") is False
    await store.set_room_language("!r:x", "en")
    await store.set_room_pseudonymous("!r:x", True)
    assert await store.room_settings("!r:x") == ("en", True)
    await store.close()
    store = await Store.open(tmp_path / "bot.db")
    assert await store.room_settings("!r:x") == ("en", True)
    await store.close()
