"""Game settings: step durations and limits, from the config (durations in seconds)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Settings:
    """How long each step lasts and what the rules accept.

    ``auto_advance``: when a step or a turn runs out of time, go on by itself (True)
    or only tell the room and the facilitator that time is up (False).
    """

    card_seconds: int = 120  # step 1: reading the card
    turn_seconds: int = 180  # step 2: each speaking turn
    resources_seconds: int = 300  # step 3: resources and the vote
    actions_seconds: int = 600  # step 4: action ideas
    synthesis_seconds: int = 600  # window to amend the draft synthesis
    reminder_seconds: int = 30  # reminder this long before a turn or step ends (0: none)
    silence_seconds: int = 60  # narrator prompt after this long without a word (0: none)
    auto_advance: bool = True
    min_players: int = 2
    max_players: int = 10
    max_turn_chars: int = 4000  # one turn's contribution, all messages together
    max_action_chars: int = 500
    max_amend_chars: int = 4000
    week_nudge_seconds: int = 86400  # week games: nudge who has not answered this long before a deadline (0: none)
    week_progress_seconds: int = 86400  # week games: progress counts at most this often (0: none)
    # A step or turn timer running this late was missed while the bot was down: the room is told.
    late_seconds: int = 60

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "auto_advance":
                if not isinstance(value, bool):
                    raise ValueError("auto_advance: must be true or false")
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{f.name}: must be a whole number")
            zero_ok = f.name in ("reminder_seconds", "silence_seconds", "week_nudge_seconds", "week_progress_seconds")
            if value < (0 if zero_ok else 1):
                raise ValueError(f"{f.name}: must be {'≥ 0' if zero_ok else '≥ 1'}")
        if self.min_players < 2:
            raise ValueError("min_players: the game needs at least 2 players")
        if self.max_players < self.min_players:
            raise ValueError("max_players: must be ≥ min_players")
