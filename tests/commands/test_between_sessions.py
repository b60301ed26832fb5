"""Between sessions (issue 26): a room's history, card rotation, the follow-up of action ideas.

The engine, the game commands, the history commands and the privacy purge on a real
SQLite file, with a fake clock and a recording sender (no Matrix).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.commands.followup import FollowUp
from bot.commands.history import HistoryCommands, past_number
from bot.commands.parsing import parse
from bot.commands.play import GamePlay
from bot.commands.privacy import Privacy
from bot.commands.router import Context, Router
from bot.config import PrivacyConfig
from bot.decks import load_library
from bot.game import Settings, followup, rotation
from bot.game import events as ev
from bot.messages.catalogue import Catalogue
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Renderer
from bot.runtime.engine import Engine, Outgoing
from bot.store import Store
from bot.store.games import GameStore
from bot.store.history import HistoryStore
from bot.store.migrations import MIGRATIONS

ROOM, OTHER = "!room:example.org", "!other:example.org"
FAC, ALICE, BOB = "@trainer:example.org", "@alice:example.org", "@bob:example.org"
CATALOGUE = Catalogue.load(default_language="fr")
LIBRARY = load_library(())[0]


class Table:
    """One bot's game and history commands on a SQLite file; what it sends is kept."""

    def __init__(self, data_dir: Path, language: str = "fr", keep_records: bool = True):
        self.data_dir = data_dir
        self.language = language
        self.keep_records = keep_records
        self.sent: list[tuple[str, str]] = []  # (room, body)
        self.files: list[tuple[str, str, str]] = []  # (room, filename, text)
        self.now = datetime(2027, 3, 2, 13, 0, tzinfo=timezone.utc)
        self.commands = 0

    async def open(self) -> "Table":
        self.store = await Store.open(self.data_dir / "reflextics.db")
        narrator = Narrator(CATALOGUE, LIBRARY)

        async def view(room_id: str) -> RoomView:
            return RoomView(self.language, "!", lambda user: user.split(":")[0][1:].capitalize(), LIBRARY,
                            timezone="Europe/Paris")

        async def send(room_id: str, content: dict, tx_id: str) -> str:
            self.sent.append((room_id, content["body"]))
            return "$" + tx_id

        async def send_file(room_id, data, filename, mimetype, tx_id) -> str:
            self.files.append((room_id, filename, data.decode()))
            return "$" + tx_id

        self.engine = Engine(GameStore(self.store), narrator, Settings(), Outgoing(send, send_file), view,
                             clock=lambda: self.now)
        self.history = HistoryStore(self.store)
        self.router = Router("!")
        facilitator = lambda room, user: user == FAC
        GamePlay(self.engine, narrator, view, facilitator, rng=random.Random(7),
                 played=self.history.played_cards).register(self.router)
        self.privacy = Privacy(PrivacyConfig(keep_game_records=self.keep_records), self.store, self.engine,
                               narrator, view, facilitator)
        self.privacy.register(self.router)
        self.privacy.forget_hooks.append(self.history.forget)
        HistoryCommands(self.history, self.engine, narrator, view).register(self.router)
        follow = FollowUp(self.history, self.engine, narrator, view, facilitator)  # real time, as games.ended_at
        follow.register(self.router)
        self.engine.decorate = follow.decorate
        return self

    def on_disk(self, text: str) -> bool:
        """``text`` anywhere in the data directory's files (database and write-ahead log)."""
        return any(text.encode() in p.read_bytes() for p in self.data_dir.rglob("*") if p.is_file())

    async def close(self) -> None:
        self.engine.stop()
        await self.store.close()

    async def do(self, room: str, event, facilitator: bool = False) -> None:
        self.now += timedelta(seconds=5)
        assert await self.engine.handle(room, event, facilitator=facilitator, source_event_id=None)

    async def command(self, room: str, sender: str, body: str) -> str:
        self.commands += 1
        self.now += timedelta(seconds=5)
        mark = len(self.sent)
        ctx = Context(room, sender, f"$cmd{self.commands}", parse(body, "!"), self.language, "!",
                      Renderer(CATALOGUE), self.engine.outgoing.send)
        await self.router.dispatch(ctx)
        return "\n".join(body for _, body in self.sent[mark:])

    async def game(self, room: str, start: str = "!commencer dp-03", ideas: tuple[str, ...] = ("Idée A",),
                   text: str = "Mon tour", before_end=None) -> str:
        """A whole game, the card drawn by ``start``, ending with ``ideas`` (team level unless
        "level:text"); ``before_end`` runs in its synthesis window. Returns the card id."""
        self.lobby = await self.command(room, FAC, "!nouvelle")
        await self.command(room, ALICE, "!rejoindre")
        await self.command(room, BOB, "!rejoindre")
        await self.command(room, FAC, start)
        _, state = await self.engine.state(room)
        card = state.card_id
        await self.command(room, FAC, "!suivant")
        _, state = await self.engine.state(room)
        await self.do(room, ev.Say(state.speaker, text))
        await self.command(room, state.speaker, "!fini")
        _, state = await self.engine.state(room)
        await self.command(room, state.speaker, "!passe")
        await self.command(room, ALICE, "!oui")
        await self.command(room, BOB, "!oui")
        for idea in ideas:
            level, _, idea_text = idea.rpartition(":")
            await self.command(room, ALICE, f"!piste {level or 'equipe'} {idea_text}")
        await self.command(room, FAC, "!fin")
        if before_end is not None:
            await before_end()
        self.final = await self.command(room, FAC, "!fin")
        assert (await self.engine.state(room))[0] is None, "the game should be over"
        return card


