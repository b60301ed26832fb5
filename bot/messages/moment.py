"""One message per moment: the effects of one game transition as what the room receives.

Every message effect of one applied event (catalogue messages, the card, the
resources, the board, a prompt, the synthesis) becomes a part of **one** Matrix
message, in the rules' order, so a step change, a turn change ("merci X" and "à
vous Y") or the end of a vote notifies a phone once. That message is ``m.text``
when one of its parts asks someone to act (the rule of :mod:`bot.messages.notify`),
and mentions exactly those people; else ``m.notice``. What cannot be part of a
message follows it, in order: the synthesis file, the vote's poll.

The resources of a theme are one part of that message (the guide's longest theme
is about 8,500 characters): one step, one message. Only resources longer than
:data:`~bot.messages.narration.MAX_MESSAGE_CHARS` would be split at their sections, into a message each.
"""

from __future__ import annotations

from typing import Callable

from bot.game import GameState
from bot.game import effects as fx
from bot.messages.narration import MAX_MESSAGE_CHARS, Narrator, RoomView
from bot.messages.render import Rendered


def compose(narrator: Narrator, view: RoomView, state: GameState, effects: tuple,
            synthesis: Callable[[RoomView, GameState, bool], list],
            extras: Callable[[object], list[dict]] = lambda effect: []) -> list[dict]:
    """The outbox entries of one transition: at most one message, then its extras.

    ``synthesis(view, state, final)`` gives the synthesis posts (a Rendered, then
    a file entry when final); ``extras(effect)`` the entries of other effects
    (e.g. the poll), already in their final form.
    """
    groups: list[list[Rendered]] = [[]]
    after: list[dict] = []
    for effect in effects:
        if isinstance(effect, (fx.Say, fx.Reply)):
            groups[-1].append(narrator.message(view, effect.key, effect.params))
        elif isinstance(effect, fx.PostCard):
            card = view.library.card(effect.card_id, view.language)
            if card:
                groups[-1].append(narrator.card(view, card))
        elif isinstance(effect, fx.PostResources):
            pieces = narrator.resources(view, effect.theme, MAX_MESSAGE_CHARS)
            groups[-1].append(pieces[0])
            for piece in pieces[1:]:  # only for resources too long for one message
                groups.append([piece])
        elif isinstance(effect, fx.PostBoard):
            groups[-1].append(narrator.board(view))
        elif isinstance(effect, fx.PostPrompt):
            groups[-1].append(narrator.prompt(view, effect.index, effect.speaker))
        elif isinstance(effect, fx.PostSynthesis):
            for post in synthesis(view, state, effect.final):
                if isinstance(post, Rendered):
                    groups[-1].append(post)
                else:
                    after.append(post)
        else:
            after.extend(extras(effect))
    messages = [{"type": "message", "content": narrator.renderer.join(parts).content()}
                for parts in groups if parts]
    return messages + after
