"""Reading received content (bot/matrix/content.py): reply fallbacks, edits, threads, poll answers."""

from __future__ import annotations

from bot.matrix.content import poll_answer, read_message, strip_reply_fallback


def test_a_reply_fallback_never_enters_the_text():
    body = "> <@karim:example.org> Ce que j'ai dit avant\n> sur deux lignes\n\nMa réponse à moi."
    content = {"msgtype": "m.text", "body": body,
               "format": "org.matrix.custom.html",
               "formatted_body": "<mx-reply><blockquote>Ce que j'ai dit avant</blockquote></mx-reply>Ma réponse à moi.",
               "m.relates_to": {"m.in_reply_to": {"event_id": "$k1"}}}
    assert read_message(content).text == "Ma réponse à moi."
    assert strip_reply_fallback("> <@a:b> !fini\n\n!fini") == "!fini"  # a command in a reply still parses
    # A quote the person typed themselves (no "<@user>") is theirs.
    assert strip_reply_fallback("> une citation du guide\nmon avis") == "> une citation du guide\nmon avis"
    assert strip_reply_fallback("texte") == "texte"


def test_an_edit_gives_the_edited_event_and_the_new_text():
    content = {"msgtype": "m.text", "body": "* nouveau texte",
               "m.new_content": {"msgtype": "m.text", "body": "nouveau texte"},
               "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}}
    got = read_message(content)
    assert (got.text, got.replaces, got.in_thread) == ("nouveau texte", "$orig", False)


def test_a_thread_message_says_so():
    content = {"msgtype": "m.text", "body": "en aparté",
               "m.relates_to": {"rel_type": "m.thread", "event_id": "$root", "is_falling_back": True,
                                "m.in_reply_to": {"event_id": "$root"}}}
    got = read_message(content)
    assert got.in_thread and got.text == "en aparté" and got.replaces is None


def test_poll_answers_in_both_forms():
    relation = {"m.relates_to": {"rel_type": "m.reference", "event_id": "$poll"}}
    element = {"org.matrix.msc3381.poll.response": {"answers": ["yes"]}, **relation}
    assert poll_answer("org.matrix.msc3381.poll.response", element) == ("$poll", ("yes",))
    stable = {"m.poll.response": {"answers": ["no"]}, **relation}
    assert poll_answer("m.poll.response", stable) == ("$poll", ("no",))
    selections = {"m.selections": ["no"], **relation}
    assert poll_answer("m.poll.response", selections) == ("$poll", ("no",))
    assert poll_answer("m.room.message", element) is None
    assert poll_answer("m.poll.response", {"m.selections": ["no"]}) is None  # no relation
