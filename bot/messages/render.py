"""Turning message keys into Matrix message content: plain ``body`` + HTML.

Templates come from the catalogue and may use ``**bold**``, ``_italic_`` and line
breaks. Parameters are user or deck text: in the HTML they are always escaped, so
nothing a player types can change the bot's formatting or ping anyone. A
:class:`Mention` parameter becomes a pill in HTML and is listed in ``m.mentions``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.game.visible import FSI, PDI, isolate, needs_isolation
from bot.messages.catalogue import Catalogue, one_full_stop
from bot.messages.markdown import markup_html, markup_plain

__all__ = ["FSI", "PDI", "Html", "Mention", "Rendered", "Renderer", "bilingual", "escape", "isolate",
           "needs_isolation", "pill", "render_template"]

MATRIX_TO = "https://matrix.to/#/"

# Fields are swapped for markers that cannot occur in templates, so template
# markup is converted before any parameter (which may itself contain ** or _)
# is inserted.
_FIELD = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
_MARKER = re.compile("\x00(\\d+)\x00")
# Elision before a parameter starting with a vowel, per language: French "de {user}"
# with Alex gives "d'Alex", "que {x}" "qu'…". (Names starting with h are left alone:
# muet or aspiré, a program cannot tell.)
_ELISION = {"fr": re.compile("(?<![\\w'’])([Dd]e|[Qq]ue) (?=\x00(\\d+)\x00)")}
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")


@dataclass(frozen=True)
class Mention:
    """A user to ping: a pill in HTML, the display name in the plain body."""

    user_id: str
    display_name: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.user_id


@dataclass(frozen=True)
class Html:
    """A parameter that is already safe HTML, built by the renderer itself."""

    html: str
    text: str


@dataclass(frozen=True)
class Rendered:
    """A message ready to send."""

    body: str
    html: str
    mentions: tuple[str, ...] = ()
    msgtype: str = "m.notice"

    def content(self) -> dict:
        content = {
            "msgtype": self.msgtype,
            "body": self.body,
            "format": "org.matrix.custom.html",
            "formatted_body": self.html,
            # Always present: with m.mentions set, clients ignore body keywords
            # such as "@room" in the text when deciding whom to notify.
            "m.mentions": {"user_ids": sorted(set(self.mentions))} if self.mentions else {},
        }
        return content


def escape(text: str) -> str:
    """HTML-escape user text, keeping line breaks visible, isolated when it needs it.

    The HTML gets ``<bdi>`` and keeps FSI…PDI inside it: Element's sanitiser drops
    ``<bdi>`` (not in the Matrix spec's list of tags), the characters still isolate.
    """
    out = html.escape(isolate(text), quote=True).replace("\n", "<br>")
    return f"<bdi>{out}</bdi>" if out.startswith(FSI) else out


def pill(mention: Mention) -> str:
    return (
        f'<a href="{html.escape(MATRIX_TO + mention.user_id, quote=True)}">'
        f"{escape(mention.label)}</a>"
    )


def _markup(escaped_template: str) -> str:
    return markup_html(escaped_template).replace("\n", "<br>")


def render_template(template: str, params: dict[str, object], msgtype: str = "m.notice",
                    lang: str | None = None) -> Rendered:
    """Fill ``template`` with ``params``: escaped in HTML, raw in the plain body.

    ``lang`` applies that language's elision before parameters (French "d'Alex").
    """
    mentions: list[str] = []
    html_values: list[str] = []
    text_values: list[str] = []

    def token(match: re.Match) -> str:
        value = params[match.group(1)]
        if isinstance(value, Mention):
            mentions.append(value.user_id)
            html_values.append(pill(value))
            text_values.append(isolate(value.label))
        elif isinstance(value, Html):
            html_values.append(value.html)
            text_values.append(value.text)
        else:
            # The one place a parameter (user or deck text) enters a message.
            html_values.append(escape(str(value)))
            text_values.append(isolate(str(value)))
        return f"\x00{len(html_values) - 1}\x00"

    template = one_full_stop(template, {k: v.label if isinstance(v, Mention) else v.text if isinstance(v, Html)
                                        else str(v) for k, v in params.items()})
    # Fields become markers first, so template markup ("**{name}**") is
    # converted on the template alone, never inside a parameter.
    skeleton = _FIELD.sub(token, template)
    elision = _ELISION.get(lang or "")
    if elision is not None:
        def elide(match: re.Match) -> str:
            value = text_values[int(match.group(2))]
            return match.group(1)[:-1] + "'" if value.lstrip(FSI)[:1].lower() in _VOWELS else match.group(0)
        skeleton = elision.sub(elide, skeleton)
    html_out = _markup(html.escape(skeleton, quote=False))
    text_out = markup_plain(skeleton)
    html_out = _MARKER.sub(lambda m: html_values[int(m.group(1))], html_out)
    text_out = _MARKER.sub(lambda m: text_values[int(m.group(1))], text_out)
    return Rendered(text_out, html_out, tuple(dict.fromkeys(mentions)), msgtype)


class Renderer:
    """Renders catalogue messages for one catalogue."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def render(self, lang: str, key: str, msgtype: str = "m.notice", **params: object) -> Rendered:
        return render_template(self.catalogue.template(lang, key, params.get("count")), params, msgtype,
                               self.catalogue.language(lang))

    def render_in(self, languages: tuple[str, ...], key: str, msgtype: str = "m.notice",
                  **params: object) -> Rendered:
        """``key`` in each of ``languages``, as one message (see :func:`bilingual`)."""
        return bilingual([self.render(lang, key, msgtype, **params) for lang in languages],
                         [self.catalogue.text(lang, "language.name") for lang in languages])

    def join(self, parts: list[Rendered], separator: str = "\n\n") -> Rendered:
        """Several rendered pieces as one message."""
        sep_html = separator.replace("\n", "<br>")
        mentions: list[str] = []
        for part in parts:
            mentions.extend(part.mentions)
        # A part that asks someone to act makes the whole message one that notifies them.
        msgtype = "m.text" if any(p.msgtype == "m.text" for p in parts) else "m.notice"
        return Rendered(
            separator.join(p.body for p in parts),
            sep_html.join(p.html for p in parts),
            tuple(dict.fromkeys(mentions)),
            msgtype,
        )


def bilingual(parts: list[Rendered], names: list[str]) -> Rendered:
    """One message in several languages: the first as the main text, each other below it.

    In the plain body each further language follows a line with its name; in HTML it
    follows a rule, as a quote, so the eye finds its own language at once. A part
    identical to the main one (no translation) is left out. Mentions are merged;
    the message keeps the main part's type.
    """
    main = parts[0]
    body, html_out, mentions = main.body, main.html, list(main.mentions)
    for part, name in zip(parts[1:], names[1:]):
        if part.body == main.body:
            continue
        body += f"\n\n── {name} ──\n{part.body}"
        html_out += f"<hr><blockquote>{part.html}</blockquote>"
        mentions.extend(part.mentions)
    return Rendered(body, html_out, tuple(dict.fromkeys(mentions)), main.msgtype)
