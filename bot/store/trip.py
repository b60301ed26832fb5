"""One transaction in one trip to aiosqlite's thread.

Every ``await conn.execute(...)`` hands a call to aiosqlite's thread and wakes the
event loop when it is done: about 70–100 µs of CPU for the hand-off, where the
statement itself costs under 10 µs (``benchmarks/engine_cost.py``). A game step
made five such trips for one transaction. Here the whole transaction is one plain
function of the ``sqlite3`` connection, run in aiosqlite's own thread (the only
thread that may use that connection), committed there, or rolled back if it raises:
one hand-off, the same all-or-nothing as :meth:`Store.transaction`.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable, TypeVar

T = TypeVar("T")


async def in_one_trip(store: Any, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run ``work(connection)`` and commit it, in one trip; under the store's write lock.

    ``store``: the :class:`bot.store.db.Store` (not imported: db.py uses this module).

    ``work`` must not touch the event loop (it runs in another thread) and should
    only run statements: everything computed from Python objects is prepared before.
    """
    conn = store.conn
    # The lock Store.transaction holds: one transaction at a time on the one connection.
    async with store._write:  # noqa: SLF001 (the store's own lock, shared on purpose)
        return await conn._execute(_committed, conn._conn, work)  # noqa: SLF001 (aiosqlite's one-trip call)


def _committed(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    try:
        result = work(connection)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()
    return result
