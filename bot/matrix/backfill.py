"""Paging back over events a limited sync skipped (a gap while the bot was down).

A player's turn typed during a restart matters: the events between the last one
handled and the sync's timeline are fetched with ``/messages``, newest first, until
an event already handled (or the bot's own join) is met.
"""

from __future__ import annotations

import logging

from nio import AsyncClient, RoomMemberEvent, RoomMessagesError
from nio.events import Event

from bot.matrix.retry import Retrier
from bot.store import Store

log = logging.getLogger(__name__)

PAGES = 10
PAGE_SIZE = 50


async def page_back(client: AsyncClient, retry: Retrier, store: Store, user_id: str, room_id: str,
                    prev_batch: str) -> list[Event]:
    """Events skipped by a limited sync, oldest first, back to the last one handled."""
    collected: list[Event] = []
    token = prev_batch
    for _ in range(PAGES):
        resp = await retry.until_reachable(client.room_messages, room_id, start=token, limit=PAGE_SIZE)
        if isinstance(resp, RoomMessagesError):
            log.warning("Could not page back in %s: %s", room_id, resp.status_code)
            break
        stop = False
        handled = await store.processed_among([e.event_id for e in resp.chunk if getattr(e, "event_id", None)])
        for event in resp.chunk:  # newest first
            event_id = getattr(event, "event_id", None)
            if event_id in handled:
                stop = True
                break
            collected.append(event)
            if isinstance(event, RoomMemberEvent) and event.state_key == user_id and event.membership == "join":
                stop = True
                break
        if stop or not resp.chunk or not resp.end:
            break
        token = resp.end
    collected.reverse()
    log.info("Recovered %d events skipped in %s", len(collected), room_id)
    return collected
