"""How big an event is on the homeserver, and splitting a message that would be too big.

Synapse refuses any event whose JSON exceeds 65,536 bytes (``M_TOO_LARGE``). In an
encrypted room what it receives is the megolm envelope: its ``ciphertext`` is the
unpadded base64 of an AES-CBC encryption of the plaintext event, which nio writes
with ``json.dumps`` and its defaults — every non-ASCII character escaped (``é`` is 6
bytes, an emoji 12). Body and HTML both carry the text, so a message of accented
text and emoji weighs several times its character count.

:func:`fits` is the one size rule of the bot; :func:`split` cuts a message that
breaks it at its sections (HTML blocks: headings, paragraphs, lists, quotes; or
blank lines), and a single section too big at line, then character, boundaries.
Pure: no I/O.
"""

from __future__ import annotations

import functools
import html
import json
import re

MAX_EVENT_BYTES = 65_536  # Synapse's limit on an event's JSON
# What the homeserver adds around the ciphertext: the envelope's other fields
# (algorithm, sender_key, session_id, device_id) and the PDU's (event id, sender,
# room id, timestamps, prev/auth events, hashes, signatures). Measured around
# 1.2 KB on Synapse; counted generously.
ENVELOPE_BYTES = 3_072
MARGIN_BYTES = 4_096  # room for what we do not foresee (longer ids, new fields)
# Megolm's framing around the AES ciphertext: version, message index, lengths,
# CBC padding (up to 16), MAC (8) and Ed25519 signature (64).
MEGOLM_OVERHEAD = 100


def plaintext_bytes(room_id: str, event_type: str, content: dict) -> int:
    """The size of the plaintext nio encrypts for this event (non-ASCII escaped, as nio writes it)."""
    return len(json.dumps({"type": event_type, "content": content, "room_id": room_id}, separators=(",", ":")))


def encrypted_bytes(room_id: str, event_type: str, content: dict) -> int:
    """An upper estimate of the encrypted event's size as the homeserver receives it."""
    ciphertext = -(-(plaintext_bytes(room_id, event_type, content) + MEGOLM_OVERHEAD) * 4 // 3)
    return ciphertext + ENVELOPE_BYTES


def fits(room_id: str, event_type: str, content: dict) -> bool:
    """Whether the event stays under the homeserver's limit, encrypted, with a margin.

    The same rule holds in unencrypted rooms: the plaintext event is smaller.
    """
    return encrypted_bytes(room_id, event_type, content) <= MAX_EVENT_BYTES - MARGIN_BYTES


# -- splitting --------------------------------------------------------------------

_BLOCK = re.compile(r"<(h[1-6]|p|ul|ol|blockquote|pre|table)\b[^>]*>.*?</\1>|<hr\s*/?>", re.S)
_PARAGRAPH_BREAK = re.compile(r"(?:<br\s*/?>\s*){2,}")
_TAG = re.compile(r"<[^>]+>")


def html_text(fragment: str) -> str:
    """The plain text of a piece of our HTML (line breaks and list items kept)."""
    text = re.sub(r"<br\s*/?>", "\n", fragment)
    text = re.sub(r"<li>", "- ", text)
    text = re.sub(r"</(li|h[1-6]|p|blockquote|ul|ol|pre|tr)>|<hr\s*/?>", "\n", text)
    return html.unescape(_TAG.sub("", text)).strip("\n")


def _html_sections(formatted: str) -> list[str]:
    """The top-level blocks of an HTML body, or its paragraphs when it has none."""
    blocks: list[str] = []
    at = 0
    for match in _BLOCK.finditer(formatted):
        if formatted[at:match.start()].strip():
            blocks.extend(_PARAGRAPH_BREAK.split(formatted[at:match.start()]))
        blocks.append(match.group(0))
        at = match.end()
    if formatted[at:].strip():
        blocks.extend(_PARAGRAPH_BREAK.split(formatted[at:]))
    return [b for b in blocks if b.strip()]


def split(room_id: str, event_type: str, content: dict) -> list[dict]:
    """``content`` as one or more contents that each :func:`fits`, cut at section boundaries.

    A content that fits comes back alone and untouched. Parts keep the message
    type; only the first keeps the mentions (one notification) and any relation.
    A part's plain body is the text of its HTML part, so both say the same.
    Linear in the message's length: JSON escaping is per character, so a part's
    size is its skeleton's plus what each section adds.
    """
    if fits(room_id, event_type, content):
        return [content]
    with_html = "formatted_body" in content
    formatted = content.get("formatted_body") if content.get("format") == "org.matrix.custom.html" else None
    if isinstance(formatted, str) and formatted:
        sections = [(html_text(block), block) for block in _html_sections(formatted)]
    else:
        body = content.get("body") if isinstance(content.get("body"), str) else ""
        sections = [(part, None) for part in re.split(r"\n\s*\n", body) if part.strip()]
    budgets = {first: _budget(room_id, event_type, _part(content, [], first)) for first in (True, False)}
    parts: list[dict] = []
    current: list[tuple[str, str | None]] = []
    used = 0
    for text, block in sections:
        cost = _json_len(text) + (_json_len(block if block is not None else _paragraph(text)) if with_html else 0)
        if used + (_SEPARATOR if current else 0) + cost <= budgets[not parts]:
            used += (_SEPARATOR if current else 0) + cost
            current.append((text, block))
            continue
        if current:
            parts.append(_part(content, current, first=not parts))
            current, used = [], 0
        if cost <= budgets[not parts]:
            current, used = [(text, block)], cost
            continue
        for piece in _cut(text, min(budgets.values()), with_html):
            parts.append(_part(content, [(piece, None)], first=not parts))
    if current:
        parts.append(_part(content, current, first=not parts))
    return parts or [_part(content, [("", None)], first=True)]


_SEPARATOR = len(json.dumps("\n\n")) - 2  # between two sections of a part's plain body


def _json_len(text: str) -> int:
    return len(json.dumps(text)) - 2


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text).replace(chr(10), '<br>')}</p>"


