"""Ordered schema migrations. Never edit one that has shipped: append a new one.

Statements are split on ";", so comments inside the SQL must not contain one.
"""

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
    Migration(
        2,
        "games, their append-only event log, outgoing messages, custom cards",
        """
        -- One row per game: its current state (JSON of bot.game.state) is the
        -- source of truth, and active = 1 until it is finished or aborted.
        CREATE TABLE games (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            state TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX games_room ON games(room_id, active);
        -- Append-only: every event applied to a game, so it can be replayed.
        CREATE TABLE game_events (
            game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            facilitator INTEGER NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY (game_id, seq)
        );
        -- Effects saved in the same transaction as the state that caused them,
        -- done after the commit and marked done: a crash in between re-runs
        -- them with the same transaction ids, so nothing is lost or sent twice.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            game_id INTEGER REFERENCES games(id) ON DELETE CASCADE,
            room_id TEXT NOT NULL,
            effect TEXT NOT NULL,
            tx_id TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX outbox_pending ON outbox(done, id);
        -- Cards a facilitator added from the chat, per room.
        CREATE TABLE custom_cards (
            room_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            language TEXT NOT NULL,
            card TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (room_id, card_id)
        );
        """,
    ),
    Migration(
        3,
        "recurring case discussions: schedules and their outbox",
        """
        -- A schedule's rule as typed: weekdays (ISO, 1 = Monday), the local wall
        -- time and the IANA zone, local start and end dates. Occurrences are
        -- computed in that zone, so they keep their local time across DST.
        -- handled_until and reminded_until are aware ISO instants: every
        -- occurrence and reminder up to them is done.
        CREATE TABLE schedules (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            created_by TEXT NOT NULL,
            weekdays TEXT NOT NULL,
            local_time TEXT NOT NULL,
            timezone TEXT NOT NULL,
            start_date TEXT NOT NULL,
            interval_weeks INTEGER NOT NULL DEFAULT 1,
            until_date TEXT,
            occurrences INTEGER,
            theme TEXT,
            created_at TEXT NOT NULL,
            handled_until TEXT NOT NULL,
            reminded_until TEXT NOT NULL,
            cancelled INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX schedules_room ON schedules(room_id, cancelled);
        -- What a schedule still has to do, written with its marks in one
        -- transaction and removed once done (same transaction id on a retry).
        CREATE TABLE schedule_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
            room_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            tx_id TEXT NOT NULL
        );
        """,
    ),
    Migration(
        4,
        "retention: when a game ended and whether its texts were purged; pseudonymous rooms",
        """
        ALTER TABLE games ADD COLUMN ended_at REAL;
        ALTER TABLE games ADD COLUMN purged INTEGER NOT NULL DEFAULT 0;
        UPDATE games SET ended_at = updated_at WHERE active = 0;
        CREATE INDEX games_ended ON games(purged, ended_at);
        ALTER TABLE room_settings ADD COLUMN pseudonymous INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    Migration(
        5,
        "a room's languages: one, or two for a bilingual room",
        """
        -- Comma-separated language codes, the main one first ("fr" or "fr,ro").
        -- language keeps the main one.
        ALTER TABLE room_settings ADD COLUMN languages TEXT;
        UPDATE room_settings SET languages = language WHERE language IS NOT NULL;
        """,
    ),
    Migration(
        6,
        "week games opened by a schedule: the game's length",
        """
        -- 0: the schedule opens a live game, else a week game of that many seconds.
        ALTER TABLE schedules ADD COLUMN week_seconds INTEGER NOT NULL DEFAULT 0;
        """,
    ),
    Migration(
        7,
        "who was told why their unsigned device is not read (rooms.only_cross_signed_senders)",
        """
        -- One row per room and person told, so a restart does not tell them again.
        -- !forget-me deletes the person's rows.
        CREATE TABLE unsigned_told (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            told_at REAL NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
        """,
    ),
    Migration(
        8,
        "the bot's synthesis messages and file of each ended game, to redact and post again after a deletion",
        """
        -- Event ids only: the synthesis text itself is in the game's state.
        CREATE TABLE synthesis_posts (
            game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
            event_id TEXT NOT NULL,
            PRIMARY KEY (game_id, event_id)
        );
        """,
    ),
    Migration(
        9,
        "between sessions: a room's game history, action ideas followed up, trainers' zones and direct chats",
        """
        -- One row per finished game, written with its last step: what !history lists and
        -- card rotation reads. Only dates, a card id and counts (no text, no Matrix id), so
        -- it outlives the purge of the game's texts (erased_at says when that happened).
        CREATE TABLE room_history (
            game_id INTEGER PRIMARY KEY,
            room_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            card_id TEXT,
            theme TEXT,
            started_at TEXT,
            ended_at REAL NOT NULL,
            players INTEGER NOT NULL,
            levels TEXT NOT NULL,
            erased_at REAL,
            UNIQUE (room_id, number)
        );
        -- What became of a finished game's action idea (seq: its number in that game).
        -- The note, its author and its message (note_ref: deleting it deletes the note)
        -- go with the game's texts (retention, purge, forget-me), the status stays.
        CREATE TABLE action_followups (
            game_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            room_id TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT,
            noted_by TEXT,
            note_ref TEXT,
            reported_in INTEGER,
            updated_at REAL NOT NULL,
            PRIMARY KEY (game_id, seq)
        );
        CREATE INDEX action_followups_room ON action_followups(room_id);
        -- The games finished before this version join the history (a purged one without its card).
        INSERT INTO room_history(game_id, room_id, number, card_id, theme, started_at, ended_at, players, levels,
                                 erased_at)
        SELECT id, room_id, ROW_NUMBER() OVER (PARTITION BY room_id ORDER BY id),
               json_extract(state, '$.card_id'), json_extract(state, '$.theme'),
               COALESCE(json_extract(state, '$.started'), json_extract(state, '$.created')),
               COALESCE(ended_at, updated_at),
               CASE WHEN purged THEN COALESCE(json_extract(state, '$.players'), 0)
                    ELSE json_array_length(COALESCE(json_extract(state, '$.participants'), '[]')) END,
               CASE WHEN purged THEN '{}' ELSE COALESCE((SELECT json_group_object(level, n) FROM (
                   SELECT json_extract(value, '$.level') AS level, COUNT(*) AS n
                   FROM json_each(games.state, '$.actions') GROUP BY level)), '{}') END,
               CASE WHEN purged THEN COALESCE(ended_at, updated_at) END
        FROM games WHERE active = 0 AND json_extract(state, '$.phase') = 'finished';
        -- A trainer's own time zone for their direct chat with the bot (!timezone).
        CREATE TABLE trainer_settings (
            user_id TEXT PRIMARY KEY,
            timezone TEXT
        );
        -- Rooms the bot joined on a direct-chat invite (is_direct), and with whom:
        -- there the bot is a trainer's private dashboard, never a game table.
        CREATE TABLE direct_rooms (
            room_id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL
        );
        """,
    ),
]
