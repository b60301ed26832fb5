"""The small Markdown subset of our synthesis documents, as safe Matrix HTML.

The synthesis is written once, as Markdown (:func:`bot.game.to_markdown`), where
user text is backslash-escaped. This turns that document into the HTML of the
message: headings, lists, quotes, paragraphs, **bold** and _italic_ — and every
character of text is HTML-escaped, so nothing a player typed becomes markup.
"""

from __future__ import annotations

import html
import re

_ESCAPED = re.compile(r"\\(.)")
# The inline markup of catalogue templates (render.py) and synthesis documents:
# **bold** and _italic_. re.S: a template's bold may span lines (a Markdown line
# has none to span).
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
ITALIC = re.compile(r"(?<![\w])_(.+?)_(?![\w])", re.S)
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def inline(text: str) -> str:
    """One line of Markdown as HTML; escaped characters stay literal text."""
    literals: list[str] = []

    def keep(match: re.Match) -> str:
        literals.append(match.group(1))
        return f"\x00{len(literals) - 1}\x00"

    out = html.escape(_ESCAPED.sub(keep, text), quote=False)
    out = markup_html(out)
    return _PLACEHOLDER.sub(lambda m: html.escape(literals[int(m.group(1))], quote=True), out)


def markup_html(escaped: str) -> str:
    """**bold** and _italic_ of HTML-escaped text as <b> and <i>."""
    return ITALIC.sub(r"<i>\1</i>", BOLD.sub(r"<b>\1</b>", escaped))


def markup_plain(text: str) -> str:
    """The text without its **bold** and _italic_ marks."""
    return ITALIC.sub(r"\1", BOLD.sub(r"\1", text))


def plain(text: str) -> str:
    """The same line with its escapes removed, for a plain-text body."""
    return _ESCAPED.sub(r"\1", text)


def to_html(document: str) -> str:
    out: list[str] = []
    items: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()
        if quote:
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote.clear()

    for line in document.splitlines():
        if line.startswith("- "):
            if quote:
                flush()
            items.append(inline(line[2:]))
            continue
        if line.startswith(">"):
            if items:
                flush()
            quote.append(inline(line[1:].lstrip()))
            continue
        flush()
        heading = re.match(r"^(#{1,6}) (.*)$", line)
        if heading:
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    flush()
    return "".join(out)
