"""Routing typed commands to their handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable

from bot.commands.parsing import Command, parse
from bot.runtime.engine import reply_tx_id
from bot.messages.render import Rendered, Renderer


@dataclass
class Context:
    """One incoming command, with what handlers need to answer it."""

    room_id: str
    sender: str
    event_id: str
    command: Command
    language: str  # the room's (main) language
    prefix: str
    renderer: Renderer
    send: Callable[[str, dict, str], Awaitable[str]]
    sent: list[str] = field(default_factory=list)
    also: tuple[str, ...] = ()  # a bilingual room's other language

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language of the room, the main one first."""
        return (self.language, *(lang for lang in self.also if lang != self.language))

    @property
    def asked_language(self) -> str:
        """The language of the command's name when it has one, else the room's."""
        return self.command.language or self.language

    async def reply(self, key: str, lang: str | None = None, **params: object) -> str:
        """``key`` in ``lang`` alone when given, else in the room's language(s)."""
        rendered = self.renderer.render_in((lang,) if lang else self.languages, key, prefix=self.prefix, **params)
        return await self.reply_rendered(rendered)

    async def reply_rendered(self, rendered: Rendered) -> str:
        tx_id = reply_tx_id(self.event_id, len(self.sent))
        event_id = await self.send(self.room_id, rendered.content(), tx_id)
        self.sent.append(event_id)
        return event_id


Handler = Callable[[Context], Awaitable[None]]


class Router:
    """Maps command ids to handlers; answers unknown commands with a hint."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.handlers: dict[str, Handler] = {}

    def add(self, command_id: str, handler: Handler) -> None:
        self.handlers[command_id] = handler

    def parse(self, body: str) -> Command | None:
        return parse(body, self.prefix)

    async def dispatch(self, ctx: Context) -> None:
        command = ctx.command
        if not command.known:
            await ctx.reply("unknown_command", command=command.typed[:40])
            return
        handler = self.handlers.get(command.name)
        if handler is None:
            await ctx.reply("not_yet_available", ctx.asked_language, command=command.typed)
            return
        await handler(ctx)
