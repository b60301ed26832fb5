"""What the narrator posts: game messages, the card, resources, board, prompts.

Turns the pure rules' effects and the deck's content into :class:`Rendered`
messages in the room's language — or, in a bilingual room, in both: each message is
built once per language and the two are put together by
:func:`bot.messages.render.bilingual`. Every piece of user or deck text is escaped
in the HTML; labels come from the catalogue (``narration.*``, ``game.*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from bot.decks import Card, Library
from bot.game import UserRef, resolve
from bot.game.privacy import erased_number
from bot.messages.catalogue import Catalogue, listed
from bot.messages import notify
from bot.messages.render import Html, Mention, Rendered, Renderer, bilingual, escape, isolate, pill
from bot.schedule import wording

# Resources longer than this are posted as several messages, whole sections each, so
# that a bilingual room gets the same sections side by side. A readability choice,
# not the homeserver's size limit: that one is enforced for every message where
# messages are sent (bot/matrix/size.py), measured in encrypted bytes.
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
    also: tuple[str, ...] = ()  # a bilingual room's second language, shown below the main one

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language the room reads, the main one first."""
        return (self.language, *(lang for lang in self.also if lang != self.language))

    def only(self, lang: str) -> "RoomView":
        """The same room seen in ``lang`` alone (e.g. a card asked for in another language)."""
        return RoomView(lang, self.prefix, self.display_name, self.library, self.pseudonymous, self.timezone)


