"""What the bot says it drops is not on disk: the engine and a real SQLite file, no Matrix.

Each scenario plays a game through the real engine into a data directory, then
reads every file there byte by byte, while the store is open (write-ahead log and
all) and again once it is closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.commands.privacy import Privacy
from bot.config import PrivacyConfig
from bot.decks import load_library
from bot.game import Settings
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.runtime.engine import Engine, Outgoing
from bot.store import Store
from bot.store.games import GameStore

ROOM = "!room:example.org"
FAC, ALICE, BOB = "@trainer:example.org", "@alice-k7:example.org", "@bob:example.org"
NAMES = {ALICE: "Alice Kowalczyk", BOB: "Bob", FAC: "Trainer"}
LONG_IDEA = ("KEPT-start of the idea " * 30)[:500] + "DROPPED-tail of the idea " * 40  # cut at 500
FIRST_SUMMARY = "REPLACED-summary paragraph"
TURN = "ABORTED-turn about Madame K."


def files_bytes(data_dir: Path) -> bytes:
    """Every file under the data directory, as someone with the disk would read them."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


class Bench:
    """The engine on a real SQLite file; nothing is sent anywhere."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.now = datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc)
        self.sent: list[dict] = []

    async def open(self) -> "Bench":
        self.store = await Store.open(self.data_dir / "reflextics.db")
        library, _ = load_library(())
        narrator = Narrator(Catalogue.load(default_language="fr"), library)

        async def view(room_id: str) -> RoomView:
            return RoomView("fr", "!", lambda user_id: NAMES.get(user_id, user_id), library)

        async def send(room_id: str, content: dict, tx_id: str) -> str:
            self.sent.append(content)
            return "$" + tx_id

        async def send_file(room_id: str, data: bytes, filename: str, mimetype: str, tx_id: str) -> str:
            return "$" + tx_id

        self.engine = Engine(GameStore(self.store), narrator, Settings(), Outgoing(send, send_file), view,
                             clock=lambda: self.now)
        self.privacy = Privacy(PrivacyConfig(), self.store, self.engine, narrator, view, lambda room, user: False)
        return self

    async def close(self) -> None:
        self.engine.stop()
        await self.store.close()

    async def do(self, event, facilitator: bool = False) -> None:
        self.now += timedelta(seconds=5)
        assert await self.engine.handle(ROOM, event, facilitator=facilitator, source_event_id=None)

    async def to_actions(self) -> None:
        await self.do(ev.Open(FAC, None, "fr"), True)
        await self.do(ev.Join(ALICE))
        await self.do(ev.Join(BOB))
        await self.do(ev.Start(FAC, "dp-07", "data_protection"), True)
        await self.do(ev.Next(FAC), True)
        for _ in range(2):
            _, state = await self.engine.state(ROOM)
            await self.do(ev.Say(state.speaker, TURN))
            await self.do(ev.Done(state.speaker))
        await self.do(ev.Vote(ALICE, True))
        await self.do(ev.Vote(BOB, True))

    async def scan(self, *absent: str, present: tuple[str, ...] = ()) -> None:
        """Open and closed, none of ``absent`` is in the files, all of ``present`` is."""
        for moment in ("running", "stopped"):
            if moment == "stopped":
                await self.close()
            data = files_bytes(self.data_dir)
            for text in absent:
                assert text.encode() not in data, (moment, text)
            for text in present:
                assert text.encode() in data, (moment, text)
        await self.open()


async def test_a_cut_action_idea_is_cut_before_it_is_logged(tmp_path):
    bench = await Bench(tmp_path).open()
    await bench.to_actions()
    await bench.do(ev.AddAction(ALICE, "team", LONG_IDEA))
    assert any("début" in m["body"] for m in bench.sent[-2:])  # "j'en ai gardé le début"
    _, state = await bench.engine.state(ROOM)
    assert len(state.actions[0].text) == 500
    await bench.scan("DROPPED-tail", present=("KEPT-start",))
    await bench.close()


async def test_a_replaced_summary_paragraph_is_overwritten_in_the_log(tmp_path):
    bench = await Bench(tmp_path).open()
    await bench.to_actions()
    await bench.do(ev.End(FAC), True)
    await bench.do(ev.Amend(BOB, FIRST_SUMMARY))
    await bench.do(ev.Amend(ALICE, "KEPT-summary paragraph"))
    game_id, _ = await bench.engine.state(ROOM)
    await bench.scan("REPLACED-summary", present=("KEPT-summary",))
    # The log keeps the amendments as what they were, cut to the kept text.
    amends = [e["text"] for _, _, e in await bench.engine.games.events(game_id) if e["type"] == "Amend"]
    assert amends == ["…", "KEPT-summary paragraph"]
    await bench.close()


async def test_an_aborted_game_leaves_no_text(tmp_path):
    bench = await Bench(tmp_path).open()
    await bench.to_actions()
    await bench.do(ev.AddAction(ALICE, "policy", "ABORTED-idea"))
    await bench.do(ev.Abort(FAC), True)
    assert any("aucune contribution" in m["body"] for m in bench.sent[-1:])
    await bench.scan("ABORTED-turn", "Madame K", "ABORTED-idea")
    await bench.close()


async def test_forget_me_leaves_neither_texts_nor_id_nor_name_in_the_game_rows(tmp_path):
    bench = await Bench(tmp_path).open()
    await bench.to_actions()  # both turns say TURN: Alice's goes, Bob's stays
    await bench.do(ev.AddAction(ALICE, "team", "ALICE-idea"))
    await bench.do(ev.AddAction(BOB, "policy", "BOB-idea, as Alice Kowalczyk said"))
    await bench.do(ev.End(FAC), True)
    await bench.do(ev.Amend(ALICE, "ALICE-summary"))
    await bench.do(ev.End(FAC), True)  # final: a finished game
    await bench.do(ev.Open(FAC, None, "fr"), True)  # and one in progress
    await bench.do(ev.Join(ALICE))
    assert await bench.privacy.forget(ROOM, ALICE) == 2
    await bench.scan("ALICE-idea", "ALICE-summary", ALICE, "alice-k7", "Alice Kowalczyk",
                     present=("BOB-idea, as [personne effacée 1] said", "erased#1", BOB))
    # The synthesis still reads: the erased person by their pseudonym.
    [finished, running] = await bench.engine.games.room_games(ROOM)
    from bot.game import GameState
    state = GameState.from_dict(finished.state)
    view = await bench.engine.views(ROOM)
    text = bench.engine.synthesis.markdown(view, state, final=True)
    assert "personne effacée 1" in text and "Bob" in text
    assert ALICE not in text and "Alice" not in text
    # The same person stays the same pseudonym; the next one erased gets the next.
    assert GameState.from_dict(running.state).players == ("erased#1",)
    assert await bench.privacy.forget(ROOM, BOB) == 1
    [finished, _] = await bench.engine.games.room_games(ROOM)
    assert set(GameState.from_dict(finished.state).participants) == {"erased#1", "erased#2"}
    await bench.scan(BOB, "BOB-idea")
    await bench.close()
