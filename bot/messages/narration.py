"""What the narrator posts: game messages, the card, resources, board, prompts.

Turns the pure rules' effects and the deck's content into :class:`Rendered`
messages in the room's language. Every piece of user or deck text is escaped in the
HTML; labels come from the catalogue (``narration.*``, ``game.*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from bot.decks import Card, Library
from bot.game import UserRef, resolve
from bot.game.privacy import erased_number
from bot.messages import notify
from bot.messages.catalogue import Catalogue
from bot.messages.render import Html, Mention, Rendered, Renderer, escape, pill

# The longest message body we post in one piece (with its HTML and encryption, well
# under Matrix's 64 KiB per event); longer resources are split between sections.
MAX_MESSAGE_CHARS = 16000


@dataclass
class RoomView:
    """What rendering needs to know of one room."""

    language: str
    prefix: str
    display_name: Callable[[str], str]
    library: Library  # the built-in and configured decks, plus the room's own cards
    pseudonymous: bool = False  # syntheses show "Participant 1…" instead of names
    timezone: str = "UTC"  # IANA zone of the dates people read (schedule.default_timezone)


class Narrator:
    """Renders game effects and deck content for one catalogue and library."""

    def __init__(self, catalogue: Catalogue, library: Library):
        self.catalogue = catalogue
        self.renderer = Renderer(catalogue)
        self.library = library  # without any room's own cards

    # -- catalogue messages with game parameters -----------------------------------

    def values(self, room: RoomView, params: tuple, *, lang: str | None = None,
               acting: str | None = None) -> dict[str, Any]:
        """``params`` ready for the renderer; the users of parameter ``acting`` become pills."""
        lang = lang or room.language

        def named(ref: UserRef):
            return self.person(room, ref.user_id, lang)

        def pilled(ref: UserRef):
            name = named(ref)
            return Mention(ref.user_id, name) if erased_number(ref.user_id) is None else name

        def user_list(items: tuple) -> Html:
            html_parts = [pill(i) if isinstance(i, Mention) else escape(str(i)) for i in items]
            text_parts = [i.label if isinstance(i, Mention) else str(i) for i in items]
            return Html(", ".join(html_parts), ", ".join(text_parts))

        def text(key: str, **inner: Any) -> str:
            plain = {k: (v.label if isinstance(v, Mention) else v.text if isinstance(v, Html) else v)
                     for k, v in inner.items()}
            return self.catalogue.text(lang, key, prefix=room.prefix, **plain)

        lookups = dict(text=text, user_list=user_list, theme=lambda t: room.library.theme_title(t, lang),
                       card=lambda c: self.card_title(room.library, c, lang))
        values = resolve(tuple(p for p in params if p[0] != acting), user=named, **lookups)
        values.update(resolve(tuple(p for p in params if p[0] == acting), user=pilled, **lookups))
        values.setdefault("prefix", room.prefix)
        return values

    def message(self, room: RoomView, key: str, params: tuple = ()) -> Rendered:
        """Catalogue message ``key``: ``m.text`` pinging whom it asks to act, else ``m.notice`` (see notify.py)."""
        acting = notify.acting_param(key)
        rendered = self.renderer.render(room.language, key, notify.msgtype(key),
                                        **self.values(room, params, acting=acting))
        # An erased person is nobody to ping.
        mentions = tuple(m for m in notify.addressees(key, params) if erased_number(m) is None)
        return Rendered(rendered.body, rendered.html, mentions, rendered.msgtype)

    def lines(self, room: RoomView, lines: tuple[tuple[str, tuple], ...]) -> Rendered:
        """Several catalogue lines (e.g. ``!actions``) as one message."""
        return self.renderer.join([self.message(room, k, p) for k, p in lines], "\n")

    def person(self, room: RoomView, user_id: str, lang: str | None = None) -> str:
        """How a person is named: their display name, or the pseudonym of an erased person."""
        number = erased_number(user_id)
        if number is not None:
            return self.catalogue.text(lang or room.language, "privacy.erased_person", number=number)
        return room.display_name(user_id)

    @staticmethod
    def card_title(library: Library, card_id: str, lang: str) -> str:
        card = library.card(card_id, lang)
        return card.title if card else card_id

    # -- deck content ---------------------------------------------------------------

    def _label(self, room: RoomView, key: str, **params: Any) -> str:
        return self.catalogue.text(room.language, key, **params)

    def card(self, room: RoomView, card: Card) -> Rendered:
        lang = room.language
        theme = room.library.theme_title(card.theme, lang)
        blocks = [
            _Block.bold(f"🃏 {card.title}"),
            _Block.italic(self._label(room, "narration.card_theme", theme=theme)),
            _Block.para(card.situation),
        ]
        if card.people:
            blocks += [_Block.bold(self._label(room, "narration.card_people")), _Block.items(card.people)]
        blocks += [_Block.bold(self._label(room, "narration.card_questions")), _Block.items(card.questions)]
        if card.dilemma:
            blocks += [_Block.bold(self._label(room, "narration.card_dilemma")), _Block.para(card.dilemma)]
        return _Block.message(blocks)

    def resources(self, room: RoomView, theme: str, max_chars: int = MAX_MESSAGE_CHARS) -> list[Rendered]:
        """The theme's resources: one message, or one per group of sections beyond ``max_chars``."""
        lang = room.language
        sections = room.library.resources(theme, lang)
        header = _Block.bold(self._label(room, "narration.resources_header",
                                         theme=room.library.theme_title(theme, lang)))
        if not sections:
            return [_Block.message([header, _Block.italic(self._label(room, "narration.resources_none"))])]
        groups: list[list[_Block]] = [[header]]
        size = len(header.text)
        for section in sections:
            blocks = [_Block.bold(section.title)]
            if section.text:
                blocks.append(_Block.para(section.text))
            if section.items:
                blocks.append(_Block.items(section.items))
            if section.note:
                blocks.append(_Block.italic(section.note))
            length = sum(len(b.text) + 2 for b in blocks)
            if size + length > max_chars and len(groups[-1]) > 1:
                groups.append([])
                size = 0
            groups[-1].extend(blocks)
            size += length
        return [_Block.message(blocks) for blocks in groups]

    def board(self, room: RoomView) -> Rendered:
        lang = room.language
        blocks = [_Block.bold("🧭 " + room.library.board_title(lang))]
        intro = room.library.board_intro(lang)
        if intro:
            blocks.append(_Block.para(intro))
        for level in room.library.board(lang):
            blocks.append(_Block.bold(f"{level.number}. {level.name}"))
            if level.description:
                blocks.append(_Block.para(level.description))
            if level.questions:
                blocks.append(_Block.items(level.questions))
        return _Block.message(blocks)

    def prompt(self, room: RoomView, index: int, speaker: str) -> Rendered:
        prompts = room.library.prompts(room.language)
        text = prompts[index % len(prompts)] if prompts else "…"
        params: tuple = (("prompt", text),)
        if speaker:
            return self.message(room, "narration.prompt_to", params + (("speaker", UserRef(speaker)),))
        return self.message(room, "narration.prompt", params)

class _Block:
    """A piece of a formatted message: escaped HTML and its plain text."""

    def __init__(self, html: str, text: str):
        self.html = html
        self.text = text

    @classmethod
    def para(cls, text: str) -> "_Block":
        return cls(f"<p>{escape(text)}</p>", text)

    @classmethod
    def bold(cls, text: str) -> "_Block":
        return cls(f"<p><b>{escape(text)}</b></p>", text)

    @classmethod
    def italic(cls, text: str) -> "_Block":
        return cls(f"<p><i>{escape(text)}</i></p>", text)

    @classmethod
    def items(cls, items) -> "_Block":
        html = "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
        return cls(html, "\n".join(f"• {i}" for i in items))

    @staticmethod
    def message(blocks: list["_Block"], msgtype: str = "m.notice") -> Rendered:
        body = "\n\n".join(b.text for b in blocks)
        return Rendered(body[:MAX_MESSAGE_CHARS], "".join(b.html for b in blocks), (), msgtype)
