"""The bot: wires the config, the store, the Matrix transport and the router."""

from __future__ import annotations

import asyncio
import os
import logging

from nio import MatrixRoom, RedactionEvent, RoomMessageText, UnknownEvent
from nio.events import Event

from bot.config import Config
from bot.decks import Library, card_from_dict, load_library
from bot.runtime.engine import Engine, Outgoing
from bot.messages.catalogue import Catalogue
from bot.matrix import MatrixTransport, poll_answer, read_message
from bot.messages.narration import Narrator, RoomView
from bot.game import UserRef
from bot.commands.languages import LanguageCommands
from bot.commands.play import GamePlay
from bot.commands.privacy import Privacy, Throttle
from bot.messages.render import Renderer
from bot.commands.router import Context, Router
from bot.commands.schedules import ScheduleCommands
from bot.commands.week import WeekCommands, WeekRooms, help_message
from bot.runtime.engine import reply_tx_id
from bot.runtime.scheduling import Scheduling
from bot.store import Store
from bot.store.games import GameStore
from bot.store.history import HistoryStore
from bot.commands.history import HistoryCommands
from bot.app.direct import DirectChats
from bot.commands.followup import FollowUp
from bot.store.integrity import DATABASE_NAME
from bot.store.notices import UnsignedNotices
from bot.store.schedules import ScheduleStore

log = logging.getLogger(__name__)


