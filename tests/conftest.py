"""Fixtures: one real Synapse for the session, players and bots per test.

Helpers shared by several test modules live in ``tests/helpers/``; a test module
never imports another test module. A test that needs Synapse carries the ``synapse``
marker and sits in a module named ``test_<topic>_synapse.py``, which holds nothing
else: collection stops with the list of tests that break that rule, so
``-m "not synapse"`` and ``--ignore-glob='*_synapse.py'`` select the same tests.
"""

from __future__ import annotations

import pytest

from bot.decks import load_library
from bot.devtools.homeserver import LocalSynapse
from tests.helpers.foreign_client import ForeignClient
from tests.helpers.harness import Bots, Player, unique


@pytest.fixture(scope="session")
def library():
    """The built-in decks, loaded once; they load without a problem."""
    lib, problems = load_library()
    assert problems == []
    return lib


@pytest.fixture(scope="session")
async def synapse(tmp_path_factory):
    server = LocalSynapse(tmp_path_factory.mktemp("synapse"))
    await server.start()
    yield server
    server.stop()


@pytest.fixture
async def make_synapse(tmp_path):
    """A dedicated Synapse for one test (own directory, free port), with config overrides.

    For tests that stop the server or need settings the shared one must not have.
    """
    servers: list[LocalSynapse] = []

    async def make(**overrides) -> LocalSynapse:
        server = LocalSynapse(tmp_path / unique("synapse"), overrides=overrides)
        await server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
async def make_player(synapse, tmp_path):
    players: list[Player] = []

    async def make(name: str = "player", server: LocalSynapse | None = None) -> Player:
        localpart = unique(name)
        player = Player(server or synapse, localpart, tmp_path / "players" / localpart)
        await player.start()
        players.append(player)
        return player

    yield make
    for player in players:
        await player.stop()


@pytest.fixture
async def make_bot(synapse, tmp_path):
    """Start bots on the session server (or another); all are stopped at the end.

    ``make_bot(...)`` starts one; ``make_bot.restart(bot)`` stops it and starts it
    again on the same config and data directory.
    """
    bots = Bots(synapse, tmp_path)
    yield bots
    await bots.stop_all()


@pytest.fixture
async def make_foreign(synapse):
    """``await make_foreign("alice")``: a logged-in, syncing js-sdk client of a new user.

    ``cross_signing=True`` bootstraps cross-signing (the device signed by its owner, as
    for an Element user with secure backup); ``only_signed=True`` then turns on
    OnlySignedDevicesIsolationMode ("exclude insecure devices"). All are stopped at the end.
    """
    clients: list[ForeignClient] = []

    async def make(name: str = "foreign", server: LocalSynapse | None = None, cross_signing: bool = True,
                   only_signed: bool = False) -> ForeignClient:
        client = ForeignClient(server or synapse, unique(name))
        clients.append(client)  # before start: a failed start is still cleaned up
        await client.start()
        if cross_signing:
            await client.bootstrap_cross_signing()
        if only_signed:
            await client.set_isolation(only_signed=True)
        return client

    yield make
    for client in clients:
        await client.stop()


# Fixtures that start or need a real homeserver: using one makes a test a Synapse test.
SYNAPSE_FIXTURES = frozenset({"synapse", "make_synapse", "make_player", "make_bot", "make_foreign"})


def pytest_collection_modifyitems(config, items):
    wrong = []
    for item in items:
        marked = item.get_closest_marker("synapse") is not None
        if SYNAPSE_FIXTURES & set(getattr(item, "fixturenames", ())) and not marked:
            wrong.append(f"{item.nodeid}: uses a Synapse fixture but lacks @pytest.mark.synapse")
        if marked != item.path.name.endswith("_synapse.py"):
            wrong.append(f"{item.nodeid}: " + ("a Synapse test belongs in a module named test_<topic>_synapse.py"
                                               if marked else "a module named *_synapse.py holds Synapse tests only"))
    if wrong:
        raise pytest.UsageError("Synapse tests must be findable by marker and by name:\n  " + "\n  ".join(wrong))
