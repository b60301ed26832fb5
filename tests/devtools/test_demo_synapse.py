"""`make demo`: the scripted game runs to the end and prints the whole conversation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.devtools.demo_script import ACTIONS, CARD, SUMMARY, TURNS


@pytest.mark.synapse
def test_the_demo_plays_a_whole_game_and_prints_it(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--keep", str(tmp_path / "demo")],
        capture_output=True, text=True, encoding="utf-8", timeout=170, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    conversation, _, document = out.partition("downloaded and decrypted")
    assert document, "the synthesis file was not printed"

    # The card, each step, and the bot's messages marked as such.
    assert f"!commencer {CARD}" in conversation
    assert "Conservation des données" in conversation and "Questions pour le débat" in conversation
    for step in ("Nouvelle partie", "Étape 1", "Étape 2", "À vous", "Étape 3", "Ressources du thème",
                 "Résultat : 3 oui, 0 non", "Étape 4", "Plateau des systèmes", "Pistes d'action (3)",
                 "Fin de la partie", "Brouillon", "passe son tour", "synthèse définitive"):
        assert step in conversation, step
    assert "🤖 narrator: " in conversation
    assert "⚠" not in out, "every message must be decrypted"
    # Each line as `[HH:MM:SS] name: body`, the players' contributions included.
    lines = conversation.splitlines()
    for localpart, texts in TURNS.items():
        for text in texts:
            assert any(line.startswith("[") and line.endswith(text) for line in lines), text
    for _, level, text in ACTIONS:
        assert f"!piste {level} {text}" in conversation
    assert "📎 synthese" in conversation

    # The decrypted file holds every contribution, action idea and the volunteer's summary.
    assert "# Synthèse" in document
    for text in [t for texts in TURNS.values() for t in texts] + [a[2] for a in ACTIONS]:
        assert text in document, text
    assert SUMMARY[:60] in document
    kept = list((tmp_path / "demo").glob("synthese*.md"))
    assert len(kept) == 1 and SUMMARY[:60] in kept[0].read_text(encoding="utf-8")
    assert (tmp_path / "demo" / "bot.log").exists()