@pytest.fixture
async def table(tmp_path):
    t = await Table(tmp_path).open()
    yield t
    await t.close()


async def test_history_lists_finished_games_with_local_date_card_and_counts(table):
    assert "Aucune partie terminée" in await table.command(ROOM, ALICE, "!historique")
    await table.game(ROOM, ideas=("Idée A", "Idée B"))
    table.now += timedelta(days=7)
    await table.game(ROOM, start="!commencer dp-04", ideas=())
    await table.command(ROOM, FAC, "!nouvelle")
    await table.command(ROOM, FAC, "!annuler")  # an aborted game is no session held
    await table.game(OTHER)

    listing = await table.command(ROOM, BOB, "!historique")
    lines = listing.splitlines()
    assert "2 partie(s) terminée(s)" in lines[0]
    first = LIBRARY.card("dp-03", "fr").title
    second = LIBRARY.card("dp-04", "fr").title
    assert lines[1].startswith("n° 1 · 02/03/2027 · " + first + " · 2 participant·es · 2 pistes")
    assert "!synthese 1" in lines[1]
    assert lines[2].startswith("n° 2 · 09/03/2027 · " + second + " · 2 participant·es · aucune piste")
    assert len(lines) == 3


async def test_synthese_number_reposts_a_past_synthesis_and_its_file_while_kept(table):
    await table.game(ROOM, ideas=("Appeler la DPO",), text="Le dossier partagé")
    await table.game(ROOM, start="!commencer dp-04")
    files = len(table.files)
    answer = await table.command(ROOM, BOB, "!synthese 1")
    assert "Le dossier partagé" in answer and "Appeler la DPO" in answer
    assert LIBRARY.card("dp-03", "fr").title in answer
    (room, filename, text), = table.files[files:]
    assert room == ROOM and filename.endswith("2027-03-02.md") and "Le dossier partagé" in text
    assert "n'a pas de partie n° 9" in await table.command(ROOM, BOB, "!synthese 9")


async def test_after_the_retention_the_synthesis_is_said_erased_and_when(table):
    await table.game(ROOM, text="TEXTE-A-EFFACER")
    table.now += timedelta(days=3)
    erased = table.now + timedelta(days=31)
    purged = await table.privacy.purge_expired(now=erased.timestamp())
    assert len(purged) == 1
    answer = await table.command(ROOM, BOB, "!synthese 1")
    assert "a été effacée le 05/04/2027" in answer and "TEXTE-A-EFFACER" not in answer
    assert "du 02/03/2027" in answer
    listing = await table.command(ROOM, BOB, "!historique")
    assert "synthèse effacée le 05/04/2027" in listing and "!synthese 1" not in listing
    assert LIBRARY.card("dp-03", "fr").title in listing  # the card and counts outlive the texts


