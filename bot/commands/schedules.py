"""``!planifier`` / ``!schedule``: add, list, cancel a schedule, or get its calendar file.

What the trainer typed is read by the pure :mod:`bot.schedule.parsing`; answers go
through the engine's ``reply`` (under the room's lock, with the command's
transaction id); only facilitators add or cancel.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from bot.commands.router import Context
from bot.commands.week import BAD_LENGTH, split_schedule_week
from bot.game.params import Term
from bot.runtime.engine import reply_tx_id
from bot.schedule import ScheduleError, parse_schedule, schedule_id, subcommand, wording
from bot.schedule.ics import calendar

if TYPE_CHECKING:
    from bot.runtime.scheduling import Scheduling

NEXT_DATES = 3


class ScheduleCommands:
    """Handles one command id, ``schedule``, and its sub-commands."""

    def __init__(self, scheduling: "Scheduling"):
        self.s = scheduling

    async def handle(self, ctx: Context) -> None:
        action, rest = subcommand(ctx.command.args)
        handler = {"help": self._help, "list": self._list, "cancel": self._cancel, "ics": self._ics,
                   "add": self._add}[action]
        await handler(ctx, rest)

    # -- helpers ----------------------------------------------------------------------

    async def _answer(self, ctx: Context, key: str, **params) -> None:
        view = await self.s.views(ctx.room_id)
        await self.s.engine.reply(ctx.room_id, self.s.narrator.message(view, key, tuple(params.items())),
                                  ctx.event_id)

    async def _answer_error(self, ctx: Context, error: ScheduleError) -> None:
        """The error, then the right form to type."""
        view = await self.s.views(ctx.room_id)
        n = self.s.narrator
        parts = [n.message(view, error.key, tuple(error.params.items())), n.message(view, "schedule.form")]
        await self.s.engine.reply(ctx.room_id, n.renderer.join(parts, "\n"), ctx.event_id)

    def _theme_title(self, view, theme: str | None, lang: str | None = None) -> str | None:
        return view.library.theme_title(theme, lang or view.language) if theme else None

    async def _own(self, ctx: Context, rest: str, usage: str):
        """The room's schedule whose number is in ``rest``; None after answering."""
        number = schedule_id(rest)
        if number is None:
            await self._answer(ctx, usage)
            return None
        stored = await self.s.schedules.get(number)
        if stored is None or stored.room_id != ctx.room_id:
            await self._answer(ctx, "schedule.unknown_id", id=number)
            return None
        return stored

    # -- sub-commands ---------------------------------------------------------------------

    async def _help(self, ctx: Context, rest: str) -> None:
        await self._answer(ctx, "schedule.usage", zone=self.s.config.default_timezone)

    async def _add(self, ctx: Context, rest: str) -> None:
        if not self.s.is_facilitator(ctx.room_id, ctx.sender):
            await self._answer(ctx, "schedule.facilitator_only")
            return
        view = await self.s.views(ctx.room_id)
        now = self.s.clock()
        week_seconds = 0
        if self.s.week_rooms is not None:  # "… semaine [5j]": each session opens a week game
            rest, asked = split_schedule_week(rest)
            if asked == BAD_LENGTH:
                await self._answer(ctx, "week.bad_length")
                return
            week_seconds = 0 if asked is None else asked or self.s.week_rooms.length
        try:
            parsed = parse_schedule(rest, now, self.s.config.default_timezone, ctx.asked_language)
            theme = None
            if parsed.theme is not None:
                found = view.library.resolve(parsed.theme, view.language)
                if found is None or found[0] != "theme":
                    raise ScheduleError("schedule.error.unknown_theme", theme=parsed.theme[:60])
                theme = found[1]
        except ScheduleError as error:
            await self._answer_error(ctx, error)
            return
        rule = parsed.recurrence
        new_id = await self.s.schedules.add(ctx.room_id, ctx.sender, rule, theme, now, week_seconds)
        upcoming = rule.next(now, NEXT_DATES)
        dates = self.s.worded(lambda lang, text: "\n".join(
            text("schedule.date_line", date=wording.when(text, o, rule.zone)) for o in upcoming))
        n = self.s.narrator
        parts = [n.message(view, "schedule.added", (("id", new_id), ("dates", dates), ("rule", self.s.worded(
            lambda lang, text: wording.rule(text, rule, self._theme_title(view, theme, lang))))))]
        odd = rule.next_odd(now)
        if odd is not None:  # a typed time that does not exist, or comes twice, on some day
            note = self.s.worded(lambda lang, text: wording.odd_time(text, rule, *odd))
            parts.append(n.message(view, "schedule.odd_line", (("note", note),)))
        if week_seconds:
            parts.append(n.message(view, "week.scheduled", (("length", _length_words(week_seconds)),)))
        await self.s.engine.reply(ctx.room_id, n.renderer.join(parts, "\n"), ctx.event_id)
        stored = await self.s.schedules.get(new_id)
        if stored is not None:
            self.s.arm(new_id, self.s.next_wake(stored))

    async def _list(self, ctx: Context, rest: str) -> None:
        view = await self.s.views(ctx.room_id)
        stored = await self.s.schedules.in_room(ctx.room_id)
        if not stored:
            await self._answer(ctx, "schedule.list_empty")
            return
        now = self.s.clock()
        lines: list[tuple[str, tuple]] = [("schedule.list_header", ())]
        for item in stored:
            rule = self.s.worded(lambda lang, text, item=item: wording.rule(
                text, item.rule, self._theme_title(view, item.theme, lang)))
            upcoming = item.rule.next(now)
            if upcoming:
                when = self.s.worded(lambda lang, text, item=item, first=upcoming[0]: wording.when(
                    text, first, item.rule.zone))
                lines.append(("schedule.list_line", (("id", item.id), ("rule", rule), ("next", when))))
            else:
                lines.append(("schedule.list_line_over", (("id", item.id), ("rule", rule))))
            odd = item.rule.next_odd(now)
            if odd is not None:
                note = self.s.worded(lambda lang, text, item=item, odd=odd: wording.odd_time(text, item.rule, *odd))
                lines.append(("schedule.odd_line", (("note", note),)))
        await self.s.engine.reply(ctx.room_id, self.s.narrator.lines(view, tuple(lines)), ctx.event_id)

    async def _cancel(self, ctx: Context, rest: str) -> None:
        if not self.s.is_facilitator(ctx.room_id, ctx.sender):
            await self._answer(ctx, "schedule.facilitator_only")
            return
        stored = await self._own(ctx, rest, "schedule.cancel_usage")
        if stored is None:
            return
        await self.s.cancel(stored.id, ctx.room_id)
        await self._answer(ctx, "schedule.cancelled", id=stored.id)

    async def _ics(self, ctx: Context, rest: str) -> None:
        stored = await self._own(ctx, rest, "schedule.ics_usage")
        if stored is None:
            return
        view = await self.s.views(ctx.room_id)
        text = self.s.text(view)
        title = self._theme_title(view, stored.theme)
        summary = text("schedule.ics_summary_theme", theme=title) if title else text("schedule.ics_summary")
        room_hash = hashlib.sha256(ctx.room_id.encode()).hexdigest()[:16]
        data = calendar(stored.rule, uid=f"schedule-{stored.id}-{room_hash}@reflextics", summary=summary,
                        description=text("schedule.ics_description", prefix=ctx.prefix),
                        duration_minutes=self.s.config.duration_minutes, stamp=self.s.clock())
        await self.s.outgoing.send_file(ctx.room_id, data.encode("utf-8"), f"reflextics-{stored.id}.ics",
                                        "text/calendar", reply_tx_id(ctx.event_id, 0))


def _length_words(seconds: int) -> Term:
    """A week game's length as a catalogue term: whole days, else hours, else minutes."""
    if seconds % 86400 == 0:
        return Term("week.length_days", (("count", seconds // 86400),))
    if seconds % 3600 == 0:
        return Term("week.length_hours", (("count", seconds // 3600),))
    return Term("week.length_minutes", (("count", max(1, seconds // 60)),))
