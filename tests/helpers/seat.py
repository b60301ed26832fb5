"""A room on a real Synapse with a bot, a trainer and players, ready to play (`seat`)."""

from __future__ import annotations

from tests.helpers.harness import Player

# Long steps: these games are driven by commands; timers have their own tests.
CALM = {"card_seconds": 3600, "turn_seconds": 3600, "resources_seconds": 3600, "actions_seconds": 3600,
        "amend_seconds": 3600, "reminder_seconds": 0, "silence_seconds": 0}


class Table:
    """A room with the bot, a trainer (room creator) and players; waits on what the bot says."""

    def __init__(self, bot, room: str, trainer: Player, players: list[Player]):
        self.bot = bot
        self.room = room
        self.trainer = trainer
        self.players = players
        self.bot_id = bot.config.matrix.user_id

    @property
    def everyone(self) -> list[Player]:
        return [self.trainer, *self.players]

    def mark(self) -> dict[str, int]:
        return {p.localpart: len(p.messages) for p in self.everyone}

    async def says(self, player: Player, text: str, expect: str, seen_by: list[Player] | None = None):
        """``player`` sends ``text``; every one of ``seen_by`` decrypts a bot message containing ``expect``."""
        marks = self.mark()
        await player.send(self.room, text)
        got = None
        for p in seen_by or self.everyone:
            got = await p.wait_message(self.room, self.bot_id, expect, after=marks[p.localpart])
            assert got.decrypted, f"{p.localpart} got a message that was not encrypted"
        return got

    def bot_messages(self, player: Player, after: int = 0):
        return player.from_user(self.room, self.bot_id, after)


async def seat(make_bot, make_player, n_players: int = 2, sections: dict | None = None, **game) -> Table:
    bot = await make_bot(game={**CALM, **game}, **(sections or {}))
    trainer = await make_player("trainer")
    players = [await make_player(f"p{i}") for i in range(n_players)]
    bot_id = bot.config.matrix.user_id
    room = await trainer.create_room(invite=[bot_id] + [p.user_id for p in players])
    await trainer.wait_membership(room, bot_id, "join")
    for p in players:
        await p.wait_until(lambda p=p: room in p.client.invited_rooms or room in p.client.rooms, what="the invite")
        await p.client.join(room)
        await trainer.wait_membership(room, p.user_id, "join")
    return Table(bot, room, trainer, players)
