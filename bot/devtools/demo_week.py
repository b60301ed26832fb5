"""``python -m bot demo --week`` (``make demo-week``): a game over a week, played in under a minute.

The same set-up as :mod:`bot.devtools.demo` (a throw-away Synapse, the bot in this
process, four real encrypted clients), but the bot's clock is sped up: one real
second is :data:`TYPING` or :data:`WAITING` seconds of the game, so a week game opened on Monday 09:00
(Paris) reaches its Friday deadline in well under a minute. Deadlines, the daily
count, the nudges and the quiet hours all run on that clock, as they would over a
real week; the transcript shows each line at its game time.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.devtools.demo import Demo
from bot.devtools.demo_script import CARD, SUMMARY, TURNS
from bot.game import GameState, pending_timers

# Game seconds per real second: while people type (a message and its answer take a
# few game minutes), and while everyone waits for the next deadline (a day in 2 s).
TYPING, WAITING = 1_500, 25_000
NUDGING = 8_000  # the nudges go one after the other: at WAITING pace they would land hours apart
ZONE = ZoneInfo("Europe/Paris")
MONDAY = datetime(2027, 3, 22, 9, 0, tzinfo=ZONE)  # a Monday morning
DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
IDEAS = [
    ("camille", "individuel", "Trier mes dossiers au fil de l'eau, à chaque fin d'accompagnement"),
    ("karim", "equipe", "Rédiger ensemble une procédure d'archivage et de destruction des dossiers clos"),
]


class FastClock:
    """The game clock: :data:`MONDAY` at :meth:`reset`, at real speed, then as fast as :meth:`go` says.

    The lobby (people joining, one after the other) runs at real speed so that the
    week starts on Monday morning; the week itself runs fast.
    """

    def __init__(self):
        self.segments: list[tuple[float, datetime, float]] = []  # (real start, game start, speed)
        self.reset()

    def reset(self) -> None:
        self.segments = [(time.time(), MONDAY.astimezone(timezone.utc), 1.0)]

    def go(self, speed: float) -> None:
        now = time.time()
        self.segments.append((now, self.at(now), float(speed)))

    @property
    def speed(self) -> float:
        return self.segments[-1][2]

    def __call__(self) -> datetime:
        return self.at(time.time())

    def at(self, real: float) -> datetime:
        """The game time of the real instant ``real`` (a past one in the pace it had then)."""
        real0, game0, speed = next((seg for seg in reversed(self.segments) if seg[0] <= real), self.segments[0])
        return game0 + timedelta(seconds=(real - real0) * speed)

    def delay(self, moment: datetime) -> float:
        """Real seconds until ``moment`` of the game clock (what the bot's timers wait)."""
        return (moment - self()).total_seconds() / self.speed

    def stamp(self, ms: int) -> str:
        local = self.at(ms / 1000).astimezone(ZONE)
        return f"{DAYS[local.weekday()]} {local:%H:%M}"


class WeekDemo(Demo):
    """The scripted week: answers over days, a count, nudges, the deadlines."""

    def __init__(self, root, write):
        super().__init__(root, write)
        self.clock = FastClock()

    def header(self) -> None:
        super().header()
        self.write(f"This is a game over a week: the bot's clock runs {TYPING:,} times faster while people type,")
        self.write(f"{WAITING:,} times while they wait (a week in well under a minute); each line shows the")
        self.write("game's day and time in Paris.")

    async def set_up(self) -> None:
        await super().set_up()
        # The sped-up clock for the rules and the timers: deadlines, counts and nudges follow it.
        self.bot.engine.clock = self.clock
        self.bot.engine.timers.delay = self.clock.delay
        # Timers run a few real milliseconds late, which is minutes of this clock: not "missed while down".
        self.bot.engine.settings = replace(self.bot.engine.settings, late_seconds=WAITING)
        self.transcript.stamp = self.clock.stamp

    async def speed(self, speed: float) -> None:
        """Change the clock's pace; the armed timers then wait another real time: armed again."""
        self.clock.go(speed)
        engine = self.bot.engine
        async with engine.lock(self.room):
            for game in await engine.games.active_games():
                engine.timers.cancel_game(game.id)
                engine.timers.replace_game(game.id, pending_timers(GameState.from_dict(game.state)))

    async def play(self) -> str:
        t, say = self.trainer, self.transcript.next_section
        camille, karim, lucie = self.players

        say("Monday 09:00: the trainer opens a game over the week")
        self.clock.reset()
        await self.command(t, "!nouvelle semaine 5j", "open the week game", "Partie sur la semaine")
        for player in self.players:
            await self.command(player, "!rejoindre", f"{player.name} joins", "Bienvenue")
        await self.speed(TYPING)  # from here on, the week runs fast
        await self.command(t, f"!commencer {CARD}", "the card and step 2", "à votre rythme")

        say("Monday: Camille answers at once; Karim starts and will finish later")
        for text in TURNS["camille"]:
            await camille.say(self.room, text)
        await self.command(camille, "!fini", "Camille is done", "Merci")
        after = self.mark()
        await karim.say(self.room, TURNS["karim"][0])
        await self.speed(WAITING)

        say("Tuesday: the room sees a count at 09:00; at 17:00 each one still awaited gets one nudge",
            bot_starts_with="📊")
        await self.from_bot(after, "the daily count", "📊")
        await self.speed(NUDGING)
        await self.from_bot(after, "Karim's nudge", "attendue", karim.name)
        await self.from_bot(after, "Lucie's nudge", "attendue", lucie.name)
        await self.speed(TYPING)
        await karim.say(self.room, TURNS["karim"][1])
        await self.command(karim, "!fini", "Karim is done", "Merci")
        after = self.mark()
        say("Step 3: everyone has answered, so the vote opens at once", bot_starts_with=lucie.name)
        await lucie.say(self.room, "!passe")
        await self.from_bot(after, "the vote", "!oui")
        for number, player in enumerate(self.players, 1):
            last = number == len(self.players)
            await self.command(player, "!oui", f"vote {number}", "Résultat" if last else "enregistré")

        say("Step 4: action ideas, until the trainer closes the step")
        for number, (localpart, level, text) in enumerate(IDEAS, 1):
            await self.command(self.by_localpart(localpart), f"!piste {level} {text}", f"idea {number}",
                               f"Piste n° {number}")
        await self.command(t, "!etat", "the status", "échéance")
        await self.command(t, "!suivant", "the synthesis window", "Fin des échanges")

        say("Until Friday 16:00: a volunteer's summary, then the synthesis at its deadline")
        after = self.mark()
        await self.command(camille, f"!synthese {SUMMARY}", "the volunteer's summary", "Merci", "paragraphe")
        await self.speed(WAITING)
        await self.from_bot(after, "the final synthesis at the deadline", "synthèse définitive")
        attachment = await self.from_bot(after, "the synthesis file", msgtype="m.file")
        return await self.fetch_file(attachment)
