"""Games in progress written straight into the bot's SQLite file, through the real engine.

Each game is played by :class:`bot.engine.Engine` (pure rules, rendering, one
transaction per step, outbox) with a fake Matrix side: nothing is sent, every
outbox entry is carried out and removed as the engine does after a real send. The
games are spread over the timed steps (card, speaking round, resources and vote,
action ideas, synthesis window) and their deadlines are an hour away, so no timer
fires during the benchmark (their rooms do not exist on the homeserver).
"""

from __future__ import annotations

from pathlib import Path

from bot.decks import load_library
from bot.runtime.engine import Engine, Outgoing
from bot.game import GameState, Settings, pending_timers
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.store import Store
from bot.store.games import GameStore

# Long steps, as in production but longer: nothing comes due while the bench runs.
SETTINGS = Settings(card_seconds=3600, turn_seconds=3600, resources_seconds=3600, actions_seconds=3600,
                    amend_seconds=3600, reminder_seconds=300, silence_seconds=1800)
STAGES = ("card", "round", "resources", "actions", "synthesis")


class _NoTimers:
    """The seeding engine arms nothing: the bot re-arms every timer from the states when it starts."""

    def replace_game(self, game_id, timers) -> None:
        pass

    def cancel_game(self, game_id) -> None:
        pass


async def seed_games(db_path: Path, first: int, count: int) -> int:
    """Play games ``first`` … ``first + count - 1`` up to their stage; returns the events applied."""
    store = await Store.open(db_path)
    library, _ = load_library(())
    narrator = Narrator(Catalogue.load(default_language="fr"), library)
    cards = library.cards("fr")

    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user_id: user_id.split(":")[0].lstrip("@"), library)

    async def send(room_id: str, content: dict, tx_id: str) -> str:
        return "$" + tx_id

    async def send_file(room_id: str, data: bytes, filename: str, mimetype: str, tx_id: str) -> str:
        return "$" + tx_id

    engine = Engine(GameStore(store), narrator, SETTINGS, Outgoing(send, send_file), view)
    engine.timers = _NoTimers()  # type: ignore[assignment]
    applied = 0
    try:
        for i in range(first, first + count):
            room = f"!seed{i}:localhost"
            trainer = f"@seed{i}t:localhost"
            players = [trainer] + [f"@seed{i}p{k}:localhost" for k in (1, 2, 3)]

            async def play(event, facilitator: bool = False) -> None:
                nonlocal applied
                applied += 1
                if not await engine.handle(room, event, facilitator=facilitator, source_event_id=None):
                    raise RuntimeError(f"seeding game {i}: {event} was refused")

            stage = STAGES[i % len(STAGES)]
            await play(ev.Open(trainer, None, "fr"), True)
            for p in players:
                await play(ev.Join(p), p == trainer)
            card = cards[i % len(cards)]
            await play(ev.Start(trainer, card.id, card.theme), True)
            if stage == "card":
                continue
            await play(ev.Next(trainer), True)
            speakers = players  # the speaking order is the join order
            turns = 1 if stage == "round" else len(speakers)
            for speaker in speakers[:turns]:
                await play(ev.Say(speaker, f"Tour de {speaker} : ce que la situation {card.id} m'évoque."))
                await play(ev.Done(speaker))
            if stage == "round":
                await play(ev.Say(speakers[1], "Un début de tour, resté ouvert."))
                continue
            votes = 2 if stage == "resources" else len(players)
            for p in players[:votes]:
                await play(ev.Vote(p, True), p == trainer)
            if stage == "resources":
                continue
            for level, p in zip(("team", "organisation"), players[1:]):
                await play(ev.AddAction(p, level, f"Une piste de {p} pour {card.id}."))
            if stage == "actions":
                continue
            await play(ev.End(trainer), True)
            await play(ev.Amend(players[1], "Nous retenons l'essentiel de cette partie."))
    finally:
        await store.close()
    return applied


async def expected_timers(db_path: Path) -> tuple[int, int]:
    """(active games, timers their states need): what the bot must re-arm at start."""
    store = await Store.open(db_path)
    try:
        games = await GameStore(store).active_games()
        return len(games), sum(len(pending_timers(GameState.from_dict(g.state))) for g in games)
    finally:
        await store.close()
