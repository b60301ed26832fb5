"""What a trainer's direct chat shows: their rooms, agenda, syntheses and exports.

Every figure is per room (sessions held, players per session, action ideas per level,
ideas done), never about a single person. Dates are in the trainer's own zone (the
view's), the syntheses in each room's language(s) and pseudonym setting, exactly as
the room got them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable

from bot.commands.history import Section, local_day, phrase
from bot.game import GameState
from bot.game.folding import fold
from bot.game.params import Term, count_term, params
from bot.game.state import LEVELS, LOBBY
from bot.messages.narration import Narrator, PerLanguage, RoomView
from bot.runtime.engine import Engine
from bot.schedule.agenda import merge_calendars, upcoming
from bot.schedule.ics import calendar
from bot.schedule.wording import when
from bot.store.history import HistoryEntry, HistoryStore
from bot.store.schedules import ScheduleStore

AGENDA_SESSIONS = 10  # the next sessions listed by !agenda (the .ics has them all)
PLAYERS_SHOWN = 5  # the players of the last sessions, per room


@dataclass(frozen=True)
class RoomInfo:
    """A room where the bot is, as the Matrix side knows it now."""

    room_id: str
    name: str
    members: frozenset[str]


def slug(name: str, room_id: str) -> str:
    """A file-name part for a room: its name folded to ASCII words, else a short hash."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40]
    return words or "room-" + hashlib.sha256(room_id.encode()).hexdigest()[:8]


