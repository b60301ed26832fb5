"""A deletion after the synthesis was posted: the synthesis in the room goes, and comes again without it.

The store loses the deleted text at once (bot/game/edits.py); the synthesis
message and file already in the room still showed it. So the bot redacts them and
posts the synthesis again, once, with one line saying why.

Crash-safe without an outbox of its own: the old events are redacted and the new
ones sent with transaction ids fixed by the deletion event, *then* the game's
state and its new synthesis ids are saved in one transaction. A crash before that
handles the deletion again at the next start: the same redactions (harmless) and
the same transaction ids, which the homeserver answers with the same events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from bot.game import GameState
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Rendered
from bot.messages.synthesis_post import SynthesisWriter

log = logging.getLogger(__name__)

Redact = Callable[[str, str, str], Awaitable[bool]]  # room, event id, transaction id


@dataclass
class Reposter:
    """Redacts a game's posted synthesis and posts it again from the game's current state."""

    narrator: Narrator
    writer: SynthesisWriter
    send_all: Callable[[str, dict, str], Awaitable[list[str]]]  # a message: the ids of all its parts
    send_file: Callable[[str, bytes, str, str, str], Awaitable[str]]
    redact: Redact

    async def repost(self, room_id: str, view: RoomView, state: GameState, posted: list[str],
                     tx_id: Callable[[int], str]) -> list[str]:
        """Redact ``posted``, send the synthesis of ``state`` again; the new event ids.

        ``tx_id(n)`` is the transaction id of the n-th request, fixed by the deletion.
        """
        for index, event_id in enumerate(posted):
            # No reason given: a redaction's reason is not encrypted.
            if not await self.redact(room_id, event_id, tx_id(100 + index)):
                log.warning("Could not redact the synthesis %s in %s", event_id, room_id)
        why = self.narrator.message(view, "safety.synthesis_reposted")
        new_ids: list[str] = []
        for index, post in enumerate(self.writer.posts(view, state, final=True)):
            if isinstance(post, Rendered):
                message = self.narrator.renderer.join([why, post])
                new_ids += await self.send_all(room_id, message.content(), tx_id(index))
            else:
                new_ids.append(await self.send_file(room_id, post["text"].encode("utf-8"), post["filename"],
                                                    post["mimetype"], tx_id(index)))
        log.info("Posted the synthesis again in %s after a deletion", room_id)
        return [event_id for event_id in new_ids if event_id]
