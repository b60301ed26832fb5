"""A table to play the pure rules by hand: a fake clock, timers fired on demand.

Every message the rules emit is rendered in French and English with the real
catalogue, so a missing key or parameter fails the test that produced it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.game import IllegalMove, Settings, apply, event_from_dict, event_to_dict, resolve
from bot.game import effects as fx
from bot.game import events as ev
from bot.game.log import kept_texts, lets_go, loggable
from bot.game.state import GameState
from bot.messages import notify
from bot.messages.catalogue import Catalogue, placeholders
from bot.messages.render import Mention, render_template

T0 = datetime(2025, 3, 4, 13, 0, tzinfo=timezone.utc)
FAC = "@trainer:example.org"
ALICE, BOB, CAROL, DAN = (f"@{n}:example.org" for n in ("alice", "bob", "carol", "dan"))
STRANGER = "@someone:example.org"

CATALOGUE = Catalogue.load()
PREFIX_OK = ("prefix",)  # the engine always supplies the command prefix


def render(key: str, values, lang: str) -> str:
    """Render ``key`` with the rules' ``values`` as the engine would; checks the params."""
    template = CATALOGUE.messages[lang][key]
    given = {name for name, _ in values}
    expected = placeholders(template) - set(PREFIX_OK)
    assert given == expected, f"{key}: params {sorted(given)} != placeholders {sorted(expected)}"

    def text(k, **p):
        inner = CATALOGUE.messages[lang][k]
        assert placeholders(inner) == set(p), f"{k}: {sorted(p)} != {sorted(placeholders(inner))}"
        return inner.format(**p)

    acting = notify.acting_param(key)  # only they become pills, as in the engine
    lookups = dict(
        text=text,
        user_list=lambda items: ", ".join(i.label if isinstance(i, Mention) else str(i) for i in items),
        theme=lambda t: f"<theme {t}>", card=lambda c: f"<card {c}>",
    )
    resolved = resolve(tuple(v for v in values if v[0] != acting), user=lambda u: u.user_id, **lookups)
    resolved.update(resolve(tuple(v for v in values if v[0] == acting), user=lambda u: Mention(u.user_id),
                            **lookups))
    return render_template(template, {"prefix": "!", **resolved}).body


def mentions(effect) -> tuple[str, ...]:
    """Whom a message effect notifies, by the bot's one rule (bot/messages/notify.py)."""
    return notify.addressees(effect.key, effect.params)


