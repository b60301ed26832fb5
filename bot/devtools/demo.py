"""`make demo` / ``python -m bot demo``: a whole scripted game, printed as players see it.

Everything runs on this machine: a throw-away Synapse on a free loopback port (in a
temporary directory, deleted at the end unless ``--keep DIR``), the bot in this
process (its logs go to a file there), and a trainer and three players who are
real matrix-nio clients with their own devices, in an end-to-end-encrypted room.
The script drives the game with commands and waits for each answer of the bot,
with a deadline per step; the room is printed as the trainer's device decrypts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

from nio.crypto.attachments import decrypt_attachment

from bot.devtools.people import DemoError, Line, Person, Transcript
from bot.devtools.demo_script import ACTIONS, CARD, GREETING, PLAYERS, SUMMARY, TRAINER, TURNS
from bot.devtools.homeserver import LocalSynapse

BOT = "reflextics"
STEP_TIMEOUT = 30.0
# Short steps, so that nothing waits long if a command were lost; the script
# itself drives every step with commands, well within these times.
GAME = {"card_seconds": 60, "turn_seconds": 60, "resources_seconds": 60, "actions_seconds": 60,
        "amend_seconds": 60, "reminder_seconds": 0, "silence_seconds": 0, "auto_advance": True}


class Demo:
    """One run of the scripted game in ``root``."""

    def __init__(self, root: Path, write: Callable[[str], None]):
        self.root = root
        self.write = write
        self.server = LocalSynapse(root / "synapse")
        self.bot = None
        self.people: list[Person] = []
        self.room = ""
        self.last_file: Path | None = None
        self.bot_id = f"@{BOT}:{self.server.server_name}"
        self.transcript = Transcript(write, self.bot_id, {self.bot_id: "🤖 narrator"})

    @property
    def trainer(self) -> Person:
        return self.people[0]

    @property
    def players(self) -> list[Person]:
        return self.people[1:]

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Name the step in any error raised inside it."""
        try:
            yield
        except DemoError:
            raise
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DemoError(f"step '{name}' failed: {first}") from exc

    def header(self) -> None:
        names = ", ".join(name for _, name in PLAYERS)
        for text in (
            "Réflex'tics — a scripted game with simulated players",
            "What runs here, all on this machine:",
            f"  • a throw-away Synapse homeserver on {self.server.url}",
            f"  • the Réflex'tics bot, in this process (its logs: {self.root / 'bot.log'})",
            f"  • four simulated people: the trainer {TRAINER[1]} and the players {names};",
            "    each is a real Matrix client with its own device and encryption keys",
            "They play in an end-to-end-encrypted room. Below is the room as the trainer's",
            "device decrypts it; the bot's messages are marked 🤖.",
        ):
            self.write(text)

    async def run(self) -> str:
        """Play the whole game; return the synthesis file's Markdown."""
        started = time.monotonic()
        self.header()
        try:
            await self.set_up()
            document = await self.play()
        finally:
            await self.tear_down()
        self.write("")
        self.write(f"The demo took {time.monotonic() - started:.1f} s.")
        return document

    # -- set-up ------------------------------------------------------------------------

    async def set_up(self) -> None:
        from bot.app.bot import Bot
        from bot.config import parse_config
        from bot.store import Store

        self.write("")
        self.write("· starting the homeserver…")
        with self.step("start the homeserver"):
            await self.server.start()
            password = secrets.token_urlsafe(16)
            await self.server.register(BOT, password)
        self.write("· starting the bot and the four clients…")
        with self.step("start the bot"):
            config = parse_config({
                "matrix": {"homeserver": self.server.url, "user_id": self.bot_id, "password": password,
                           "sync_timeout_seconds": 5, "backoff_max_seconds": 2, "key_wait_seconds": 10},
                "storage": {"data_dir": str(self.root / "bot")},
                "access": {"trainers": [f"@{TRAINER[0]}:{self.server.server_name}"],
                           "invite_servers": [self.server.server_name]},
                "rooms": {"require_encryption": True, "default_language": "fr"},
                "game": GAME,
            })
            self.bot = Bot(config, await Store.open(config.data_dir / "reflextics.db"))
            await self.bot.start()
            await self.bot.wait_ready(STEP_TIMEOUT)
        with self.step("start the simulated clients"):
            for localpart, name in [TRAINER, *PLAYERS]:
                person = Person(self.server, localpart, name, self.root / "clients" / localpart)
                self.people.append(await person.start())
                self.transcript.names[person.user_id] = name
        self.trainer.on_message = self.transcript.line
        self.trainer.on_undecryptable = self.transcript.undecryptable

        self.transcript.section("The trainer opens an encrypted room and invites the bot and the players")
        step = "create the room"
        with self.step(step):
            invite = [self.bot_id] + [p.user_id for p in self.players]
            self.room = await self.trainer.create_encrypted_room("Analyse de pratiques", invite, step)
            for player in self.players:
                await player.join_invited(self.room, step, STEP_TIMEOUT)
            everyone = {self.bot_id} | {p.user_id for p in self.people}
            for person in self.people:  # so that every message is encrypted for everyone
                await person.wait_until(
                    lambda p=person: everyone <= p.joined(self.room) and p.knows_devices(everyone),
                    f"{step}: {person.name} sees everyone and their devices", STEP_TIMEOUT)
        self.write("(everyone has joined: the bot, the trainer and the three players)")

    async def tear_down(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
        for person in self.people:
            await person.stop()
        self.server.stop()

    # -- the game ------------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.trainer.lines)

    async def from_bot(self, after: int, step: str, *texts: str, msgtype: str = "") -> Line:
        """The first message of the bot after ``after`` holding all of ``texts``, as the trainer reads it."""
        def find() -> Line | None:
            for line in self.trainer.lines[after:]:
                if (line.room_id == self.room and line.sender == self.bot_id
                        and all(t in line.body for t in texts) and (not msgtype or line.msgtype == msgtype)):
                    return line
            return None
        what = " and ".join(repr(t) for t in texts) or msgtype
        return await self.trainer.wait_until(find, f"{step}: waiting for the bot's message with {what}", STEP_TIMEOUT)

    async def command(self, person: Person, text: str, step: str, *expect: str) -> Line:
        """``person`` types ``text``; wait for the bot's answer holding ``expect``."""
        after = self.mark()
        with self.step(step):
            await person.say(self.room, text)
        return await self.from_bot(after, step, *expect)

    def by_localpart(self, localpart: str) -> Person:
        return next(p for p in self.people if p.localpart == localpart)

    async def play(self) -> str:
        t, say = self.trainer, self.transcript.next_section

        say("Lobby: the trainer opens a game, the players join")
        await t.say(self.room, GREETING)
        await self.command(t, "!nouvelle protection des données", "open the game", "Nouvelle partie")
        for player in self.players:
            await self.command(player, "!rejoindre", f"{player.name} joins", "Bienvenue")

        say(f"Step 1: the trainer draws the card {CARD}")
        await self.command(t, f"!commencer {CARD}", "step 1: the card", "Questions pour le débat")

        say("Step 2: the speaking round, in the order the bot announces")
        after = self.mark()
        with self.step("step 2: start the round"):
            await t.say(self.room, "!suivant")
        by_id = {p.user_id: p for p in self.players}
        for turn in range(1, len(self.players) + 1):
            step = f"step 2: turn {turn}"
            announce = await self.from_bot(after, step, "À vous")
            mentioned = announce.content.get("m.mentions", {}).get("user_ids") or [None]
            speaker = by_id.get(mentioned[0])
            if speaker is None:
                raise DemoError(f"step '{step}': the bot's turn message mentions no player ({mentioned})")
            with self.step(step):
                for text in TURNS[speaker.localpart]:
                    await speaker.say(self.room, text)
                after = self.mark()
                if turn == len(self.players):
                    say("Step 3: the theme's resources, and the vote", bot_starts_with="Étape 3")
                await speaker.say(self.room, "!fini" if TURNS[speaker.localpart] else "!passe")
        await self.from_bot(after, "step 3: the resources and the vote question", "!oui")
        for number, player in enumerate(self.players, 1):
            last = number == len(self.players)
            after = self.mark()
            if last:
                say("Step 4: action ideas on the systems board", bot_starts_with="Étape 4")
            await self.command(player, "!oui", f"step 3: vote {number}", "Résultat" if last else "enregistré")
        await self.from_bot(after, "step 4: the systems board", "Plateau des systèmes")
        for number, (localpart, level, text) in enumerate(ACTIONS, 1):
            await self.command(self.by_localpart(localpart), f"!piste {level} {text}",
                               f"step 4: action idea {number}", f"Piste n° {number}")
        await self.command(t, "!pistes", "step 4: list the action ideas", "Pistes d'action", ACTIONS[-1][2])

        say("End: the draft synthesis, a volunteer's summary, the final synthesis")
        await self.command(t, "!fin", "end: the synthesis window", "Fin de la partie")
        volunteer = self.players[0]
        await self.command(volunteer, "!synthese", "end: the volunteer reads the draft", "Brouillon")
        await self.command(volunteer, f"!synthese {SUMMARY}", "end: the volunteer's summary", "Merci", "paragraphe")
        after = self.mark()
        await self.command(t, "!fin", "end: the final synthesis", "synthèse définitive", SUMMARY[:40])
        attachment = await self.from_bot(after, "end: the synthesis file", msgtype="m.file")
        return await self.fetch_file(attachment)

    async def fetch_file(self, line: Line) -> str:
        """Download and decrypt the synthesis file; print it and keep a copy in the demo's directory."""
        with self.step("end: download and decrypt the synthesis file"):
            info = line.content["file"]
            resp = await self.trainer.client.download(mxc=info["url"])
            data = decrypt_attachment(resp.body, info["key"]["k"], info["hashes"]["sha256"], info["iv"])
            document = data.decode("utf-8")
        path = self.root / Path(line.body or "synthese.md").name
        path.write_text(document, encoding="utf-8")
        self.transcript.section(f"The synthesis file «{line.body}», downloaded and decrypted")
        for text in document.splitlines():
            self.write(f"  {text}" if text else "")
        self.last_file = path
        if self.trainer.undecryptable:
            self.write(f"(⚠ {len(self.trainer.undecryptable)} message(s) could not be decrypted by the trainer)")
        return document


@contextlib.contextmanager
def bot_logs_to(path: Path, level: int = logging.INFO) -> Iterator[None]:
    """Send the logs (the bot's and its libraries') to ``path`` instead of the terminal."""
    from bot.app.logs import RedactContent

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactContent())
    root = logging.getLogger()
    quiet = [logging.getLogger(name) for name in ("nio", "peewee", "aiohttp")]
    saved = root.level, [q.level for q in quiet]
    root.addHandler(handler)
    root.setLevel(level)
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(saved[0])
        for logger, old in zip(quiet, saved[1]):
            logger.setLevel(old)


