"""The game package stays pure, and every message key it uses exists in fr and en."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bot.game
from bot.game.state import LEVELS, TIMED, TURN_STATUSES
from bot.messages.catalogue import Catalogue, placeholders

PACKAGE = Path(bot.game.__file__).parent
SOURCES = sorted(PACKAGE.glob("*.py"))
FORBIDDEN = {"asyncio", "nio", "aiosqlite", "apscheduler", "sqlite3", "socket", "threading", "time"}
# Message families whose keys are built from an id (f"game.level.{level}").
FAMILIES = {
    "game.level.": LEVELS,
    "game.step.": TIMED,
    "game.synth.turn.": tuple(s for s in TURN_STATUSES if s not in ("open", "spoken")),
    "game.count.": ("cards", "ideas", "cards.none", "ideas.none"),
}
# Terms are rendered inside other messages, and the synthesis by the caller: no {prefix}.
NO_PREFIX = ("game.duration.", "game.level.", "game.step.", "game.time.", "game.synth.", "game.count.")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


def test_the_rules_do_no_io():
    for path in SOURCES:
        for module in imported_modules(path):
            root = module.split(".")[0]
            assert root not in FORBIDDEN, f"{path.name} imports {module}"
            if root == "bot":
                assert module.startswith("bot.game"), f"{path.name} imports {module}: the core stands alone"


def test_modules_stay_small():
    for path in SOURCES:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, path.name


def used_keys() -> set[str]:
    """Message keys in the source: string literals, with families expanded."""
    keys: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"game\.[a-z0-9_.]+", node.value):
                    keys.add(node.value)
    for prefix, ids in FAMILIES.items():
        assert prefix in keys, f"family {prefix} is no longer used"
        keys.discard(prefix)
        keys.update(prefix + i for i in ids)
    return keys


def test_every_key_exists_in_both_languages_with_the_same_placeholders():
    catalogue = Catalogue.load()
    keys = used_keys()
    assert len(keys) > 100
    for key in sorted(keys):
        fr = catalogue.messages["fr"].get(key)
        en = catalogue.messages["en"].get(key)
        assert fr is not None, f"{key} missing in fr"
        assert en is not None, f"{key} missing in en"
        assert placeholders(fr) == placeholders(en), key
        if key.startswith(NO_PREFIX):
            assert "prefix" not in placeholders(fr), key


def test_the_game_files_hold_no_unused_key():
    import yaml

    keys = used_keys()
    for lang in ("fr", "en"):
        path = PACKAGE.parent / "messages" / "locales" / lang / "game.yaml"
        defined = set(yaml.safe_load(path.read_text(encoding="utf-8")))
        # The game's counts sit with the other languages' plural forms, in counts.yaml.
        counts = yaml.safe_load((path.parent / "counts.yaml").read_text(encoding="utf-8"))[lang]
        defined |= {key for key in counts if key.startswith("game.")}
        assert defined == keys, f"{lang}: unused {sorted(defined - keys)}, missing {sorted(keys - defined)}"
