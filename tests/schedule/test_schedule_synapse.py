"""A schedule against a real Synapse: reminder and lobby in the encrypted room, across a restart.

The session is typed for a whole minute two or three minutes ahead; when the bot
restarts, its clock (``Scheduling`` and ``Engine`` take one) is moved forward so
that the session comes LEAD after the restart instead of minutes later. The
reminder is configured 0.25 min (15 s) before. Everything else is real:
APScheduler jobs rebuilt from the store, Synapse, encryption.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from nio.crypto.attachments import decrypt_attachment

from tests.helpers.harness import eventually
from tests.helpers.seat import seat

pytestmark = pytest.mark.synapse

UTC = timezone.utc
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
LEAD = timedelta(seconds=45)


async def test_a_scheduled_session_reminds_and_opens_the_lobby_across_a_restart(make_bot, make_player):
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    def prepare(bot) -> None:
        bot.scheduling.clock = clock
        bot.engine.clock = clock

    def prepare_restart(bot) -> None:
        prepare(bot)
        start = bot.scheduling.start

        async def start_with_the_session_ahead() -> None:
            # The clock is set when the schedules start (after login and the first
            # sync), so however long the restart takes the session is LEAD ahead.
            offset[0] = session - (datetime.now(UTC) + LEAD)
            await start()

        bot.scheduling.start = start_with_the_session_ahead

    t = await seat(partial(make_bot, prepare=prepare), make_player,
                   sections={"schedule": {"reminders_minutes_before": [0.25], "grace_minutes": 5}})
    alice, bob = t.players
    # A first game makes Alice and Bob the room's usual players.
    await t.says(t.trainer, "!nouvelle", "Nouvelle partie")
    await t.says(alice, "!rejoindre", "Bienvenue")
    await t.says(bob, "!rejoindre", "Bienvenue")
    await t.says(t.trainer, "!annuler", "La partie est annulée")

    session = (datetime.now(UTC) + timedelta(minutes=2)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    local = session.astimezone(ZoneInfo("Europe/Paris"))
    typed = f"!planifier {FR_DAYS[local.weekday()]} {local:%H:%M}"
    answer = await t.says(t.trainer, typed, "Planification n° 1", seen_by=[t.trainer])
    assert f"{local:%H:%M} (Europe/Paris)" in answer.body

    marks = t.mark()
    await t.trainer.send(t.room, "!planifier ics 1")
    file_msg = await bob.wait_until(
        lambda: next((m for m in t.bot_messages(bob, marks[bob.localpart]) if m.msgtype == "m.file"), None),
        what="the calendar file")
    info = file_msg.content["file"]
    assert "url" not in file_msg.content, "must be an encrypted attachment"
    data = decrypt_attachment((await bob.client.download(mxc=info["url"])).body, info["key"]["k"],
                              info["hashes"]["sha256"], info["iv"]).decode("utf-8")
    assert f"DTSTART;TZID=Europe/Paris:{local:%Y%m%dT%H%M}00" in data and "BEGIN:VTIMEZONE" in data

    # Stopped and started again before the reminder: the jobs come back from the database.
    marks = t.mark()
    t.bot = await make_bot.restart(t.bot, prepare_restart)
    await eventually(lambda: offset[0] > timedelta(0), what="the schedules to start")

    reminder = await alice.wait_message(t.room, t.bot_id, "Rappel", after=marks[alice.localpart], timeout=60)
    assert reminder.decrypted
    assert set(reminder.content["m.mentions"]["user_ids"]) == {alice.user_id, bob.user_id}
    assert f'href="https://matrix.to/#/{alice.user_id}"' in reminder.content["formatted_body"]
    assert clock() < session

    lobby = await bob.wait_message(t.room, t.bot_id, "Nouvelle partie", after=marks[bob.localpart], timeout=60)
    assert lobby.decrypted
    assert clock() >= session
    await t.says(alice, "!rejoindre", "Bienvenue")

    # Once each, whatever the restart and the jobs did.
    seen = [m.body for m in t.bot_messages(bob, marks[bob.localpart])]
    assert len([b for b in seen if "Rappel" in b]) == 1
    assert len([b for b in seen if "Nouvelle partie" in b]) == 1
    assert len([b for b in seen if "C'est l'heure" in b]) == 1