def run_demo(keep: str | None = None, write: Callable[[str], None] | None = None,
             kind: Callable[[Path, Callable[[str], None]], "Demo"] | None = None) -> int:
    """Run the demo (``kind``: another script, e.g. the week's); 0 on success, 1 with a one-line error otherwise."""
    write = write or (lambda text: print(text, flush=True))
    if keep:
        root = Path(keep).resolve()
        if root.exists() and any(root.iterdir()):
            print(f"demo: {root} is not empty; --keep needs a new or empty directory", file=sys.stderr)
            return 2
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="reflextics-demo-"))
    demo = (kind or Demo)(root, write)
    try:
        with bot_logs_to(root / "bot.log"):
            asyncio.run(demo.run())
    except DemoError as exc:
        hint = "" if keep else " (run with --keep DIR to keep the logs)"
        print(f"demo failed: {exc}{hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("demo interrupted", file=sys.stderr)
        return 130
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    name = demo.last_file.name if demo.last_file else "the synthesis file"
    write(f"In a Matrix client, the synthesis is the encrypted attachment «{name}» of the room.")
    if keep:
        write(f"Kept in {root}: {name}, bot.log, the homeserver (synapse/) and the clients' stores (clients/).")
    else:
        write(f"This run's files were in {root}, now deleted; `python -m bot demo --keep DIR` keeps them.")
    return 0
