"""Ordered schema migrations. Never edit one that has shipped: append a new one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One schema step: ``version`` is its position, ``sql`` runs in one transaction."""

    version: int
    description: str
    sql: str


MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "sync state, processed events and undecryptable events",
        """
        CREATE TABLE kv (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        -- Ids of Matrix events already handled, so a replayed sync never handles
        -- one twice. Only ids and times: no content.
        CREATE TABLE processed_events (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            processed_at REAL NOT NULL
        );
        CREATE INDEX processed_events_room ON processed_events(room_id, processed_at);
        -- Megolm events that arrived before their room key: the ciphertext is kept
        -- until the key arrives, so no player's message is silently dropped.
        CREATE TABLE pending_events (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            session_id TEXT NOT NULL,
            source TEXT NOT NULL,
            received_at REAL NOT NULL
        );
        CREATE TABLE room_settings (
            room_id TEXT PRIMARY KEY,
            language TEXT
        );
        """,
    ),
]
