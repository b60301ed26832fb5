"""The synthesis of a game: a data structure built from the state, and Markdown.

What it holds: the card and theme, the date, the participants, each turn's
contribution in speaking order (passed, skipped, timed-out turns noted), whether the
theme's resources were shared, the vote, the action ideas grouped by the four
levels, and a volunteer's summary.

Amending (the guide: "une synthèse peut être rédigée par une volontaire"): ``End``
(or a "no" vote) opens the ``synthesis`` phase; its *draft* is shown to whoever asks
(``!synthesis`` alone), not posted, so the room gets the text once. During that window
any player may type
``!synthese <text>`` (event ``Amend``): the text becomes the volunteer's summary
paragraph, shown with its author; a later ``Amend`` replaces it, so the group can
improve one paragraph rather than stack several. A contribution is what its author
said as they last wrote it: their Matrix edits replace its messages, deletions remove
them (:mod:`bot.game.edits`). The facilitator's ``End`` or ``Next``, or the
end of the window (``Settings.amend_seconds``), makes it final
(``PostSynthesis(final=True)`` then ``GameOver``): the full text and the file.

Titles and words come from the caller (deck and catalogue lookups), so this module
imports neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from bot.game.state import FINISHED, LEVELS, SPOKEN, Action, GameState, VoteResult
from bot.game.visible import isolate


@dataclass(frozen=True)
class Contribution:
    """One speaking turn as the synthesis shows it."""

    speaker: str
    text: str
    status: str
    erased: bool = False


@dataclass(frozen=True)
class Synthesis:
    """Everything the synthesis shows, in order."""

    final: bool
    card_id: str | None
    theme: str | None
    date: datetime | None
    participants: tuple[str, ...]
    contributions: tuple[Contribution, ...]
    resources_shared: bool
    vote: VoteResult | None
    actions: tuple[tuple[str, tuple[Action, ...]], ...]  # (level, ideas) for the four levels
    amendment: str | None
    amended_by: str | None
    until: datetime | None = None  # a week game: its end (or last deadline), shown with its start


def actions_by_level(state: GameState) -> tuple[tuple[str, tuple[Action, ...]], ...]:
    """The action ideas grouped by level, in the board's order (also for ``!actions``)."""
    return tuple((level, tuple(a for a in state.actions if a.level == level)) for level in LEVELS)


