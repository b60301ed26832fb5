"""Reading rows in one trip to aiosqlite's database thread."""

from __future__ import annotations

import sqlite3

import aiosqlite


async def fetch_one(conn: aiosqlite.Connection, sql: str, params=()) -> sqlite3.Row | None:
    """The first row of a query, in one trip to the database thread (not three)."""
    rows = await conn.execute_fetchall(sql, params)
    return rows[0] if rows else None


async def fetch_all(conn: aiosqlite.Connection, sql: str, params=()) -> list[sqlite3.Row]:
    """Every row of a query, in one trip to the database thread."""
    return list(await conn.execute_fetchall(sql, params))