class Bot:
    """One bot process: one account, many rooms."""

    def __init__(self, config: Config, store: Store, catalogue: Catalogue | None = None):
        self.config = config
        self.store = store
        self.catalogue = catalogue or Catalogue.load(default_language=config.rooms.default_language)
        self.renderer = Renderer(self.catalogue)
        self.transport = MatrixTransport(config.matrix, config.data_dir, store)
        self.transport.refused_notice = self._refused_notice
        self.router = Router(config.prefix)
        self.router.add("help", self._help)
        self._run_task: asyncio.Task | None = None
        library, problems = load_library(config.deck_dirs)
        for problem in problems:
            log.warning("Skipped deck %s: %s", problem.file, problem.message)
        self.narrator = Narrator(self.catalogue, library)
        self.engine = Engine(
            GameStore(store), self.narrator, config.game,
            Outgoing(self.transport.send, self.transport.send_file,
                     lambda room_id, event_type, content, tx_id: self.transport.send(room_id, content, tx_id,
                                                                                      event_type),
                     self.transport.redact, self.transport.send_parts),
            self.room_view,
        )
        self._libraries: dict[str, Library] = {}  # per room, with its own cards
        week_rooms = WeekRooms.from_config(store, config)
        self.history = HistoryStore(store)
        self.play = GamePlay(self.engine, self.narrator, self.room_view, self.is_facilitator, skipped=tuple(problems),
                             cards_changed=lambda room_id: self._libraries.pop(room_id, None), week_rooms=week_rooms,
                             played=self.history.played_cards)
        self.play.register(self.router)
        WeekCommands(week_rooms, self.engine, self.narrator, self.room_view, self.is_facilitator).register(self.router)
        LanguageCommands(self.engine, self.narrator, self.room_view, self.is_facilitator,
                         self.store.set_room_languages).register(self.router)
        self.scheduling = Scheduling(
            ScheduleStore(store), self.engine, self.room_view, self.is_facilitator,
            Outgoing(self.transport.send, self.transport.send_file), config.schedule,
            members=lambda room_id: set(self.transport.client.rooms[room_id].users)
            if self.transport.client and room_id in self.transport.client.rooms else None,
            week_rooms=week_rooms,
        )
        self.router.add("schedule", ScheduleCommands(self.scheduling).handle)
        self.privacy = Privacy(config.privacy, store, self.engine, self.narrator, self.room_view, self.is_facilitator)
        self.privacy.register(self.router)
        self.privacy.forget_hooks.append(self.history.forget)
        followup = FollowUp(self.history, self.engine, self.narrator, self.room_view, self.is_facilitator)
        followup.register(self.router)
        self.engine.decorate = followup.decorate
        HistoryCommands(self.history, self.engine, self.narrator, self.room_view,
                        followup.section).register(self.router)
        self.direct = DirectChats(self, self.history, followup.section)
        self.throttle = Throttle(config.privacy.commands_per_minute)
        # (room, user) told why they are not read: in the store, so a restart does not repeat it.
        self._unsigned_notices = UnsignedNotices(store)

    @classmethod
    async def create(cls, config: Config) -> "Bot":
        store = await Store.open(config.data_dir / DATABASE_NAME)
        return cls(config, store)

    # -- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Log in and start syncing in the background."""
        await self.transport.connect()
        # nio creates its crypto store with the process umask: it holds the keys
        # that decrypt the rooms, so only the bot's user may read it.
        for path in self.transport.files.crypto_dir.iterdir():
            os.chmod(path, 0o600)
        self._run_task = asyncio.create_task(self.transport.run(self), name="matrix-sync")

    def starting(self) -> bool:
        """Still logging in (the sync loop has not started)."""
        return self._run_task is None

    async def wait_ready(self, timeout: float = 60) -> None:
        ready = asyncio.create_task(self.transport.ready.wait())
        done, _ = await asyncio.wait({ready, self._run_task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if self._run_task in done:
            ready.cancel()
            self._run_task.result()  # raise the sync loop's error
        if ready not in done:
            ready.cancel()
            raise TimeoutError("the bot did not finish its first sync in time")

    async def run_forever(self) -> None:
        await self.start()
        assert self._run_task is not None
        await self._run_task

    async def stop(self) -> None:
        self.scheduling.stop()
        self.privacy.stop()
        self.engine.stop()
        # Events being handled finish first (answer sent, event marked handled);
        # a sync request in flight is simply dropped.
        await self.transport.finish()
        if self._run_task is not None:
            self._run_task.cancel()
            try:
                await self._run_task
            except (asyncio.CancelledError, Exception):
                pass
        await self.transport.close()
        await self.store.close()

    # -- transport callbacks -------------------------------------------------------

    async def before_catch_up(self) -> None:
        await self.engine.send_leftovers()

    async def on_ready(self) -> None:
        # Timers and leftover messages need the rooms that the first sync fills.
        await self.engine.start()
        await self.scheduling.start()
        self.privacy.start()
        log.info("First sync done; the bot is ready")

    async def on_invite(self, room_id: str, inviter: str) -> None:
        direct = self.transport.direct_invites.pop(room_id, None) == inviter
        if self.config.access.may_invite(inviter):
            log.info("Accepting an invite to %s%s", room_id, " (a direct chat)" if direct else "")
            if direct:
                await self.direct.opened(room_id, inviter)
            await self.transport.join(room_id)
        else:
            log.info("Rejecting an invite to %s from a user who is not allowed", room_id)
            await self.transport.leave(room_id)

    async def on_joined(self, room: MatrixRoom) -> None:
        if room.encrypted or not self.config.rooms.require_encryption:
            log.info("Joined %s (encrypted: %s)", room.room_id, room.encrypted)
            return
        log.info("Leaving unencrypted room %s", room.room_id)
        rendered = self.renderer.render_in(await self.room_languages(room.room_id), "unencrypted_room")
        await self.transport.send(room.room_id, rendered.content(), reply_tx_id(f"unencrypted:{room.room_id}", 0))
        await self.transport.leave(room.room_id)

    async def on_event(self, room: MatrixRoom, event: Event) -> None:
        if await self.direct.handle(room, event):
            return  # a trainer's direct chat: never a game table
        if isinstance(event, RedactionEvent):
            # Never encrypted, and the homeserver lets only the author or a moderator
            # redact: whatever the bot kept of that message goes.
            await self.play.redacted(room.room_id, event.sender, event.redacts, event.event_id)
            await self.history.redact_note(room.room_id, event.redacts)
            return
        if isinstance(event, UnknownEvent):
            await self._poll_answer(room, event)
            return
        if not isinstance(event, RoomMessageText):
            return
        if room.encrypted and not getattr(event, "decrypted", False):
            # A plaintext event can still appear in an encrypted room: anyone
            # could have forged it past the room's protection, so it is ignored.
            log.debug("Ignoring a plaintext message in encrypted room %s", room.room_id)
            return
        if not room.encrypted and self.config.rooms.require_encryption:
            return
        if self.config.rooms.only_cross_signed_senders and not await self._cross_signed(room, event):
            return
        message = read_message(event.source.get("content") or {})
        if message.replaces is not None:
            # An edit: it changes a turn's text, and is never a new command or message.
            if self.router.parse(message.text) is None:
                await self.play.edited(room.room_id, event.sender, message.replaces, message.text, event.event_id)
            return
        command = self.router.parse(message.text)
        if command is None:
            await self.play.say(room.room_id, event.sender, event.event_id, message.text, message.in_thread)
            return
        verdict = self.throttle.check(event.sender)
        if verdict != "ok":
            # One user's flood costs the other rooms nothing: no work, one warning.
            log.info("Throttling commands of a user in %s", room.room_id)
            if verdict == "warn":
                view = await self.room_view(room.room_id)
                rendered = self.narrator.message(view, "privacy.throttled", (("user", UserRef(event.sender)),))
                await self.engine.reply(room.room_id, rendered, event.event_id)
            return
        ctx = Context(
            room_id=room.room_id,
            sender=event.sender,
            event_id=event.event_id,
            command=command,
            language=await self.room_language(room.room_id),
            also=(await self.room_languages(room.room_id))[1:],
            prefix=self.config.prefix,
            renderer=self.renderer,
            send=self.transport.send,
        )
        await self.router.dispatch(ctx)

    async def _poll_answer(self, room: MatrixRoom, event: UnknownEvent) -> None:
        """A vote in the native poll, as Element sends it (or the stable form)."""
        answer = poll_answer(event.type, event.source.get("content") or {})
        if answer is None or (room.encrypted and not getattr(event, "decrypted", False)):
            return
        if self.config.rooms.only_cross_signed_senders and not await self._cross_signed(room, event):
            return
        await self.engine.poll_answer(room.room_id, event.sender, *answer,
                                      facilitator=self.is_facilitator(room.room_id, event.sender),
                                      source_event_id=event.event_id)

    async def on_unreadable(self, room: MatrixRoom, user_id: str) -> None:
        # Asks the person to act, so it notifies them (bot/messages/notify.py).
        await self._tell(room.room_id, "encryption.unreadable", user_id)

    async def _cross_signed(self, room: MatrixRoom, event: Event) -> bool:
        """rooms.only_cross_signed_senders: read only devices their owner cross-signed; say why once."""
        signed = await self.transport.sender_cross_signed(event)
        if signed is False and await self._unsigned_notices.first_time(room.room_id, event.sender):
            await self._tell(room.room_id, "encryption.unsigned_device", event.sender)
        return bool(signed)

    async def _refused_notice(self, room_id: str) -> dict:
        """What a room reads instead of a message the homeserver refused for good."""
        return self.renderer.render_in(await self.room_languages(room_id), "delivery.refused",
                                       prefix=self.config.prefix).content()

    async def _tell(self, room_id: str, key: str, user_id: str) -> None:
        view = await self.room_view(room_id)
        rendered = self.narrator.message(view, key, (("user", UserRef(user_id)),))
        await self.transport.send(room_id, rendered.content())

    # -- helpers --------------------------------------------------------------------

    async def room_view(self, room_id: str) -> RoomView:
        room = self.transport.client.rooms.get(room_id) if self.transport.client else None

        def display_name(user_id: str) -> str:
            name = room.user_name(user_id) if room is not None else None
            return name or user_id

        main, *also = await self.room_languages(room_id)
        return RoomView(main, self.config.prefix, display_name, await self.room_library(room_id),
                        await self.store.room_pseudonymous(room_id), self.config.schedule.default_timezone,
                        also=tuple(also))

    async def room_library(self, room_id: str) -> Library:
        library = self._libraries.get(room_id)
        if library is None:
            cards = [card_from_dict(c) for c in await self.engine.games.custom_cards(room_id)]
            library = self.narrator.library.with_cards(cards) if cards else self.narrator.library
            self._libraries[room_id] = library
        return library

    def is_facilitator(self, room_id: str, user_id: str) -> bool:
        """Power level at or above the threshold, a configured trainer, or a v12 room creator."""
        if user_id in self.config.access.trainers:
            return True
        room = self.transport.client.rooms.get(room_id) if self.transport.client else None
        if room is None:
            return False
        if room.power_levels.get_user_level(user_id) >= self.config.access.facilitator_power_level:
            return True
        # Room version 12 gives creators unlimited power, but nio reports 0 for them.
        return room.room_version == "12" and user_id in self.transport.creators.get(room_id, ())

    async def room_language(self, room_id: str) -> str:
        return (await self.room_languages(room_id))[0]

    async def room_languages(self, room_id: str) -> tuple[str, ...]:
        """The room's languages, the main one first (one, or two in a bilingual room)."""
        languages = await self.store.room_languages(room_id) or (self.config.rooms.default_language,)
        # A language the catalogue lacks (e.g. after a downgrade) is dropped, never shown broken.
        return tuple(lang for lang in languages if lang in self.catalogue.messages) or (self.catalogue.default_language,)

    async def _help(self, ctx: Context) -> None:
        # Help answers in the language of the name typed (!aide / !help), so
        # anyone can read it whatever the room's setting; in the room's
        # language(s) when that is one of them.
        asked = ctx.command.language
        await ctx.reply_rendered(help_message(ctx, (asked,) if asked and asked not in ctx.languages else ctx.languages))

