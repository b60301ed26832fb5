"""The package layout holds: layers import downwards only, no cycles, the core stays pure.

The layers are those of ``bot/__init__.py``'s docstring. Every import in the
source counts, including the ones inside functions: a lazy import is still a
dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tests.helpers.paths import ROOT

PACKAGE = ROOT / "bot"

# Each package may import itself and the packages of lower layers.
LAYERS: list[set[str]] = [
    {"game", "schedule", "decks"},  # the pure core
    {"config"},
    {"store"},  # the adapters
    {"matrix"},
    {"messages"},
    {"runtime"},
    {"commands"},
    {"app"},
    {"devtools"},
    {"__main__"},  # the command line: runs the bot or a developer tool
]
CORE = LAYERS[0]
# What the pure core must never import (I/O, the event loop, the outside things).
IMPURE = {"asyncio", "nio", "aiosqlite", "apscheduler", "aiohttp", "sqlite3", "socket", "subprocess"}
# The core's own order: schedule and decks may use the game's text folding, not the reverse.
CORE_ORDER = {"game": set(), "schedule": {"game"}, "decks": {"game"}}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, package: Path = PACKAGE) -> set[str]:
    """Absolute names imported by a module (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(path, package).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            # "from bot.game import effects" imports the module bot.game.effects;
            # "from bot.game import apply", the package: graph() tells them apart.
            names.update(f"{base}:{alias.name}" for alias in node.names)
    return names


def graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the bot modules it imports (names that are not modules are dropped)."""
    sources = {module_name(p, root): p for p in root.rglob("*.py")}

    def resolve(name: str) -> str:
        base, _, member = name.partition(":")
        return f"{base}.{member}" if f"{base}.{member}" in sources else base

    return {
        name: {dep for dep in map(resolve, imports_of(path, root)) if dep in sources and dep != name}
        for name, path in sources.items()
    }


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(package: str) -> int:
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise AssertionError(f"bot.{package} is in no layer: add it to LAYERS and to bot/__init__.py's docstring")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, deps in sorted(edges.items()):
        mine = package_of(module)
        if mine == "__init__":
            continue
        for dep in sorted(deps):
            theirs = package_of(dep)
            if theirs == "__init__" or theirs == mine:
                continue
            if layer_of(theirs) > layer_of(mine) or (layer_of(theirs) == layer_of(mine) and
                                                    theirs not in CORE_ORDER.get(mine, set())):
                wrong.append(f"{module} imports {dep}")
    return wrong


def internal_imports(edges: dict[str, set[str]], package: str = "matrix") -> list[str]:
    """Imports of ``bot.<package>``'s own modules from outside it: others use what the package exports."""
    wrong = []
    for module, deps in sorted(edges.items()):
        if package_of(module) == package:
            continue
        wrong += [f"{module} imports {dep}" for dep in sorted(deps) if package_of(dep) == package and dep != f"bot.{package}"]
    return wrong


def test_every_package_is_in_a_layer():
    for path in PACKAGE.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            layer_of(path.name)
        elif path.suffix == ".py" and path.stem not in ("__init__", "__main__"):
            pytest.fail(f"bot/{path.name} lies flat in bot/: put it in the package of its layer")


def test_every_package_says_what_it_holds_and_may_import():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "import" in doc, f"{init.relative_to(ROOT)}: a docstring that says what it may import"


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_packages_import_only_lower_layers():
    assert layer_violations(graph()) == []


def test_the_core_does_no_io():
    for path in PACKAGE.rglob("*.py"):
        if package_of(module_name(path)) not in CORE:
            continue
        impure = {name for name in imports_of(path) if name.split(".")[0].split(":")[0] in IMPURE}
        assert not impure, f"{path.relative_to(ROOT)} imports {sorted(impure)}"


def test_other_layers_use_only_what_bot_matrix_exports():
    assert internal_imports(graph()) == []


def test_the_identity_and_late_keys_parts_of_bot_matrix_stay_apart():
    # Both build on the connection's small modules (retry, session), never on each other
    # or on the transport that combines them.
    parts = {"bot.matrix.identity", "bot.matrix.late_keys"}
    for module, deps in graph().items():
        mine = next((p for p in parts if module.startswith(p)), None)
        if mine is None:
            continue
        wrong = [d for d in deps if d == "bot.matrix.transport" or (d.startswith(tuple(parts)) and not d.startswith(mine))]
        assert not wrong, f"{module} imports {wrong}"


def test_production_code_never_imports_the_developer_tools():
    for module, deps in graph().items():
        if package_of(module) in ("devtools", "__main__"):
            continue
        assert not [d for d in deps if package_of(d) == "devtools"], module


# The checks themselves must bite: each is shown a small tree that breaks it.

def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "bot" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "bot"


def test_a_cycle_is_found(tmp_path):
    tree = write(tmp_path, {
        "__init__.py": "", "app/__init__.py": "",
        "app/a.py": "def f():\n    from bot.app import b\n",
        "app/b.py": "from bot.app.a import f\n",
    })
    assert cycles(graph(tree)) == [["bot.app.a", "bot.app.b"]]


def test_an_upward_import_is_found(tmp_path):
    tree = write(tmp_path, {
        "__init__.py": "", "game/__init__.py": "", "runtime/__init__.py": "", "devtools/__init__.py": "",
        "game/rules.py": "from bot.runtime import engine\n",
        "runtime/engine.py": "from ..devtools import demo\n",
        "devtools/demo.py": "from bot.game import rules\n",
    })
    assert layer_violations(graph(tree)) == [
        "bot.game.rules imports bot.runtime.engine",
        "bot.runtime.engine imports bot.devtools.demo",
    ]


def test_an_import_of_matrix_internals_is_found(tmp_path):
    tree = write(tmp_path, {
        "__init__.py": "", "app/__init__.py": "",
        "matrix/__init__.py": "from bot.matrix.transport import MatrixTransport\n",
        "matrix/transport.py": "from bot.matrix.identity import signing\n",
        "matrix/identity/__init__.py": "", "matrix/identity/signing.py": "",
        "app/good.py": "from bot.matrix import MatrixTransport\n",
        "app/bad.py": "from bot.matrix.identity.signing import verify_json\nfrom ..matrix import transport\n",
    })
    assert internal_imports(graph(tree)) == [
        "bot.app.bad imports bot.matrix.identity.signing",
        "bot.app.bad imports bot.matrix.transport",
    ]
