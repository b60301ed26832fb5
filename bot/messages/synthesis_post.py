"""The synthesis as posted: a formatted message, and a Markdown file when final."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.game import GameState, Wording, build_synthesis, to_markdown
from bot.messages.markdown import plain, to_html
from bot.messages.narration import Narrator, RoomView
from bot.messages.render import Rendered

# Followed by the zone's name: dates are read in the room's zone, not UTC.
DATE_FORMATS = {"fr": "%d/%m/%Y %H:%M", "en": "%Y-%m-%d %H:%M", "ro": "%d.%m.%Y %H:%M",
                "el": "%d/%m/%Y %H:%M", "de": "%d.%m.%Y %H:%M"}


class SynthesisWriter:
    """Builds the synthesis document of a game in the room's language(s)."""

    def __init__(self, narrator: Narrator):
        self.narrator = narrator

    def markdown(self, view: RoomView, state: GameState, final: bool) -> str:
        """The document in the room's language; a bilingual room's labels in both."""
        view = in_game_zone(view, state)
        catalogue = self.narrator.catalogue
        synthesis = build_synthesis(state, final)
        user_name = lambda user: self.narrator.person(view, user)
        if view.pseudonymous:
            user_name = pseudonyms(synthesis, lambda n: catalogue.text(view.language, "privacy.pseudonym", number=n))
        main, *also = [self.wording(view, lang) for lang in view.languages]
        return to_markdown(synthesis, text=main.text, user_name=user_name, card_title=main.card_title,
                           theme_title=main.theme_title, date_text=main.date_text, also=tuple(also))

    def wording(self, view: RoomView, lang: str) -> Wording:
        catalogue = self.narrator.catalogue
        library = view.library
        return Wording(
            text=lambda key, **params: catalogue.text(lang, key, **params),
            card_title=lambda card_id: self.narrator.card_title(library, card_id, lang),
            theme_title=lambda theme: library.theme_title(theme, lang),
            date_text=lambda d: local_date(d, view.timezone, lang),
        )

    def file_name(self, view: RoomView, day: str) -> str:
        """The file's name: the room's language's, or in a bilingual room both languages' words."""
        catalogue = self.narrator.catalogue
        if len(view.languages) == 1:
            return catalogue.text(view.language, "narration.synthesis_file", date=day)
        words = dict.fromkeys(catalogue.text(lang, "safety.synthesis_file_word") for lang in view.languages)
        return f"reflextics-{'-'.join(words)}-{day}.md"

    def posts(self, view: RoomView, state: GameState, final: bool) -> list:
        """The message (and, when final, the file) as outbox entries or Rendered."""
        document = self.markdown(view, state, final)
        body = "\n".join(plain(line) for line in document.splitlines())
        message = Rendered(body, to_html(document), (), "m.notice")
        if not final:
            return [message]
        when = state.started or state.created or datetime.now(timezone.utc)
        day = when.astimezone(ZoneInfo(in_game_zone(view, state).timezone)).strftime("%Y-%m-%d")
        filename = self.file_name(view, day)
        return [message, {"type": "file", "text": document, "filename": filename, "mimetype": "text/markdown"}]


def in_game_zone(view: RoomView, state: GameState) -> RoomView:
    """A week game's dates are read in its own zone (the one its deadlines were said in)."""
    return replace(view, timezone=state.week.zone) if state.week is not None else view


def local_date(moment: datetime, zone: str, lang: str) -> str:
    """``moment`` as people in ``zone`` read it: "04/03/2025 14:00 (Europe/Paris)"."""
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime(DATE_FORMATS.get(lang, DATE_FORMATS["en"])) + f" ({zone})"


def pseudonyms(synthesis, label):
    """A name function giving "Participant N" by order of appearance, never a Matrix id."""
    numbers: dict[str, int] = {}
    people = list(synthesis.participants) + [c.speaker for c in synthesis.contributions]
    people += [a.author for _, ideas in synthesis.actions for a in ideas]
    if synthesis.amended_by:
        people.append(synthesis.amended_by)
    for user in people:
        numbers.setdefault(user, len(numbers) + 1)
    return lambda user: label(numbers.setdefault(user, len(numbers) + 1))
