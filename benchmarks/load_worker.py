"""One load process: several rooms, each with 4 real matrix-nio players (one device each).

    python -m benchmarks.load_worker CONFIG.json

Sets its rooms up (the trainer creates an encrypted room and invites the bot, the bare
bot and three players; everyone says a first `!etat` so that room keys are shared
with both bots), prints "ready", waits for "go" on stdin, then plays a complete game
in every room at once — lobby, card (its step ends by the bot's 5 s timer), four
speaking turns, vote, four action ideas, draft, a volunteer's paragraph, final
synthesis — checks each room, writes the results to the config's "out" file and
prints "done".
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp

from benchmarks.common import Client, register

log = logging.getLogger("bench.worker")
CARDS = ["dp-01", "dp-02", "dp-03", "dp-04", "dp-05", "dp-06", "dp-07", "dp-08", "dp-09", "dp-10",
         "tools-01", "tools-02", "tools-03", "net-01", "net-02", "net-03", "net-04", "net-05", "net-06",
         "eth-01", "eth-02", "eth-03", "eth-04"]
LEVELS = ["individuel", "equipe", "organisme", "politique"]
WAIT = 300  # seconds for any one answer, under load


class Room:
    """One game table: the trainer (who also plays) and three players."""

    def __init__(self, index: int, clients: list[Client], bot: str, bare: str):
        self.index = index
        self.clients = clients
        self.trainer = clients[0]
        self.bot = bot
        self.bare = bare
        self.room_id = ""
        self.sent = 0
        self.latencies: list[float] = []  # command sent → the bot's answer decrypted (by the trainer)
        self.send_seconds: list[float] = []
        self.problems: list[str] = []
        self.go_mark = 0
        self.started = self.finished = 0.0

    async def set_up(self) -> None:
        t = self.trainer
        self.room_id = await t.create_room([self.bot, self.bare] + [c.user_id for c in self.clients[1:]])
        await asyncio.gather(*(c.join(self.room_id) for c in self.clients[1:]))
        await t.wait_joined(self.room_id, [self.bot, self.bare] + [c.user_id for c in self.clients[1:]])
        # Every device opens its Olm sessions and shares its room key now, not during the game.
        for c in self.clients:
            mark = t.mark()
            await c.send(self.room_id, "!etat")
            await t.wait_message(self.room_id, self.bot, "Aucune partie", after=mark, timeout=WAIT)
            await t.wait_message(self.room_id, self.bare, "!etat", after=mark, timeout=WAIT)

    async def send(self, client: Client, text: str) -> float:
        self.sent += 1
        t0 = await client.send_timed(self.room_id, text)
        self.send_seconds.append(time.perf_counter() - t0)  # the homeserver's answer to a send, under load
        return t0

    async def says(self, client: Client, text: str, expect: str):
        mark = self.trainer.mark()
        t0 = await self.send(client, text)
        msg = await self.trainer.wait_message(self.room_id, self.bot, expect, after=mark, timeout=WAIT)
        self.latencies.append(msg.received - t0)
        return msg

    async def play(self) -> None:
        t, room, bot = self.trainer, self.room_id, self.bot
        tag = f"salle {self.index}"
        by_id = {c.user_id: c for c in self.clients}
        self.go_mark = t.mark()
        self.started = time.perf_counter()
        await self.says(t, "!nouvelle", "Nouvelle partie")
        for c in self.clients:
            await self.says(c, "!rejoindre", "Bienvenue")
        mark = t.mark()
        await self.says(t, f"!commencer {CARDS[self.index % len(CARDS)]}", "Questions pour le débat")
        # Step 1 ends by the bot's timer (card_seconds: 5).
        await t.wait_message(room, bot, "Ordre de passage", after=mark, timeout=WAIT)
        turn = await t.wait_message(room, bot, "À vous", after=mark, timeout=WAIT)
        contributions = []
        for k in range(len(self.clients)):
            speaker = by_id[turn.content["m.mentions"]["user_ids"][0]]
            text = f"Contribution {k + 1} de {speaker.localpart} ({tag}) : ce que la situation m'évoque."
            contributions.append(text)
            await self.send(speaker, text)
            expect = "À vous" if k + 1 < len(self.clients) else "souhaitez-vous poursuivre"
            turn = await self.says(speaker, "!fini", expect)
        for k, c in enumerate(self.clients):
            await self.says(c, "!oui", f"({k + 1}/{len(self.clients)})")
        await t.wait_message(room, bot, "Proposez vos pistes", after=mark, timeout=WAIT)
        actions = []
        for k, c in enumerate(self.clients):
            text = f"Piste {k + 1} de {c.localpart} ({tag})"
            actions.append(text)
            await self.says(c, f"!piste {LEVELS[k % 4]} {text}", f"Piste n° {k + 1}")
        await self.says(t, "!fin", "Fin de la partie")
        amendment = f"Paragraphe de synthèse de la {tag}."
        await self.says(self.clients[1], f"!synthese {amendment}", "votre paragraphe est ajouté")
        final_mark = t.mark()
        await self.says(t, "!fin", "synthèse définitive")
        final = await t.wait_message(room, bot, amendment, after=final_mark, timeout=WAIT)
        await t.wait(lambda: any(m.msgtype == "m.file" for m in t.from_user(room, bot)[-4:]), WAIT,
                     "synthesis file")
        self.finished = time.perf_counter()
        for text in contributions + actions:
            if text not in final.body:
                self.problems.append(f"missing from the synthesis: {text!r}")

    def check(self) -> dict:
        """After the game: duplicates, timer messages, undecryptable events, bare-bot answers."""
        t = self.trainer
        after = [m for m in t.messages[self.go_mark:] if m.room_id == self.room_id]
        bodies = [m.body for m in after if m.sender == self.bot and m.msgtype != "m.file"]
        twice = [b[:60] for b, n in Counter(bodies).items() if n > 1]
        if twice:
            self.problems.append(f"sent twice: {twice}")
        counts = {
            "step2_by_timer": sum("Ordre de passage" in b for b in bodies),
            "turns": sum("🎙️" in b for b in bodies),
            "finals": sum("synthèse définitive" in b for b in bodies),
            "files": sum(1 for m in after if m.sender == self.bot and m.msgtype == "m.file"),
        }
        expected = {"step2_by_timer": 1, "turns": len(self.clients), "finals": 1, "files": 1}
        for key, value in expected.items():
            if counts[key] != value:
                self.problems.append(f"{key}: {counts[key]} (expected {value})")
        undecryptable = sum(len(c.undecryptable) for c in self.clients)
        if undecryptable:
            self.problems.append(f"{undecryptable} messages still undecryptable")
        return {
            "room": self.index, "room_id": self.room_id, "ok": not self.problems, "problems": self.problems,
            "sent": self.sent, "bot_messages": len(bodies) + counts["files"],
            "bare_answers": sum(1 for m in after if m.sender == self.bare),
            "seconds": round(self.finished - self.started, 2) if self.finished else None,
            "latencies": [round(x, 4) for x in self.latencies],
            "send_seconds": [round(x, 4) for x in self.send_seconds], **counts,
            "undecryptable": undecryptable,
        }


async def run(config: dict) -> None:
    url, secret = config["url"], config["shared_secret"]
    store_root = Path(config["store_root"])
    names = {i: [f"{config['prefix']}r{i}{role}" for role in ("t", "a", "b", "c")] for i in config["rooms"]}
    gate = asyncio.Semaphore(6)

    async def limited(coro):
        async with gate:
            return await coro

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(limited(register(url, secret, n, http)) for ns in names.values() for n in ns))
    clients = {n: Client(url, n, store_root / n) for ns in names.values() for n in ns}
    await asyncio.gather(*(limited(c.start()) for c in clients.values()))
    rooms = [Room(i, [clients[n] for n in names[i]], config["bot"], config["bare"]) for i in config["rooms"]]
    room_gate = asyncio.Semaphore(3)

    async def set_up(room: Room):
        async with room_gate:
            await room.set_up()

    await asyncio.gather(*(set_up(r) for r in rooms))
    print("ready", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    if line.strip() != "go":
        return

    async def play(room: Room, delay: float):
        await asyncio.sleep(delay)  # games start over a few seconds, not all in one millisecond
        try:
            await room.play()
        except Exception as exc:
            room.problems.append(f"{type(exc).__name__}: {exc}")

    stagger = config.get("stagger_seconds", 0.0)
    cpu = time.process_time()
    await asyncio.gather(*(play(r, k * stagger) for k, r in enumerate(rooms)))
    cpu = time.process_time() - cpu
    # The bare bot's last echoes, and any late room key, have a moment to arrive.
    await asyncio.sleep(3)
    results = [r.check() for r in rooms]
    Path(config["out"]).write_text(json.dumps({"rooms": results, "cpu_seconds": round(cpu, 2)}))
    print("done", flush=True)
    await asyncio.gather(*(c.stop() for c in clients.values()), return_exceptions=True)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    for name in ("nio", "peewee", "aiohttp"):
        logging.getLogger(name).setLevel(logging.ERROR)
    asyncio.run(run(json.loads(Path(sys.argv[1]).read_text())))


if __name__ == "__main__":
    main()
