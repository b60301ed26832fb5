"""Card rotation: a room does not draw again a card it has played until the theme's are all played.

Pure. Among the cards a draw may take, only those played the fewest times in the room
are candidates, so a theme is gone through once before any of its cards comes back,
and a card added to the deck later is drawn first. A card named by the facilitator
is never subject to this.
"""

from __future__ import annotations

from typing import Mapping, Sequence, TypeVar

T = TypeVar("T")


def candidates(cards: Sequence[T], played: Mapping[str, int], card_id=lambda card: card.id) -> list[T]:
    """The cards of ``cards`` played least often in the room (all of them when none was played)."""
    if not cards:
        return []
    counts = [played.get(card_id(card), 0) for card in cards]
    fewest = min(counts)
    return [card for card, count in zip(cards, counts) if count == fewest]
