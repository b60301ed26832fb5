"""Fixtures: one real Synapse for the session, players and bots per test."""

from __future__ import annotations

import pytest

from bot.localserver import LocalSynapse
from tests.harness import Player, bot_config, start_bot, unique


@pytest.fixture(scope="session")
async def synapse(tmp_path_factory):
    server = LocalSynapse(tmp_path_factory.mktemp("synapse"))
    await server.start()
    yield server
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
    """Start bots on the session server (or another); all are stopped at the end."""
    bots = []

    async def make(localpart: str | None = None, server: LocalSynapse | None = None, data_dir=None, **sections):
        server = server or synapse
        localpart = localpart or unique("bot")
        await server.register(localpart, "secret-" + localpart)
        config = bot_config(server, localpart, data_dir or tmp_path / f"data-{localpart}", **sections)
        bot = await start_bot(config)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.stop()