async def test_without_game_records_the_purge_takes_the_history_too(tmp_path):
    t = await Table(tmp_path, keep_records=False).open()
    try:
        await t.game(ROOM)
        await t.command(ROOM, FAC, "!purger")
        assert "Aucune partie terminée" in await t.command(ROOM, BOB, "!historique")
        assert "n'a pas de partie n° 1" in await t.command(ROOM, BOB, "!synthese 1")
    finally:
        await t.close()


async def test_synthese_with_text_still_amends_and_alone_still_shows_the_draft(table):
    await table.command(ROOM, FAC, "!nouvelle")
    assert "n'a pas de partie n° 2" in await table.command(ROOM, BOB, "!synthese n°2")
    assert "Aucune partie" not in await table.command(ROOM, BOB, "!synthese")
    assert past_number("12") == 12 and past_number("#3") == 3 and past_number("n° 4") == 4
    assert past_number("2 pistes retenues") is None and past_number("") is None
    assert past_number("٣") == 3 and past_number("⁵") is None and past_number("non") is None


async def test_cards_of_a_theme_are_not_drawn_again_until_all_were_played(table):
    theme = [c.id for c in LIBRARY.cards("fr", "digital_tools")]
    drawn = [await table.game(ROOM, start="!commencer digital_tools") for _ in theme]
    assert sorted(drawn) == sorted(theme)
    fourth = await table.game(ROOM, start="!commencer digital_tools")
    assert fourth in theme  # a new round of the theme
    # A named card is always played, whatever the rotation.
    assert await table.game(ROOM, start=f"!commencer {drawn[0]}") == drawn[0]


def test_rotation_keeps_the_least_played_cards():
    class Card:
        def __init__(self, id):
            self.id = id

    cards = [Card("a"), Card("b"), Card("c")]
    assert [c.id for c in rotation.candidates(cards, {})] == ["a", "b", "c"]
    assert [c.id for c in rotation.candidates(cards, {"a": 1, "b": 1})] == ["c"]
    assert [c.id for c in rotation.candidates(cards, {"a": 1, "b": 1, "c": 1})] == ["a", "b", "c"]
    assert [c.id for c in rotation.candidates(cards, {"a": 2, "b": 1, "c": 1, "zz": 0})] == ["b", "c"]
    assert rotation.candidates([], {"a": 1}) == []


@pytest.mark.parametrize("lang, command, header", [
    ("en", "!history", "Room history"), ("ro", "!istoric", "Istoricul camerei"),
    ("de", "!verlauf", "Verlauf des Raums"), ("el", "!ιστορικό", "Ιστορικό της αίθουσας"),
])
async def test_history_in_every_language(tmp_path, lang, command, header):
    t = await Table(tmp_path, language=lang).open()
    try:
        await t.game(ROOM)
        listing = await t.command(ROOM, BOB, command)
        assert header in listing
        assert LIBRARY.card("dp-03", lang).title in listing
    finally:
        await t.close()


# --- follow-up of action ideas (item 1) ---------------------------------------------------