def _budget(room_id: str, event_type: str, skeleton: dict) -> int:
    """The bytes (as escaped JSON) that texts may add to ``skeleton`` and still fit."""
    ciphertext = MAX_EVENT_BYTES - MARGIN_BYTES - ENVELOPE_BYTES
    return ciphertext * 3 // 4 - MEGOLM_OVERHEAD - plaintext_bytes(room_id, event_type, skeleton)


def _part(content: dict, sections: list[tuple[str, str | None]], first: bool) -> dict:
    part = {key: value for key, value in content.items()
            if key not in ("body", "formatted_body", "format", "m.mentions", "m.relates_to") or first}
    part["body"] = "\n\n".join(text for text, _ in sections)
    if "formatted_body" in content:
        part["format"] = "org.matrix.custom.html"
        part["formatted_body"] = "".join(block if block is not None else _paragraph(text) for text, block in sections)
    if not first and "m.mentions" in content:
        part["m.mentions"] = {}  # the first part notified whom it had to
    return part


def _cut(text: str, budget: int, with_html: bool) -> list[str]:
    """A section too big for one message: pieces within ``budget``, cut after a line if one ends in it."""

    @functools.lru_cache(maxsize=4096)
    def cost(c: str) -> int:
        return _json_len(c) + (_json_len(_paragraph(c)) - len("<p></p>") if with_html else 0)

    base = len("<p></p>") if with_html else 0
    pieces: list[str] = []
    start, used, line_end = 0, base, -1
    for index, char in enumerate(text):
        weight = cost(char)
        if used + weight > budget and index > start:
            end = line_end + 1 if line_end >= start else index
            pieces.append(text[start:end])
            start, line_end = end, -1
            used = base + sum(cost(c) for c in text[start:index])
        used += weight
        if char == "\n":
            line_end = index
    if text[start:].strip():
        pieces.append(text[start:])
    return pieces
