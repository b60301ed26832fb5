"""Room settings: a room's languages and whether it plays under pseudonyms.

Part of ``Store`` (``db.py``), which gives the connection and transactions.
"""

from __future__ import annotations

from bot.store.rows import fetch_one


class RoomSettings:
    def __init__(self) -> None:
        super().__init__()
        # Room settings change only through the setters below: read each room once.
        self._settings: dict[str, tuple[str | None, bool]] = {}

    async def _room_settings(self, room_id: str) -> tuple[tuple[str, ...] | None, bool]:
        settings = self._settings.get(room_id)
        if settings is None:
            row = await fetch_one(self.conn, "SELECT languages, pseudonymous FROM room_settings WHERE room_id = ?",
                                  (room_id,))
            languages = tuple(row[0].split(",")) if row and row[0] else None
            settings = (languages, bool(row[1])) if row else (None, False)
            self._settings[room_id] = settings
        return settings

    async def room_settings(self, room_id: str) -> tuple[str | None, bool]:
        """(main language or None, pseudonymous) of a room; read once, then kept in memory."""
        languages, pseudonymous = await self._room_settings(room_id)
        return (languages[0] if languages else None), pseudonymous

    async def room_languages(self, room_id: str) -> tuple[str, ...] | None:
        """The room's languages, the main one first, or None when never set."""
        return (await self._room_settings(room_id))[0]

    async def room_language(self, room_id: str) -> str | None:
        languages = await self.room_languages(room_id)
        return languages[0] if languages else None

    async def set_room_languages(self, room_id: str, languages: tuple[str, ...] | list[str]) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO room_settings(room_id, language, languages) VALUES(?, ?, ?) "
                "ON CONFLICT(room_id) DO UPDATE SET language = excluded.language, languages = excluded.languages",
                (room_id, languages[0], ",".join(languages)),
            )
        self._settings.pop(room_id, None)

    async def set_room_language(self, room_id: str, language: str) -> None:
        await self.set_room_languages(room_id, (language,))

    async def room_pseudonymous(self, room_id: str) -> bool:
        return (await self._room_settings(room_id))[1]

    async def set_room_pseudonymous(self, room_id: str, on: bool) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO room_settings(room_id, pseudonymous) VALUES(?, ?) "
                "ON CONFLICT(room_id) DO UPDATE SET pseudonymous = excluded.pseudonymous",
                (room_id, int(on)),
            )
        self._settings.pop(room_id, None)
