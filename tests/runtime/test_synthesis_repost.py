"""A deletion after the synthesis was posted, engine + real SQLite with a recording room.

The Synapse test (test_synthesis_repost_matrix.py) plays it for real; this one checks
what needs a controlled room: a synthesis sent in several parts (too big for one
event) has every part redacted, a crash in the middle does not post it twice, and a
deletion of something the synthesis does not hold changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.decks import load_library
from bot.game import Settings
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.runtime.engine import Engine, Outgoing
from bot.store import Store
from bot.store.games import GameStore

ROOM = "!room:example.org"
FAC, ALICE, BOB = "@trainer:example.org", "@alice:example.org", "@bob:example.org"
LIBRARY = load_library(())[0]
CATALOGUE = Catalogue.load(default_language="fr")
NARRATOR = Narrator(CATALOGUE, LIBRARY)
WHY = CATALOGUE.text("fr", "safety.synthesis_reposted")
SECRET, KEPT = "SECRET words of the first speaker", "KEPT words of the second"


class Room:
    """Records what reaches the room. A message holding a synthesis goes in two parts."""

    def __init__(self):
        self.events: dict[str, dict] = {}  # event id -> content, in order
        self.by_tx: dict[str, list[str]] = {}
        self.redacted: list[str] = []
        self.fail_redactions = False

    async def send_parts(self, room_id: str, content: dict, tx_id: str) -> list[str]:
        if tx_id in self.by_tx:  # the homeserver's answer to a repeated transaction id
            return self.by_tx[tx_id]
        parts = 2 if "Synthèse" in content["body"] else 1
        ids = [f"${tx_id}.{n}" for n in range(parts)]
        for n, event_id in enumerate(ids):
            self.events[event_id] = content if n == 0 else {"body": "(its second part)"}
        self.by_tx[tx_id] = ids
        return ids

    async def send(self, room_id: str, content: dict, tx_id: str) -> str:
        return (await self.send_parts(room_id, content, tx_id))[0]

    async def send_file(self, room_id, data, filename, mimetype, tx_id) -> str:
        return await self.send(room_id, {"body": filename, "file": data.decode()}, tx_id)

    async def redact(self, room_id: str, event_id: str, tx_id: str) -> bool:
        if self.fail_redactions:
            raise ConnectionError("the homeserver went away")
        self.redacted.append(event_id)
        return True

    def shown(self) -> list[dict]:
        return [c for event_id, c in self.events.items() if event_id not in self.redacted]


async def engine_on(path, room: Room) -> Engine:
    async def view(room_id: str) -> RoomView:
        return RoomView("fr", "!", lambda user: user.split(":")[0][1:], LIBRARY)

    store = await Store.open(path)
    outgoing = Outgoing(room.send, room.send_file, None, room.redact, room.send_parts)
    return Engine(GameStore(store), NARRATOR, Settings(), outgoing, view,
                  clock=lambda: datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc))


async def finished_game(engine: Engine) -> None:
    async def do(event, facilitator: bool = False):
        assert await engine.handle(ROOM, event, facilitator=facilitator, source_event_id=None)

    await do(ev.Open(FAC, None, "fr"), True)
    await do(ev.Join(ALICE))
    await do(ev.Join(BOB))
    await do(ev.Start(FAC, "dp-02", "data_protection"), True)
    await do(ev.Next(FAC), True)
    for text, ref in ((SECRET, "$secret"), (KEPT, "$kept")):
        _, state = await engine.state(ROOM)
        speaker = state.current_turn.speaker
        await do(ev.Say(speaker, text, ref))
        await do(ev.Done(speaker))
    await do(ev.Vote(ALICE, False))
    await do(ev.Vote(BOB, False))
    await do(ev.End(FAC), True)
    assert (await engine.state(ROOM))[0] is None, "the game is over"


def syntheses(room: Room) -> list[dict]:
    return [c for c in room.shown() if "Synthèse" in c["body"] or "file" in c]


async def test_every_part_of_the_synthesis_is_redacted_and_it_comes_again_once(tmp_path):
    room = Room()
    engine = await engine_on(tmp_path / "db", room)
    await finished_game(engine)
    [game] = await engine.games.room_games(ROOM)
    posted = await engine.posted.of(game.id)
    assert len(posted) == 3  # the message in two parts, and the file
    assert sum(SECRET in str(room.events[e]) for e in posted) == 2  # the first part and the file

    await engine.redact_in_past_games(ROOM, "$secret", "$redaction")
    assert sorted(room.redacted) == sorted(posted)
    shown = syntheses(room)
    assert [WHY in c["body"] for c in shown if "file" not in c] == [True]
    assert all(SECRET not in str(c) and KEPT in str(c) for c in shown)
    assert len(await engine.posted.of(game.id)) == 3

    # The same deletion handled again (a replayed sync) changes nothing.
    before = dict(room.events)
    await engine.redact_in_past_games(ROOM, "$secret", "$redaction")
    assert room.events == before
    # Deleting a message the synthesis does not hold changes nothing either.
    await engine.redact_in_past_games(ROOM, "$chat", "$other")
    assert room.events == before
    await engine.games.store.close()


async def test_a_crash_in_the_middle_posts_it_once_at_the_retry(tmp_path):
    room = Room()
    engine = await engine_on(tmp_path / "db", room)
    await finished_game(engine)
    room.fail_redactions = True
    try:
        await engine.redact_in_past_games(ROOM, "$secret", "$redaction")
    except ConnectionError:
        pass
    await engine.games.store.close()
    [game_state] = [g for g in (await (await engine_on(tmp_path / "db", Room())).games.room_games(ROOM))]
    assert SECRET in str(game_state.state), "nothing saved: the deletion is handled again"

    room.fail_redactions = False
    engine = await engine_on(tmp_path / "db", room)
    await engine.redact_in_past_games(ROOM, "$secret", "$redaction")
    shown = syntheses(room)
    assert sum(WHY in c["body"] for c in shown) == 1 and all(SECRET not in str(c) for c in shown)
    [game] = await engine.games.room_games(ROOM)
    assert SECRET not in str(game.state)
    await engine.games.store.close()
