"""What a received message says, read from its Matrix content: text, edit, thread, poll answer.

Pure functions over the event's ``content`` dict (no nio types), so the rules get
plain text and ids:

- a reply's fallback (the ``> <@user> …`` lines a client quotes above the answer,
  and the HTML ``<mx-reply>``, which we never read) is removed: it is someone
  else's words, never part of a contribution;
- an edit (``m.relates_to.rel_type = m.replace``) gives the edited event's id and
  the new text from ``m.new_content``;
- a message in a thread (``rel_type = m.thread``) says so;
- a poll answer, as Element sends it (``org.matrix.msc3381.poll.response``) or in
  the stable form (``m.poll.response``, ``m.selections``), gives the poll's id and
  the answer ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POLL_RESPONSE_TYPES = ("org.matrix.msc3381.poll.response", "m.poll.response")
_FALLBACK_LINE = re.compile(r"^> ?.*$")


@dataclass(frozen=True)
class Incoming:
    """A text message as the bot reads it."""

    text: str  # the body without any reply fallback
    replaces: str | None = None  # an edit: the id of the edited event (``text`` is the new text)
    in_thread: bool = False


def strip_reply_fallback(body: str) -> str:
    """``body`` without the quoted block a client puts above a reply (``> <@user> …`` then a blank line)."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> <"):
        return body
    end = 0
    while end < len(lines) and _FALLBACK_LINE.match(lines[end]):
        end += 1
    if end < len(lines) and lines[end] == "":
        end += 1
    return "\n".join(lines[end:])


def read_message(content: dict) -> Incoming:
    """The text of an ``m.room.message`` content, and whether it edits another or sits in a thread."""
    relation = content.get("m.relates_to") if isinstance(content.get("m.relates_to"), dict) else {}
    body = content.get("body") if isinstance(content.get("body"), str) else ""
    if relation.get("rel_type") == "m.replace" and isinstance(relation.get("event_id"), str):
        new = content.get("m.new_content") if isinstance(content.get("m.new_content"), dict) else {}
        text = new.get("body") if isinstance(new.get("body"), str) else ""
        return Incoming(strip_reply_fallback(text), replaces=relation["event_id"])
    # A reply's fallback is removed whether or not the client set m.in_reply_to: a
    # quoted "> <@user>" block at the top is never the sender's own words.
    return Incoming(strip_reply_fallback(body), in_thread=relation.get("rel_type") == "m.thread")


def poll_answer(event_type: str, content: dict) -> tuple[str, tuple[str, ...]] | None:
    """(poll event id, answer ids) of a poll response, or None when it is not one."""
    if event_type not in POLL_RESPONSE_TYPES:
        return None
    relation = content.get("m.relates_to") if isinstance(content.get("m.relates_to"), dict) else {}
    poll = relation.get("event_id")
    if relation.get("rel_type") != "m.reference" or not isinstance(poll, str):
        return None
    answers = None
    for key in POLL_RESPONSE_TYPES:
        block = content.get(key)
        if isinstance(block, dict) and isinstance(block.get("answers"), list):
            answers = block["answers"]
            break
    if answers is None and isinstance(content.get("m.selections"), list):
        answers = content["m.selections"]
    if answers is None:
        return None
    return poll, tuple(a for a in answers if isinstance(a, str))
