"""The renderer: plain body + HTML in which every piece of user text is escaped."""

from __future__ import annotations

from bot.messages.catalogue import Catalogue
from bot.messages.render import Html, Mention, Renderer, render_template


def test_user_text_is_escaped_in_html_and_kept_in_the_body():
    text = '<a href="https://evil.example">x</a> <img src=x onerror=alert(1)> <b>b</b>'
    r = render_template("Said: {text}", {"text": text})
    assert r.body == "Said: " + text
    assert "<a " not in r.html and "<img" not in r.html and "<b>" not in r.html
    assert "&lt;a href=&quot;https://evil.example&quot;&gt;x&lt;/a&gt;" in r.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in r.html


def test_markup_in_parameters_is_not_interpreted():
    r = render_template("**{name}** wrote _{text}_", {"name": "**Ana**", "text": "_x_ and **y**"})
    assert r.html == "<b>**Ana**</b> wrote <i>_x_ and **y**</i>"
    assert r.body == "**Ana** wrote _x_ and **y**"


def test_room_pings_in_user_text_mention_nobody():
    r = render_template("{text}", {"text": "@room wake up @alice:example.org"})
    content = r.content()
    assert content["m.mentions"] == {}, "an empty m.mentions tells clients to ignore @room in the body"
    assert "@room" in content["formatted_body"] and "<a" not in content["formatted_body"]


def test_mention_is_a_pill_and_listed_in_m_mentions():
    r = render_template("Your turn, {who}. {other} waits.", {
        "who": Mention("@ana:example.org", 'Ana "<3"'),
        "other": Mention("@bob:example.org"),
    })
    content = r.content()
    assert content["m.mentions"] == {"user_ids": ["@ana:example.org", "@bob:example.org"]}
    assert '<a href="https://matrix.to/#/@ana:example.org">Ana &quot;&lt;3&quot;</a>' in r.html
    assert '<a href="https://matrix.to/#/@bob:example.org">@bob:example.org</a>' in r.html
    assert r.body == 'Your turn, Ana "<3". @bob:example.org waits.'


def test_a_mention_listed_once_even_if_repeated():
    who = Mention("@ana:example.org", "Ana")
    assert render_template("{a} {b}", {"a": who, "b": who}).content()["m.mentions"] == {"user_ids": ["@ana:example.org"]}


def test_line_breaks_and_trusted_html():
    r = render_template("{text}\n{card}", {"text": "one\ntwo", "card": Html("<i>card</i>", "card")})
    assert r.html == "one<br>two<br><i>card</i>"
    assert r.body == "one\ntwo\ncard"


def test_content_has_plain_body_and_html_formatted_body():
    content = render_template("Hi {x}", {"x": "<you>"}, msgtype="m.text").content()
    assert content["msgtype"] == "m.text"
    assert content["format"] == "org.matrix.custom.html"
    assert content["body"] == "Hi <you>"
    assert content["formatted_body"] == "Hi &lt;you&gt;"


def test_catalogue_messages_render_in_both_languages():
    renderer = Renderer(Catalogue.load())
    fr = renderer.render("fr", "unknown_command", command="<b>x</b>", prefix="!")
    en = renderer.render("en", "unknown_command", command="<b>x</b>", prefix="!")
    assert "&lt;b&gt;x&lt;/b&gt;" in fr.html and "&lt;b&gt;x&lt;/b&gt;" in en.html
    assert fr.body != en.body


def test_french_elides_de_and_que_before_a_vowel_only():
    def fr(template, **values):
        return render_template(template, values, lang="fr")

    assert fr("Vote de {user} enregistré.", user="alex").body == "Vote d'alex enregistré."
    assert fr("Piste n° {n} de {user}.", n=1, user=Mention("@e:x", "Élodie")).body == "Piste n° 1 d'Élodie."
    assert fr("De {user}, merci.", user="Inès").body == "D'Inès, merci."
    assert fr("Vote de {user}.", user="Karim").body == "Vote de Karim."
    assert fr("Vote de {user}.", user="@alex:example.org").body == "Vote de @alex:example.org."
    assert fr("Rien que {x}.", x="elle").body == "Rien qu'elle."
    assert "d'<a href" in fr("Tour de {user}.", user=Mention("@a:x", "Alex")).html
    # English never elides; and only the word itself: "monde {x}" stays.
    assert render_template("Vote de {user}.", {"user": "alex"}, lang="en").body == "Vote de alex."
    assert fr("Le monde {user}.", user="alex").body == "Le monde alex."