def build(state: GameState, final: bool | None = None) -> Synthesis:
    """The synthesis of ``state``; ``final`` defaults to whether the game is finished."""
    return Synthesis(
        final=state.phase == FINISHED if final is None else final,
        card_id=state.card_id,
        theme=state.theme,
        date=state.started or state.created,
        participants=state.participants or state.players,
        contributions=tuple(Contribution(t.speaker, t.text, t.status, t.erased) for t in state.turns),
        resources_shared=state.resources_shared,
        vote=state.vote,
        actions=actions_by_level(state),
        amendment=state.amendment,
        amended_by=state.amended_by,
        until=(state.ended or state.week.deadlines[-1]) if state.week is not None else None,
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    """User or deck text, inert in Markdown, and isolated when its direction could turn the line."""
    return _MD_SPECIAL.sub(r"\\\1", isolate(text))


def _quote(text: str) -> str:
    return "\n".join("> " + md_escape(line) if line else ">" for line in text.splitlines())


@dataclass(frozen=True)
class Wording:
    """How one language words the synthesis: catalogue texts, deck titles, dates."""

    text: Callable[..., str]
    card_title: Callable[[str], str]
    theme_title: Callable[[str], str]
    date_text: Callable[[datetime], str] = lambda d: d.strftime("%Y-%m-%d %H:%M %Z")


def to_markdown(
    syn: Synthesis,
    *,
    text: Callable[..., str],
    user_name: Callable[[str], str],
    card_title: Callable[[str], str],
    theme_title: Callable[[str], str],
    date_text: Callable[[datetime], str] = lambda d: d.strftime("%Y-%m-%d %H:%M %Z"),
    also: tuple[Wording, ...] = (),
) -> str:
    """The synthesis as a Markdown document.

    ``text(key, **params)`` gives catalogue texts in the room's language; the other
    callables give display names and deck titles. ``also`` words it in further
    languages too (a bilingual room): every label then reads "main · other", while
    what people wrote appears once.
    """
    wordings = (Wording(text, card_title, theme_title, date_text), *also)

    def say(key: str, **params) -> str:
        # A callable parameter is worded per language (a title, a date).
        texts = [w.text(key, **{k: v(w) if callable(v) else v for k, v in params.items()}) for w in wordings]
        return " · ".join(dict.fromkeys(texts))

    def name(user: str) -> str:
        return md_escape(user_name(user))

    def italic(key: str) -> str:
        return " · ".join(dict.fromkeys("_" + w.text(key) + "_" for w in wordings))

    out = ["# " + say("game.synth.title")]
    if not syn.final:
        out += ["", italic("game.synth.draft_note")]
    out.append("")
    if syn.card_id:
        out.append("- " + say("game.synth.card", card=lambda w: md_escape(w.card_title(syn.card_id))))
    if syn.theme:
        out.append("- " + say("game.synth.theme", theme=lambda w: md_escape(w.theme_title(syn.theme))))
    if syn.date and syn.until:
        out.append("- " + say("week.synth_dates", start=lambda w: w.date_text(syn.date),
                              end=lambda w: w.date_text(syn.until)))
    elif syn.date:
        out.append("- " + say("game.synth.date", date=lambda w: w.date_text(syn.date)))
    out.append("- " + say("game.synth.participants", names=", ".join(name(u) for u in syn.participants)))

    out += ["", "## " + say("game.synth.round"), ""]
    if not syn.contributions:
        out += [italic("game.synth.no_turns"), ""]
    for c in syn.contributions:
        out.append("### " + name(c.speaker))
        if c.erased:
            out.append(italic("game.synth.erased"))
        elif c.text:
            out.append(_quote(c.text))
        elif c.status == SPOKEN:
            out.append(italic("game.synth.deleted"))  # the speaker's messages were all deleted
        if c.status != SPOKEN:
            out += ["", italic("game.synth.turn." + c.status)]
        out.append("")

    out += ["## " + say("game.synth.resources"), ""]
    if syn.resources_shared and syn.theme:
        out.append(say("game.synth.resources_shared", theme=lambda w: md_escape(w.theme_title(syn.theme))))
    else:
        out.append(italic("game.synth.resources_not_shared"))

    out += ["", "## " + say("game.synth.vote"), ""]
    if syn.vote is None:
        out.append(italic("game.synth.no_vote"))
    else:
        key = "game.synth.vote_yes" if syn.vote.go_on else "game.synth.vote_no"
        out.append(say(key, yes=syn.vote.yes, no=syn.vote.no))
        if syn.vote.decided_by == "facilitator":
            out += ["", italic("game.synth.vote_by_facilitator")]

    out += ["", "## " + say("game.synth.actions"), ""]
    if not any(ideas for _, ideas in syn.actions):
        out += [italic("game.synth.no_actions"), ""]
    else:
        for level, ideas in syn.actions:
            out += ["### " + say("game.level." + level), ""]
            if not ideas:
                out.append("- " + italic("game.synth.level_empty"))
            for a in ideas:
                idea = italic("game.synth.erased") if a.erased else md_escape(" ".join(a.text.split()))
                out.append("- " + idea + " — _" + name(a.author) + "_")
            out.append("")

    if syn.amendment:
        heading = say("game.synth.amendment", user=name(syn.amended_by or ""))
        out += ["## " + heading, "", _quote(syn.amendment), ""]
    return "\n".join(out).rstrip() + "\n"
