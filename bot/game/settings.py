"""Game settings: step durations and limits, each declared once (durations in seconds).

The fields whose declaration is ``in_config`` are the ``game`` section of the config
file, under the same names, within the declared bounds; the others are rules of the
game that tests vary.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from bot.game.declared import METADATA_KEY, setting

DAY = 24 * 3600


@dataclass(frozen=True)
class Settings:
    """How long each step lasts and what the rules accept."""

    card_seconds: int = setting(120, "Step 1: time to read the situation card.", 5, DAY)
    turn_seconds: int = setting(180, "Step 2: time of each player's speaking turn.", 5, DAY)
    resources_seconds: int = setting(300, "Step 3: time to read the resources and vote on going on.", 5, DAY)
    actions_seconds: int = setting(600, "Step 4: time to propose action ideas.", 5, DAY)
    amend_seconds: int = setting(600, "After !fin: time during which a volunteer may amend the draft synthesis.",
                                 5, DAY)
    reminder_seconds: int = setting(30, "A reminder this long before a turn or step ends (0: none).", 0, DAY)
    silence_seconds: int = setting(60, "A narrator prompt after this long without a word in a turn (0: none).",
                                   0, DAY)
    auto_advance: bool = setting(True, "When time runs out: go on by itself (true) or only say so (false).")
    min_players: int = setting(2, "Players needed to start a game.", in_config=False)
    max_players: int = setting(10, "Players a game accepts.", in_config=False)
    max_turn_chars: int = setting(4000, "The longest contribution kept for one turn (all its messages), "
                                        "in characters.", 100, 60000)
    max_action_chars: int = setting(500, "The longest action idea kept, in characters.", in_config=False)
    max_amend_chars: int = setting(4000, "The longest amendment of the synthesis kept, in characters.",
                                   in_config=False)
    week_length_seconds: int = setting(5 * DAY, "Week games: their length when !nouvelle semaine names none.",
                                       5, 14 * DAY)
    week_nudge_seconds: int = setting(DAY, "Week games: nudge who has not answered this long before a deadline "
                                           "(0: no nudge).", 0, 14 * DAY)
    week_progress_seconds: int = setting(DAY, "Week games: the room's progress count at most this often (0: never).",
                                         0, 14 * DAY)
    late_seconds: int = setting(60, "A step timer running this late was missed while the bot was down: said so.",
                                in_config=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "auto_advance":
                if not isinstance(value, bool):
                    raise ValueError("auto_advance: must be true or false")
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{f.name}: must be a whole number")
            zero_ok = f.metadata[METADATA_KEY].minimum == 0  # 0 turns the thing off
            if value < (0 if zero_ok else 1):
                raise ValueError(f"{f.name}: must be {'≥ 0' if zero_ok else '≥ 1'}")
        if self.min_players < 2:
            raise ValueError("min_players: the game needs at least 2 players")
        if self.max_players < self.min_players:
            raise ValueError("max_players: must be ≥ min_players")