async def test_follow_up_across_three_games_with_carry_over(table):
    await table.game(ROOM, ideas=("Idée A", "Idée B", "individuel:Idée C"))
    assert "Suivi des pistes" not in table.lobby  # nothing before the first game

    # Game 2's lobby asks about game 1's ideas, by level, with their numbers.
    table.now += timedelta(days=7)

    async def report_game_1():
        assert "C'est noté : piste n° 1, réalisée." in await table.command(ROOM, BOB, "!suivi 1 fait")
        noted = await table.command(ROOM, ALICE, "!suivi 2 en cours On attend la réponse de la direction")
        assert "piste n° 2, en cours : On attend la réponse de la direction" in noted
        assert "piste n° 3, abandonnée" in await table.command(ROOM, FAC, "!suivi 3 abandonnée")

    await table.game(ROOM, ideas=("Idée D",), before_end=report_game_1)
    lobby = table.lobby.splitlines()
    start = next(i for i, line in enumerate(lobby) if "Suivi des pistes de la séance du 02/03/2027" in line)
    assert lobby[start + 1:start + 6] == ["Individuel", "3. Idée C", "Équipe / service / unité", "1. Idée A",
                                          "2. Idée B"]
    assert "!suivi <n°> fait" in table.lobby and "!suivi passer" in table.lobby
    # Game 2's synthesis, message and file, has the follow-up section.
    section = "Suivi des pistes de la séance du 02/03/2027"
    assert section in table.final
    assert "1. Idée A — **réalisée**" in table.final
    assert "2. Idée B — **en cours** — _On attend la réponse de la direction_" in table.final
    document = table.files[-1][2]
    assert "## " + section in document and "3\\. Idée C — **abandonnée**" not in document
    assert "3. Idée C — **abandonnée**" in document

    # Game 3's lobby: game 2's idea, and game 1's idea still in progress (not the done or dropped ones).
    table.now += timedelta(days=7)

    async def report_game_3():
        assert "piste n° 1.2, réalisée" in await table.command(ROOM, BOB, "!suivi 1.2 fait")

    await table.game(ROOM, ideas=(), before_end=report_game_3)
    assert "Suivi des pistes de la séance du 09/03/2027" in table.lobby
    assert "1. Idée D" in table.lobby
    assert "1.2. Idée B (en cours : On attend la réponse de la direction)" in table.lobby
    assert "Idée A" not in table.lobby and "Idée C" not in table.lobby
    assert "1.2. Idée B — **réalisée**" in table.final and "1. Idée D — **pas encore de nouvelles**" in table.final

    # Game 4: Idée B, settled during game 3, is no longer carried.
    await table.command(ROOM, FAC, "!nouvelle")
    lobby = table.sent[-1][1]
    assert "Idée B" not in lobby and "Suivi des pistes" not in lobby  # game 3 had no idea
    listing = await table.command(ROOM, BOB, "!historique")
    assert "3 pistes (2 réalisées depuis)" in listing.splitlines()[1]


async def test_the_facilitator_can_skip_the_follow_up(table):
    await table.game(ROOM, ideas=("Idée A",))

    async def skip():
        assert "Seule la personne qui anime" in await table.command(ROOM, BOB, "!suivi passer")
        assert "pas de suivi des pistes pour cette séance" in await table.command(ROOM, FAC, "!suivi passer")

    await table.game(ROOM, before_end=skip)
    assert "Suivi des pistes" in table.lobby
    assert "Suivi des pistes" not in table.final and "Suivi des pistes" not in table.files[-1][2]


async def test_follow_up_answers_bad_input_with_its_right_form(table):
    assert "aucune partie terminée" in await table.command(ROOM, BOB, "!suivi 1 fait")
    await table.game(ROOM, ideas=("Idée A",))
    for typed in ("!suivi", "!suivi fait", "!suivi 1", "!suivi 1 peut-être", "!suivi un fait"):
        assert "!suivi <n°> fait" in await table.command(ROOM, BOB, typed), typed
    assert "Je ne trouve pas la piste n° 9" in await table.command(ROOM, BOB, "!suivi 9 fait")
    assert "Je ne trouve pas la piste n° 4.1" in await table.command(ROOM, BOB, "!suivi 4.1 fait")
    long = "x" * 700
    answer = await table.command(ROOM, BOB, f"!suivi 1 en cours {long}")
    assert "les 500 premiers caractères" in answer


