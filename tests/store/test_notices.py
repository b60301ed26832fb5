"""The unsigned-device explanation is remembered in the store: once per room and person, restarts included."""

from __future__ import annotations

from bot.store import Store
from bot.store.games import GameStore
from bot.store.notices import UnsignedNotices


async def test_told_once_per_room_and_person_across_a_restart(tmp_path):
    path = tmp_path / "bot.db"
    store = await Store.open(path)
    notices = UnsignedNotices(store)
    assert await notices.first_time("!a:x", "@u:x")
    assert not await notices.first_time("!a:x", "@u:x")
    assert await notices.first_time("!b:x", "@u:x")  # another room: told there too
    assert await notices.first_time("!a:x", "@v:x")
    await store.close()

    store = await Store.open(path)  # a restart
    notices = UnsignedNotices(store)
    assert not await notices.first_time("!a:x", "@u:x")
    assert not await notices.first_time("!b:x", "@u:x")
    await store.close()


async def test_forget_me_removes_the_persons_rows_in_that_room(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    notices = UnsignedNotices(store)
    await notices.first_time("!a:x", "@u:x")
    await notices.first_time("!b:x", "@u:x")
    await GameStore(store).rename_in_room("!a:x", "@u:x", lambda u: "[erased 1]", lambda v: v)
    rows = await (await store.conn.execute("SELECT room_id, user_id FROM unsigned_told")).fetchall()
    assert [tuple(r) for r in rows] == [("!b:x", "@u:x")]
    await store.close()