class Table:
    """One room's game played by hand."""

    def __init__(self, settings: Settings | None = None, state: GameState | None = None):
        self.settings = settings or Settings()
        self.state = state or GameState()
        self.now = T0
        self.log: list[tuple[object, datetime, bool]] = []
        self.timers: dict[str, fx.ArmTimer] = {}
        self.said: list[str] = []  # keys of every Say/Reply, in order

    def do(self, event, fac: bool | None = None) -> tuple:
        """Apply ``event`` now; the facilitator flag defaults to "sent by FAC"."""
        if fac is None:
            fac = getattr(event, "actor", "") == FAC
        out = apply(self.state, event, self.now, facilitator=fac, settings=self.settings)
        self.keep_in_log(event, fac, self.state, out.state)
        self.state = out.state
        # Every state the rules produce survives the engine's JSON storage.
        assert GameState.from_dict(json.loads(json.dumps(out.state.to_dict()))) == out.state
        for effect in out.effects:
            if isinstance(effect, fx.CancelTimers):
                self.timers.clear()
            elif isinstance(effect, fx.ArmTimer):
                self.timers[effect.kind] = effect
            elif isinstance(effect, (fx.Say, fx.Reply)):
                self.said.append(effect.key)
                for lang in ("fr", "en"):
                    render(effect.key, effect.params, lang)
        return out.effects

    def refuse(self, event, key: str, fac: bool | None = None) -> IllegalMove:
        """``event`` must be refused with ``key`` and leave the state as it was."""
        if fac is None:
            fac = getattr(event, "actor", "") == FAC
        before = self.state
        with pytest.raises(IllegalMove) as info:
            apply(self.state, event, self.now, facilitator=fac, settings=self.settings)
        assert info.value.key == key
        assert self.state == before
        for lang in ("fr", "en"):
            render(info.value.key, info.value.params, lang)
        self.keep_in_log(event, fac, self.state, self.state)  # a real log holds refused events too
        return info.value

    def keep_in_log(self, event, fac: bool, before: GameState, after: GameState) -> None:
        """Log ``event`` as the store does: cut to the state's texts, the whole log when it lets go of one."""
        state = after.to_dict()
        kept = kept_texts(state)
        self.log.append((event_from_dict(loggable(event_to_dict(event), kept)), self.now, fac))
        if lets_go(before.to_dict(), state):
            self.log = [(event_from_dict(loggable(event_to_dict(e), kept)), now, f) for e, now, f in self.log]
        # Never more in the log than in the state.
        logged = {v for e, _, _ in self.log for k, v in event_to_dict(e).items() if k == "text"}
        assert logged <= kept | {"", "…"}, logged - kept

    def wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def fire(self, kind: str) -> tuple:
        """Move the clock to the pending ``kind`` timer and deliver it."""
        timer = self.timers.pop(kind)
        self.now = max(self.now, timer.at)
        return self.do(ev.TimerFired(kind, timer.seq), fac=False)

    def at(self, kind: str) -> float:
        """Seconds from now to the pending ``kind`` timer."""
        return (self.timers[kind].at - self.now).total_seconds()

    # -- shortcuts ----------------------------------------------------------------

    def lobby(self, *players: str, theme: str | None = None) -> "Table":
        self.do(ev.Open(FAC, theme, "fr"))
        for p in players:
            self.do(ev.Join(p))
        return self

    def started(self, *players: str, card: str = "dp-01", theme: str = "data_protection") -> "Table":
        self.lobby(*players)
        self.do(ev.Start(FAC, card, theme))
        return self

    def in_round(self, *players: str) -> "Table":
        self.started(*players)
        self.do(ev.Next(FAC))
        return self

    def in_vote(self, *players: str) -> "Table":
        self.in_round(*players)
        while self.state.phase == "round":
            self.do(ev.Pass(self.state.speaker))
        return self

    def in_actions(self, *players: str) -> "Table":
        self.in_vote(*players)
        for p in players:
            self.do(ev.Vote(p, True))
        assert self.state.phase == "actions"
        return self


def only(effects, kind):
    """The effects of one type."""
    return [e for e in effects if isinstance(e, kind)]


def keys(effects) -> list[str]:
    return [e.key for e in effects if isinstance(e, (fx.Say, fx.Reply))]


def play_a_whole_game(t: Table | None = None) -> Table:
    """Three players, every step, with chat, late joiner, pauses, ties and amendments."""
    t = t or Table()
    t.refuse(ev.Join(ALICE), "game.no_game")
    t.do(ev.Open(FAC, "data_protection", "fr"))
    for p in (ALICE, BOB):
        t.do(ev.Join(p))
    t.refuse(ev.Next(ALICE), "game.facilitator_only")
    t.wait(60)
    t.do(ev.Start(FAC, "dp-04", "data_protection"))
    t.fire("reminder")
    t.fire("step")
    t.do(ev.Say(ALICE, "Ce qui me frappe, c'est le groupe WhatsApp."))
    t.do(ev.Say(BOB, "oui !"))
    t.wait(20)
    t.do(ev.Say(ALICE, "Et le consentement des familles."))
    t.do(ev.Join(CAROL))
    t.do(ev.Done(ALICE))
    t.fire("silence")
    t.do(ev.Pause(FAC))
    t.wait(300)
    t.do(ev.Resume(FAC))
    t.do(ev.Say(BOB, "Je me demande qui a accès aux messages."))
    t.do(ev.Extend(FAC, 2))
    t.fire("reminder")
    t.fire("turn")
    t.do(ev.Pass(CAROL))
    t.do(ev.Vote(ALICE, True))
    t.do(ev.Vote(BOB, False))
    t.do(ev.Vote(BOB, True))
    t.do(ev.Vote(CAROL, False))
    t.do(ev.AddAction(ALICE, "team", "Choisir une messagerie chiffrée pour le service"))
    t.do(ev.AddAction(CAROL, "policy", "Demander un cadre national"))
    t.do(ev.AddAction(BOB, "team", "Former l'équipe au RGPD"))
    t.refuse(ev.AddAction(BOB, "nowhere", "x"), "game.bad_level")
    t.do(ev.End(FAC))
    t.do(ev.Amend(BOB, "Nous retenons la messagerie chiffrée."))
    t.wait(30)
    t.do(ev.End(FAC))
    return t
