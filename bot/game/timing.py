"""The clock: deadlines, the timers they imply, pause, resume and extend.

Timers are derived from the state (:func:`plan`), never kept apart from it, so the
engine can rebuild its scheduler from a stored state alone. ``seq`` is bumped each
time a step or turn starts and on pause/resume/extend: a timer from an older plan
then carries an old ``seq`` and the rules ignore it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.game.context import Ctx, IllegalMove
from bot.game.effects import ArmTimer, CancelTimers, Say
from bot.game.params import UserRef, duration, params, step_term
from bot.game.settings import Settings
from bot.game.state import ROUND, TIMED, GameState, Paused

# A timer may go off a little before its time (scheduler and clock jitter).
EARLY_TOLERANCE = timedelta(seconds=1)
# A step or turn timer running longer than ``Settings.late_seconds`` (a minute) after
# its deadline was missed (the bot was down): the room is told so before the game
# moves on. Under load timers run late by a second or two, never by a minute.


def plan(state: GameState) -> tuple[ArmTimer, ...]:
    """The timers ``state`` needs now (none while paused or outside a timed phase)."""
    if state.paused is not None or state.phase not in TIMED:
        return ()
    slots = (("step", state.deadline), ("turn", state.turn_deadline),
             ("reminder", state.reminder_at), ("silence", state.silence_at))
    if state.week is not None:
        slots += (("nudge", state.week.nudge_at), ("progress", state.week.progress_at))
    return tuple(ArmTimer(kind, at, state.seq) for kind, at in slots if at is not None)


def planned_at(state: GameState, kind: str, seq: int) -> datetime | None:
    """When the timer ``kind`` of ``seq`` is due, or None if it is not (or no longer) planned."""
    for timer in plan(state):
        if timer.kind == kind and timer.seq == seq:
            return timer.at
    return None


def timer_effects(old: GameState, new: GameState, fired: tuple[str, int] | None = None) -> tuple:
    """Effects turning ``old``'s timers into ``new``'s, knowing the ``fired`` one is gone."""
    before = {t for t in plan(old) if fired is None or (t.kind, t.seq) != fired}
    after = plan(new)
    if before - set(after):
        return (CancelTimers(),) + after
    return tuple(t for t in after if t not in before)


def reminder_time(now: datetime, deadline: datetime, settings: Settings) -> datetime | None:
    """When to remind before ``deadline``; None if there is no time for a reminder."""
    if settings.reminder_seconds <= 0:
        return None
    at = deadline - timedelta(seconds=settings.reminder_seconds)
    return at if at > now else None


def timed(state: GameState, now: datetime, seconds: int, settings: Settings, *, turn: bool = False) -> GameState:
    """``state`` with a fresh clock of ``seconds`` for a new step (or turn), and a new seq."""
    end = now + timedelta(seconds=seconds)
    paused = state.paused
    if paused is not None:
        # A step that starts during a pause starts paused, with its full time left.
        paused = Paused(now, float(seconds))
    return replace(
        state,
        deadline=None if turn else end,
        turn_deadline=end if turn else None,
        reminder_at=reminder_time(now, end, settings),
        silence_at=None,
        paused=paused,
        seq=state.seq + 1,
    )


def untimed(state: GameState) -> GameState:
    """``state`` with no clock at all (lobby, finished, aborted)."""
    return replace(state, deadline=None, turn_deadline=None, reminder_at=None, silence_at=None,
                   paused=None, seq=state.seq + 1)


def active_deadline(state: GameState) -> datetime | None:
    return state.turn_deadline if state.phase == ROUND else state.deadline


def seconds_left(state: GameState, now: datetime) -> float | None:
    """Seconds left on the step or turn (frozen while paused); None when time is up."""
    if state.paused is not None:
        return state.paused.remaining
    end = active_deadline(state)
    return None if end is None else max(0.0, (end - now).total_seconds())


def pause(state: GameState, event, ctx: Ctx):
    if state.paused is not None:
        raise IllegalMove("game.already_paused")
    remaining = seconds_left(state, ctx.now)
    new = replace(state, paused=Paused(ctx.now, remaining), seq=state.seq + 1)
    return new, [Say("game.paused")]


def resume(state: GameState, event, ctx: Ctx):
    if state.paused is None:
        raise IllegalMove("game.not_paused")
    delta = ctx.now - state.paused.at

    def shift(t: datetime | None) -> datetime | None:
        return None if t is None else t + delta

    new = replace(
        state,
        deadline=shift(state.deadline),
        turn_deadline=shift(state.turn_deadline),
        reminder_at=shift(state.reminder_at),
        silence_at=shift(state.silence_at),
        last_activity=shift(state.last_activity),
        paused=None,
        seq=state.seq + 1,
    )
    left = seconds_left(new, ctx.now)
    if left is None:
        return new, [Say("game.resumed_no_clock")]
    return new, [Say("game.resumed", params(time=duration(left)))]


def extend(state: GameState, event, ctx: Ctx):
    if not 1 <= event.minutes <= 60:
        raise IllegalMove("game.extend_range", minimum=1, maximum=60)
    # While paused, the clock stands at the moment of the pause.
    now = state.paused.at if state.paused is not None else ctx.now
    current = active_deadline(state)
    end = (current or now) + timedelta(minutes=event.minutes)
    slot = "turn_deadline" if state.phase == ROUND else "deadline"
    new = replace(state, **{slot: end}, reminder_at=reminder_time(now, end, ctx.settings), seq=state.seq + 1)
    if state.paused is not None:
        new = replace(new, paused=Paused(state.paused.at, (end - now).total_seconds()))
    left = (end - now).total_seconds()
    return new, [Say("game.extended", params(count=event.minutes, time=duration(left)))]


def late_word(state: GameState, late: timedelta) -> Say:
    """What the room is told when a deadline passed while the bot was down."""
    if state.phase == ROUND and state.speaker:
        return Say("game.late_turn", params(speaker=UserRef(state.speaker), late=duration(late.total_seconds())))
    return Say("game.late_step", params(step=step_term(state.phase), late=duration(late.total_seconds())))


def remind(state: GameState, ctx: Ctx):
    """The reminder timer: say how long is left on the turn or the step."""
    end = active_deadline(state)
    new = replace(state, reminder_at=None)
    if end is None or end <= ctx.now:
        return new, []  # missed while the bot was down: the deadline's own timer speaks
    left = duration((end - ctx.now).total_seconds())
    if state.phase == ROUND and state.speaker:
        return new, [Say("game.turn_reminder", params(speaker=UserRef(state.speaker), time=left))]
    return new, [Say("game.step_reminder", params(step=step_term(state.phase), time=left))]


def time_up(state: GameState, ctx: Ctx):
    """Time ran out and auto-advance is off: tell the facilitator and stop the clock."""
    new = replace(state, deadline=None, turn_deadline=None, reminder_at=None)
    if state.phase == ROUND and state.speaker:
        msg = Say("game.turn_time_up", params(speaker=UserRef(state.speaker),
                                              facilitator=UserRef(state.facilitator)))
    else:
        msg = Say("game.step_time_up", params(step=step_term(state.phase),
                                              facilitator=UserRef(state.facilitator)))
    return new, [msg]