@dataclass(frozen=True)
class PerLanguage:
    """A parameter the caller words in each language (a date, a schedule's rule)."""

    words: Callable[[str], str]


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
        locale = self.catalogue.locale(lang)

        def named(ref: UserRef):
            return self.person(room, ref.user_id, lang)

        def pilled(ref: UserRef):
            name = named(ref)
            return Mention(ref.user_id, name) if erased_number(ref.user_id) is None else name

        def user_list(items: tuple) -> Html:
            html_parts = [pill(i) if isinstance(i, Mention) else escape(str(i)) for i in items]
            text_parts = [isolate(i.label if isinstance(i, Mention) else str(i)) for i in items]
            return Html(listed(html_parts, locale), listed(text_parts, locale))

        def text(key: str, **inner: Any) -> str:
            plain = {k: (v.label if isinstance(v, Mention) else v.text if isinstance(v, Html) else v)
                     for k, v in inner.items()}
            return self.catalogue.text(lang, key, prefix=room.prefix, **plain)

        def plain_text(key: str, **inner: Any) -> str:
            return self.catalogue.text(lang, key, **inner)

        lookups = dict(text=text, user_list=user_list, theme=lambda t: room.library.theme_title(t, lang),
                       card=lambda c: self.card_title(room.library, c, lang),
                       moment=lambda m: wording.soon(plain_text, m.at, m.zone),
                       city=lambda z: wording.city(z.zone, plain_text))
        values = resolve(tuple(p for p in params if p[0] != acting), user=named, **lookups)
        values.update(resolve(tuple(p for p in params if p[0] == acting), user=pilled, **lookups))
        values.setdefault("prefix", room.prefix)
        return {k: v.words(lang) if isinstance(v, PerLanguage) else v for k, v in values.items()}

    def each(self, room: RoomView, build: Callable[[str], Rendered]) -> Rendered:
        """``build(lang)`` for every language of the room, as one message."""
        languages = room.languages
        parts = [build(lang) for lang in languages]
        if len(parts) == 1:
            return parts[0]
        return bilingual(parts, [self.catalogue.text(lang, "language.name") for lang in languages])

    def message(self, room: RoomView, key: str, params: tuple = ()) -> Rendered:
        """Catalogue message ``key``: ``m.text`` pinging whom it asks to act, else ``m.notice`` (see notify.py)."""
        acting = notify.acting_param(key)

        def build(lang: str) -> Rendered:
            return self.renderer.render(lang, key, notify.msgtype(key),
                                        **self.values(room, params, lang=lang, acting=acting))

        rendered = self.each(room, build)
        # An erased person is nobody to ping.
        mentions = tuple(m for m in notify.addressees(key, params) if erased_number(m) is None)
        return Rendered(rendered.body, rendered.html, mentions, rendered.msgtype)

    def lines(self, room: RoomView, lines: tuple[tuple[str, tuple], ...]) -> Rendered:
        """Several catalogue lines (e.g. ``!actions``) as one message, each language in one block."""
        def build(lang: str) -> Rendered:
            return self.renderer.join([self.message(room.only(lang), k, p) for k, p in lines], "\n")

        return self.each(room, build)

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
    # A translation the deck lacks falls back to another language (the library's
    # choice); the bilingual join then leaves out a part identical to the main one.

    def card(self, room: RoomView, card: Card) -> Rendered:
        return self.each(room, lambda lang: self._card(lang, room, room.library.card(card.id, lang) or card))

    def _card(self, lang: str, room: RoomView, card: Card) -> Rendered:
        theme = room.library.theme_title(card.theme, lang)
        blocks = [
            _Block.bold(f"🃏 {card.title}"),
            _Block.italic(self.catalogue.text(lang, "narration.card_theme", theme=theme)),
            _Block.para(card.situation),
        ]
        if card.people:
            blocks += [_Block.bold(self.catalogue.text(lang, "narration.card_people")), _Block.items(card.people)]
        blocks += [_Block.bold(self.catalogue.text(lang, "narration.card_questions")), _Block.items(card.questions)]
        if card.dilemma:
            blocks += [_Block.bold(self.catalogue.text(lang, "narration.card_dilemma")), _Block.para(card.dilemma)]
        return _Block.message(blocks)

    def resources(self, room: RoomView, theme: str, max_chars: int = MAX_MESSAGE_CHARS,
                  sized_for: tuple[str, ...] = ()) -> list[Rendered]:
        """The theme's resources: one message, or one per group of sections beyond ``max_chars``.

        In a bilingual room every group holds the same sections in both languages (the
        completeness check keeps the sections in step), so the limit counts both.
        ``sized_for`` groups the sections by the size of those languages while writing
        only ``room``'s: each language of a moment put together apart (moment.py) gets
        the same parts, so every part carries every language.
        """
        languages = room.languages
        sizing = sized_for or languages
        blocks = {lang: self._resource_blocks(lang, room, theme) for lang in dict.fromkeys((*languages, *sizing))}
        sizes = [sum(sum(len(b.text) + 2 for b in blocks[lang][i]) if i < len(blocks[lang]) else 0
                     for lang in sizing) for i in range(max(len(v) for v in blocks.values()))]
        groups: list[list[int]] = [[0]]  # indices into each language's list; 0 is the header
        size = sizes[0]
        for index in range(1, len(sizes)):
            if size + sizes[index] > max_chars and groups[-1] != [0]:  # the header keeps a section
                groups.append([])
                size = 0
            groups[-1].append(index)
            size += sizes[index]
        return [self.each(room, lambda lang, group=group: _Block.message(
            [b for i in group if i < len(blocks[lang]) for b in blocks[lang][i]])) for group in groups]

    def _resource_blocks(self, lang: str, room: RoomView, theme: str) -> list[list["_Block"]]:
        """The header (with "no resources" when there are none), then one list of blocks per section."""
        sections = room.library.resources(theme, lang)
        header = [_Block.bold(self.catalogue.text(lang, "narration.resources_header",
                                                  theme=room.library.theme_title(theme, lang)))]
        if not sections:
            return [header + [_Block.italic(self.catalogue.text(lang, "narration.resources_none"))]]
        out = [header]
        for section in sections:
            blocks = [_Block.bold(section.title)]
            if section.text:
                blocks.append(_Block.para(section.text))
            if section.items:
                blocks.append(_Block.items(section.items))
            if section.note:
                blocks.append(_Block.italic(section.note))
            out.append(blocks)
        return out

    def board(self, room: RoomView) -> Rendered:
        return self.each(room, lambda lang: self._board(lang, room))

    def _board(self, lang: str, room: RoomView) -> Rendered:
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
        def build(lang: str) -> Rendered:
            prompts = room.library.prompts(lang)
            text = prompts[index % len(prompts)] if prompts else "…"
            params: tuple = (("prompt", text),)
            if speaker:
                return self.message(room.only(lang), "narration.prompt_to", params + (("speaker", UserRef(speaker)),))
            return self.message(room.only(lang), "narration.prompt", params)

        return self.each(room, build)


class _Block:
    """A piece of a formatted message: escaped HTML and its plain text."""

    def __init__(self, html: str, text: str):
        self.html = html
        self.text = text

    @classmethod
    def para(cls, text: str) -> "_Block":
        return cls(f"<p>{escape(text)}</p>", isolate(text))

    @classmethod
    def bold(cls, text: str) -> "_Block":
        return cls(f"<p><b>{escape(text)}</b></p>", isolate(text))

    @classmethod
    def italic(cls, text: str) -> "_Block":
        return cls(f"<p><i>{escape(text)}</i></p>", isolate(text))

    @classmethod
    def items(cls, items) -> "_Block":
        html = "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
        return cls(html, "\n".join(f"• {isolate(i)}" for i in items))

    @staticmethod
    def message(blocks: list["_Block"], msgtype: str = "m.notice") -> Rendered:
        body = "\n\n".join(b.text for b in blocks)
        # Never cut here: the plain body says what the HTML says (the sending layer
        # splits a message too big for the homeserver at its blocks).
        return Rendered(body, "".join(b.html for b in blocks), (), msgtype)
