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
Whatever the size, the sending layer (bot/matrix/size.py) cuts a message the
homeserver would refuse.
"""

from __future__ import annotations

from typing import Callable

from bot.game import GameState
from bot.game import effects as fx
from bot.messages.narration import MAX_MESSAGE_CHARS, Narrator, RoomView
from bot.messages.render import Rendered, bilingual


def compose(narrator: Narrator, view: RoomView, state: GameState, effects: tuple,
            synthesis: Callable[[RoomView, GameState, bool], list],
            extras: Callable[[object], list[dict]] = lambda effect: []) -> list[dict]:
    """The outbox entries of one transition: at most one message, then its extras.

    ``synthesis(view, state, final)`` gives the synthesis posts (a Rendered, then
    a file entry when final); ``extras(effect)`` the entries of other effects
    (e.g. the poll), already in their final form. In a bilingual room the moment
    is put together in each language, and the second language's whole message
    goes below the first's (not part by part); the synthesis, which words its
    labels in both languages itself, and the extras come once, with the main one.
    """
    languages = view.languages
    main, after = _groups(narrator, view.only(languages[0]) if len(languages) > 1 else view, state, effects,
                          synthesis, extras, full_view=view)
    others = [_groups(narrator, view.only(lang), state, effects, None, None, full_view=view)[0]
              for lang in languages[1:]]
    names = [narrator.catalogue.text(lang, "language.name") for lang in languages] if others else []
    messages = []
    for index, parts in enumerate(main):
        if not parts:
            continue
        joined = [narrator.renderer.join(parts)]
        joined += [narrator.renderer.join(other[index]) for other in others
                   if index < len(other) and other[index]]
        rendered = joined[0] if len(joined) == 1 else bilingual(joined, names)
        messages.append({"type": "message", "content": rendered.content()})
    return messages + after


def _groups(narrator: Narrator, view: RoomView, state: GameState, effects: tuple,
            synthesis: Callable[[RoomView, GameState, bool], list] | None,
            extras: Callable[[object], list[dict]] | None,
            full_view: RoomView) -> tuple[list[list[Rendered]], list[dict]]:
    """The parts of each message of the moment in ``view``'s language, and what follows them.

    Without ``synthesis``/``extras`` (a bilingual room's second language) those
    effects are left to the main language's pass. Resources too long for one
    message are cut where the room's languages together fill one (``full_view``),
    the same in each language's pass.
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
            pieces = narrator.resources(view, effect.theme, MAX_MESSAGE_CHARS, sized_for=full_view.languages)
            groups[-1].append(pieces[0])
            for piece in pieces[1:]:  # only for resources too long for one message
                groups.append([piece])
        elif isinstance(effect, fx.PostBoard):
            groups[-1].append(narrator.board(view))
        elif isinstance(effect, fx.PostPrompt):
            groups[-1].append(narrator.prompt(view, effect.index, effect.speaker))
        elif isinstance(effect, fx.PostSynthesis):
            for post in synthesis(full_view, state, effect.final) if synthesis else ():
                if isinstance(post, Rendered):
                    groups[-1].append(post)
                else:
                    after.append(post)
        elif extras is not None:
            after.extend(extras(effect))
    return groups, after
