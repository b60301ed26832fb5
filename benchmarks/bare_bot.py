"""The floor: a bare matrix-nio bot. E2E client with a store, joins on invite, answers every text.

    python benchmarks/bare_bot.py URL USER_ID PASSWORD STORE_DIR [--serial] [--ignore USER_ID]

``--ignore``: a sender whose texts are not answered (the bot under test: its messages
that notify someone are m.text too, and are not player messages).
No game, no database, no retries, no queue (answers are sent concurrently): what is left
is the homeserver round trip and the encryption, which no bot on this stack can beat.
Prints "ready" after its first sync.
"""

import asyncio
import sys
import time

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, RoomMessageText, SyncResponse


async def main(url: str, user_id: str, password: str, store: str, serial: bool, ignore: str = "") -> None:
    client = AsyncClient(url, user_id, store_path=store, config=AsyncClientConfig(encryption_enabled=True))
    await client.login(password, device_name="bare")
    started_ms = time.time() * 1000

    async def on_invite(room, event):
        if event.state_key == user_id and event.membership == "invite":
            await client.join(room.room_id)

    answering = set()  # each text is answered at once: no answer waits for an earlier one

    async def on_text(room, event):
        if event.sender not in (user_id, ignore) and event.server_timestamp >= started_ms:
            send = client.room_send(room.room_id, "m.room.message", {"msgtype": "m.notice", "body": event.body},
                                    ignore_unverified_devices=True)
            if serial:  # --serial: nio's usual way, each answer awaited before the next event
                await send
                return
            task = asyncio.create_task(send)
            answering.add(task)
            task.add_done_callback(answering.discard)

    async def on_sync(resp):
        # nio ignores a one-time key count of 0 and would never upload again.
        if resp.device_key_count.signed_curve25519 == 0:
            client.olm.uploaded_key_count = 0

    client.add_event_callback(on_invite, InviteMemberEvent)
    client.add_event_callback(on_text, RoomMessageText)
    client.add_response_callback(on_sync, SyncResponse)
    await client.sync(timeout=0, full_state=True)
    await client.keys_upload()
    print("ready", flush=True)
    await client.sync_forever(timeout=30000)


if __name__ == "__main__":
    ignored = sys.argv[sys.argv.index("--ignore") + 1] if "--ignore" in sys.argv else ""
    asyncio.run(main(*sys.argv[1:5], serial="--serial" in sys.argv, ignore=ignored))