class Reports:
    """Builds the trainer's answers from the store (no Matrix, no sending)."""

    def __init__(self, history: HistoryStore, schedules: ScheduleStore, engine: Engine, narrator: Narrator,
                 views: Callable[[str], Awaitable[RoomView]], duration_minutes: int, section: Section | None = None):
        self.section = section  # what each final synthesis had below it (the follow-up of action ideas)
        self.history = history
        self.schedules = schedules
        self.engine = engine
        self.narrator = narrator
        self.views = views
        self.duration_minutes = duration_minutes

    def _text(self, lang: str) -> Callable[..., str]:
        return lambda key, **values: self.narrator.catalogue.text(lang, key, **values)

    async def rooms(self, view: RoomView, rooms: list[RoomInfo], now: datetime) -> list[tuple[str, tuple]]:
        lines: list[tuple[str, tuple]] = [("between.rooms_header", params(count=len(rooms)))]
        for number, room in enumerate(rooms, 1):
            room_view = await self.views(room.room_id)
            languages = " + ".join(self.narrator.catalogue.text(lang, "language.name") for lang in room_view.languages)
            lines.append(("between.rooms_line", params(
                number=number, name=room.name, languages=languages,
                game=await self._game(room.room_id), next=await self._next(room.room_id, view.timezone, now))))
            lines.append(("between.rooms_counts", self._counts(await self.history.room(room.room_id))))
        lines.append(("between.rooms_footer", ()))
        return lines

    async def _game(self, room_id: str) -> Term:
        game_id, state = await self.engine.state(room_id)
        if game_id is None:
            return Term("between.rooms_no_game")
        if state.phase == LOBBY:
            return Term("between.rooms_lobby", params(players=len(state.players)))
        return Term("between.rooms_game", params(step=Term(f"game.step.{state.phase}")))

    async def _next(self, room_id: str, zone: str, now: datetime) -> Term | PerLanguage:
        found = upcoming([(s.id, s.rule) for s in await self.schedules.in_room(room_id)], now, 1)
        if not found:
            return Term("between.rooms_no_session")
        moment = found[0][1]
        return phrase(self.narrator.catalogue, "", "between.rooms_next",
                      when=PerLanguage(lambda lang: when(self._text(lang), moment, zone)))

    @staticmethod
    def _counts(entries: list[HistoryEntry]) -> tuple:
        levels = {level: sum(e.levels.get(level, 0) for e in entries) for level in LEVELS}
        players = ", ".join(str(e.players) for e in entries[-PLAYERS_SHOWN:]) or "—"
        return params(sessions=count_term("rooms_sessions", len(entries)), players=players,
                      individual=levels["individual"], team=levels["team"],
                      organisation=levels["organisation"], policy=levels["policy"],
                      done=count_term("history_done", sum(e.done for e in entries)))

    async def agenda(self, view: RoomView, rooms: list[RoomInfo], now: datetime) -> tuple[list, str | None]:
        """The next sessions across the rooms, and one calendar file with all of them (None: no session)."""
        names = {room.room_id: room.name for room in rooms}
        stored = [s for room in rooms for s in await self.schedules.in_room(room.room_id)]
        found = upcoming([((s.room_id, s.id), s.rule) for s in stored], now, AGENDA_SESSIONS)
        if not found:
            return [("between.agenda_none", ())], None
        zone = view.timezone
        lines: list[tuple[str, tuple]] = [("between.agenda_header", params(zone=zone))]
        for (room_id, _), moment in found:
            lines.append(("between.agenda_line", params(
                when=PerLanguage(lambda lang, m=moment: when(self._text(lang), m, zone)), room=names[room_id])))
        lines.append(("between.agenda_file", ()))
        text = self._text(view.language)
        calendars = []
        for s in stored:
            room_hash = hashlib.sha256(s.room_id.encode()).hexdigest()[:16]
            try:
                calendars.append(calendar(
                    s.rule, uid=f"schedule-{s.id}-{room_hash}@reflextics",
                    summary=text("between.agenda_summary", room=names[s.room_id]),
                    description=text("schedule.ics_description", prefix=view.prefix),
                    duration_minutes=self.duration_minutes, stamp=now))
            except ValueError:
                continue  # a schedule with no session left
        return lines, merge_calendars(calendars)

    async def _with_section(self, document: str, room_id: str, game_id: int, view: RoomView) -> str:
        extra = await self.section(room_id, game_id, view) if self.section else None
        return document.rstrip("\n") + "\n\n" + extra if extra else document

    async def _kept(self, room_id: str) -> list[tuple[HistoryEntry, GameState]]:
        """The room's finished games whose texts are still kept, oldest first."""
        out = []
        for entry in await self.history.room(room_id):
            if entry.erased_at is not None:
                continue
            stored = await self.engine.games.game(entry.game_id)
            if stored is not None and not stored.state.get("purged"):
                out.append((entry, GameState.from_dict(stored.state)))
        return out

    async def latest_syntheses(self, view: RoomView, rooms: list[RoomInfo]) -> tuple[list, list[tuple[str, str]]]:
        """One line per room, and the latest kept synthesis of each as a file (text, file name)."""
        lines: list[tuple[str, tuple]] = [("between.syntheses_header", ())]
        files = []
        for room in rooms:
            kept = await self._kept(room.room_id)
            if not kept:
                lines.append(("between.syntheses_none", params(room=room.name)))
                continue
            entry, state = kept[-1]
            room_view = await self.views(room.room_id)
            document = self.engine.synthesis.posts(room_view, state, final=True)[1]
            text = await self._with_section(document["text"], room.room_id, entry.game_id, room_view)
            files.append((text, f"{slug(room.name, room.room_id)}-{document['filename']}"))
            lines.append(("between.syntheses_line", params(
                room=room.name, number=entry.number, date=local_day(entry.started_at, view.timezone))))
        return lines, files

    async def export(self, view: RoomView, room: RoomInfo, now: datetime) -> tuple[str, str, int] | None:
        """Every kept synthesis of the room as one Markdown text, its file name and how many (None: none)."""
        kept = await self._kept(room.room_id)
        if not kept:
            return None
        room_view = await self.views(room.room_id)
        parts = [await self._with_section(self.engine.synthesis.markdown(room_view, state, final=True),
                                          room.room_id, entry.game_id, room_view) for entry, state in kept]
        day = local_day(now, view.timezone).words("en")  # ISO form in a file name
        return "\n---\n\n".join(parts), f"{slug(room.name, room.room_id)}-{day}.md", len(parts)