async def test_follow_up_notes_go_with_forget_me_and_with_the_purge(table):
    await table.game(ROOM, ideas=("Idée A", "Idée B"))
    await table.command(ROOM, BOB, "!suivi 1 en cours NOTE-DE-BOB-Zq")
    await table.command(ROOM, ALICE, "!suivi 2 en cours NOTE-D-ALICE-Wk avec @bob:example.org")
    assert table.on_disk("NOTE-DE-BOB-Zq") and table.on_disk("NOTE-D-ALICE-Wk")
    await table.command(ROOM, BOB, "!oublie-moi confirmer")
    assert not table.on_disk("NOTE-DE-BOB-Zq") and table.on_disk("NOTE-D-ALICE-Wk")
    assert not table.on_disk("@bob:example.org")  # named in Alice's note: now the pseudonym
    lobby = await table.command(ROOM, FAC, "!nouvelle")
    assert "1. Idée A (en cours)" in lobby  # the status stays, the note went
    await table.command(ROOM, FAC, "!annuler")
    await table.privacy.purge_expired(now=table.now.timestamp() + 31 * 86400)
    assert not table.on_disk("NOTE-D-ALICE-Wk") and not table.on_disk("Idée B")
    assert "Je ne trouve pas la piste n° 2" in await table.command(ROOM, BOB, "!suivi 2 fait")


@pytest.mark.parametrize("typed, status", [
    ("2 fait", "done"), ("2 done", "done"), ("2 realizată", "done"), ("2 erledigt", "done"), ("2 έγινε", "done"),
    ("2 en cours", "in_progress"), ("2 in progress", "in_progress"), ("2 în curs", "in_progress"),
    ("2 in Arbeit", "in_progress"), ("2 σε εξέλιξη", "in_progress"),
    ("2 abandonnée", "dropped"), ("2 dropped", "dropped"), ("2 abandonată", "dropped"),
    ("2 aufgegeben", "dropped"), ("2 εγκαταλείφθηκε", "dropped"),
])
def test_status_words_of_every_language(typed, status):
    assert followup.parse("٢.١ fait").ref == followup.Ref(1, 2) and followup.parse("⁵ fait") == "between.followup_usage"
    report = followup.parse(typed)
    assert (report.ref, report.status, report.note) == (followup.Ref(2), status, "")


@pytest.mark.parametrize("lang, command, recall", [
    ("en", "!follow-up 1 done", "Follow-up of the action ideas"),
    ("ro", "!urmărire 1 realizată", "Urmărirea ideilor de acțiune"),
    ("de", "!nachverfolgung 1 erledigt", "Nachverfolgung der Handlungsideen"),
    ("el", "!παρακολούθηση 1 έγινε", "Παρακολούθηση των ιδεών δράσης"),
])
async def test_follow_up_in_every_language(tmp_path, lang, command, recall):
    t = await Table(tmp_path, language=lang).open()
    try:
        await t.game(ROOM, ideas=("Idea A",))
        await t.game(ROOM, before_end=lambda: t.command(ROOM, BOB, command))
        assert recall in t.lobby and "1. Idea A" in t.lobby
        assert recall in t.final
    finally:
        await t.close()


async def test_privacy_says_what_is_kept_between_sessions(table):
    answer = await table.command(ROOM, BOB, "!confidentialite")
    assert answer.startswith("🔒") and "Entre les séances" in answer and "!oublie-moi" in answer.split("Entre")[1]


async def test_games_finished_before_the_upgrade_join_the_history(tmp_path):
    t = await Table(tmp_path).open()
    await t.game(ROOM, ideas=("A", "B", "politique:C"))
    await t.game(ROOM, start="!commencer dp-04", ideas=())
    await t.engine.games.purge(game_ids=[2])
    # As a database of the version before: without migration 6's tables.
    async with t.store.transaction() as db:
        for table in ("room_history", "action_followups", "trainer_settings", "direct_rooms"):
            await db.execute(f"DROP TABLE {table}")
        ours = next(m.version for m in MIGRATIONS if m.description.startswith("between sessions"))
        await db.execute(f"PRAGMA user_version = {ours - 1}")
    await t.close()

    store = await Store.open(tmp_path / "reflextics.db")
    try:
        first, second = await HistoryStore(store).room(ROOM)
        assert (first.number, first.card_id, first.players, first.levels, first.erased_at) == (
            1, "dp-03", 2, {"team": 2, "policy": 1}, None)
        assert first.started_at is not None
        assert (second.number, second.card_id, second.players, second.erased_at is not None) == (2, None, 2, True)
        assert await HistoryStore(store).played_cards(ROOM) == {"dp-03": 1}
    finally:
        await store.close()
