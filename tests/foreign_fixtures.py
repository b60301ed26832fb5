"""Fixture for foreign (matrix-js-sdk, Element's crypto) clients; see tests/foreign_client.py."""

from __future__ import annotations

import pytest

from bot.localserver import LocalSynapse
from tests.foreign_client import ForeignClient
from tests.harness import unique


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
