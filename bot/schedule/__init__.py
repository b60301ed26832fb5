"""Recurring case discussions, the pure part: rules, typed forms, what is due, calendars.

Never imports asyncio, nio, aiosqlite or apscheduler; ``bot/runtime/scheduling.py`` is the
adapter that stores schedules, arms the jobs and talks to the room.
"""

from bot.schedule.due import Marks, Missed, OpenLobby, Plan, Remind, next_wake, plan
from bot.schedule.parsing import Parsed, parse_schedule, schedule_id, subcommand
from bot.schedule.recurrence import Recurrence, ScheduleError, canonical_zone

__all__ = [
    "Marks", "Missed", "OpenLobby", "Parsed", "Plan", "Recurrence", "Remind", "ScheduleError",
    "canonical_zone", "next_wake", "parse_schedule", "plan", "schedule_id", "subcommand",
]
