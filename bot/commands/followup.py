"""Follow-up of action ideas: the next session asks what became of the last one's ideas.

When a lobby opens, :meth:`FollowUp.decorate` (the engine's one hook) adds to its
message the ideas of the room's latest finished game, by level, and those of older
games still "in progress". Anyone answers with ``!follow-up <n°> done | in progress
<note> | dropped`` (every language's words); the facilitator may skip the round
(``!follow-up skip``). The final synthesis gets a section "Follow-up of the action
ideas of the session of …". Only what the synthesis kept is followed: an idea whose
text was erased or purged is not asked about, and a note goes with its game's texts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from bot.commands.history import local_day
from bot.commands.router import Context, Router
from bot.game import GameState
from bot.game import events as ev
from bot.game import followup as fu
from bot.game.params import Term, level_term, params
from bot.game.state import FINISHED, LOBBY
from bot.game.synthesis import md_escape
from bot.messages.markdown import plain, to_html
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Rendered
from bot.runtime.engine import Engine
from bot.store.history import HistoryEntry, HistoryStore


@dataclass(frozen=True)
class Round:
    """What a session follows up: the previous game, its ideas, and older ones carried over."""

    previous: HistoryEntry
    ideas: list[fu.Item]
    carried: list[fu.Item]


def status_term(item: fu.Item) -> Term:
    status = Term(f"between.status.{item.status}")
    return Term("between.status_note", params(status=status, note=item.note)) if item.note else status


class FollowUp:
    """``!follow-up``, the lobby's recall and the synthesis section."""

    def __init__(self, history: HistoryStore, engine: Engine, narrator: Narrator,
                 views: Callable[[str], Awaitable[RoomView]], is_facilitator: Callable[[str, str], bool],
                 clock: Callable[[], float] = time.time):
        self.history = history
        self.engine = engine
        self.narrator = narrator
        self.views = views
        self.is_facilitator = is_facilitator
        self.clock = clock

    def register(self, router: Router) -> None:
        router.add("followup", self._followup)

    # -- what a session follows up ----------------------------------------------------

    async def _state(self, game_id: int) -> GameState | None:
        stored = await self.engine.games.game(game_id)
        return GameState.from_dict(stored.state) if stored and not stored.state.get("purged") else None

    async def round(self, room_id: str, before_game: int | None = None) -> Round | None:
        """The round of the room's next session (or of game ``before_game``'s): None when nothing to follow."""
        entries = [e for e in await self.history.room(room_id) if before_game is None or e.game_id < before_game]
        if not entries:
            return None
        previous = entries[-1]
        reports = await self.history.followups(room_id)
        state = await self._state(previous.game_id)
        ideas = [self._item(fu.Ref(a.seq), a, reports.get((previous.game_id, a.seq)))
                 for a in (state.actions if state else ()) if not a.erased]
        numbers = {e.game_id: e.number for e in entries}
        carried = []
        for (game_id, seq), report in sorted(reports.items()):
            if game_id == previous.game_id or game_id not in numbers:
                continue
            # Still in progress, or settled during this round: this session reports on it.
            if report.status != fu.IN_PROGRESS and report.updated_at <= previous.ended_at:
                continue
            old = await self._state(game_id)
            idea = next((a for a in (old.actions if old else ()) if a.seq == seq and not a.erased), None)
            if idea is not None:
                carried.append(self._item(fu.Ref(seq, numbers[game_id]), idea, report))
        return Round(previous, ideas, carried)

    @staticmethod
    def _item(ref: fu.Ref, action, report) -> fu.Item:
        if report is None:
            return fu.Item(ref, action.level, action.text)
        return fu.Item(ref, action.level, action.text, report.status, report.note)

    async def _skipped(self, room_id: str, previous: HistoryEntry) -> bool:
        return await self.engine.games.store.get_value(f"followup_skipped:{room_id}") == str(previous.game_id)

    # -- the lobby's recall and the synthesis section ------------------------------------

    async def decorate(self, room_id: str, view: RoomView, event, game_id: int | None, state: GameState,
                       messages: list[dict]) -> list[dict]:
        """The engine's hook: the recall joins a new lobby's message, the section a final synthesis."""
        if not messages or messages[0].get("type") != "message":
            return messages
        if isinstance(event, ev.Open) and state.phase == LOBBY:
            round_ = await self.round(room_id)
            if round_ and (round_.ideas or round_.carried) and not await self._skipped(room_id, round_.previous):
                recall = self.narrator.lines(view, tuple(self.recall_lines(round_, view)))
                messages = [_joined(messages[0], recall.body, recall.html), *messages[1:]]
        elif state.phase == FINISHED and game_id is not None and any(m.get("type") == "file" for m in messages):
            section = await self.section(room_id, game_id, view)
            if section:
                body = "\n".join(plain(line) for line in section.splitlines())
                messages = [_joined(messages[0], body, to_html(section))] + [
                    {**m, "text": m["text"].rstrip("\n") + "\n\n" + section} if m.get("type") == "file" else m
                    for m in messages[1:]]
        return messages

    def recall_lines(self, round_: Round, view: RoomView) -> list[tuple[str, tuple]]:
        when = local_day(round_.previous.started_at or round_.previous.ended_at, view.timezone)
        lines: list[tuple[str, tuple]] = [("between.recall_header", params(date=when))]
        for level, items in fu.recall(round_.ideas, round_.carried):
            lines.append(("between.recall_level", params(level=level_term(level))) if level
                         else ("between.recall_carried", ()))
            for item in items:
                if item.status == fu.PENDING:
                    lines.append(("between.recall_item", params(number=str(item.ref), text=item.text)))
                else:
                    lines.append(("between.recall_item_status", params(
                        number=str(item.ref), text=item.text, status=status_term(item))))
        lines.append(("between.recall_footer", ()))
        return lines

    async def section(self, room_id: str, game_id: int, view: RoomView) -> str | None:
        """The synthesis section of game ``game_id`` (Markdown), None when it followed nothing up."""
        round_ = await self.round(room_id, before_game=game_id)
        if round_ is None or not (round_.ideas or round_.carried) or await self._skipped(room_id, round_.previous):
            return None
        lang = view.language
        text = lambda key, **values: self.narrator.catalogue.text(lang, key, prefix=view.prefix, **values)
        when = local_day(round_.previous.started_at or round_.previous.ended_at, view.timezone).words(lang)
        out = ["## " + text("between.synth_followup", date=when), ""]
        for level, items in fu.recall(round_.ideas, round_.carried):
            out += ["### " + (text(f"game.level.{level}") if level else text("between.synth_carried")), ""]
            for item in items:
                line = f"- {item.ref}. {md_escape(' '.join(item.text.split()))} — **{text('between.status.' + item.status)}**"
                if item.note:
                    line += " — _" + md_escape(" ".join(item.note.split())) + "_"
                out.append(line)
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    # -- !follow-up ---------------------------------------------------------------------

    async def _answer(self, ctx: Context, key: str, values: tuple = ()) -> None:
        view = await self.views(ctx.room_id)
        await self.engine.reply(ctx.room_id, self.narrator.message(view, key, values), ctx.event_id)

    async def _followup(self, ctx: Context) -> None:
        parsed = fu.parse(ctx.command.args)
        if isinstance(parsed, str) and parsed != "skip":
            await self._answer(ctx, parsed)
            return
        entries = await self.history.room(ctx.room_id)
        if not entries:
            await self._answer(ctx, "between.followup_nothing")
            return
        if parsed == "skip":
            if not self.is_facilitator(ctx.room_id, ctx.sender):
                await self._answer(ctx, "game.facilitator_only")
                return
            await self.engine.games.store.set_value(f"followup_skipped:{ctx.room_id}", str(entries[-1].game_id))
            await self._answer(ctx, "between.followup_skipped")
            return
        entry = entries[-1] if parsed.ref.game is None else next(
            (e for e in entries if e.number == parsed.ref.game), None)
        state = await self._state(entry.game_id) if entry else None
        idea = next((a for a in (state.actions if state else ()) if a.seq == parsed.ref.seq and not a.erased), None)
        if entry is None or idea is None:
            await self._answer(ctx, "between.followup_unknown", params(number=str(parsed.ref)))
            return
        note = parsed.note[:fu.MAX_NOTE_CHARS]
        active, _ = await self.engine.state(ctx.room_id)
        async with self.engine.lock(ctx.room_id):
            await self.history.set_followup(ctx.room_id, entry.game_id, idea.seq, parsed.status, note or None,
                                            ctx.sender, active, self.clock(), ctx.event_id)
        item = fu.Item(parsed.ref, idea.level, idea.text, parsed.status, note or None)
        await self._answer(ctx, "between.followup_noted", params(number=str(parsed.ref), status=status_term(item)))
        if len(parsed.note) > fu.MAX_NOTE_CHARS:
            await self._answer(ctx, "between.followup_note_cut", params(maximum=fu.MAX_NOTE_CHARS))


def _joined(message: dict, body: str, html: str) -> dict:
    """An outbox message with more text below it (same type, same mentions)."""
    content = dict(message["content"])
    content["body"] = content["body"] + "\n\n" + body
    content["formatted_body"] = content.get("formatted_body", "") + "<br><br>" + html
    return {**message, "content": content}
