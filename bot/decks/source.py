"""Reading deck YAML while keeping line numbers, and collecting located errors.

PyYAML's plain ``safe_load`` forgets where values came from; a trainer needs
``decks/my.yaml:12`` to find a mistake. Mappings and sequences are built as
:class:`Mapping` / :class:`Sequence`, which remember the line of each key / item.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

__all__ = ["Mapping", "Sequence", "Report", "load_yaml", "display_path", "yaml_error_line", "yaml_error_text"]


class Mapping(dict):
    """A YAML mapping that knows its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: object) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list):
    """A YAML sequence that knows its own line and each item's line (1-based)."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKey(yaml.MarkedYAMLError):
    """The same key twice in one mapping: YAML would silently keep the last."""


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    out = Mapping()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark)
        if key in out:
            raise DuplicateKey(None, None, f'duplicate key "{key}"', key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    out = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def load_yaml(text: str) -> object:
    """Parse one YAML document; raises ``yaml.YAMLError`` (with a mark) when broken."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def display_path(path: Path) -> str:
    """``path`` as a trainer would type it: relative to the current directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def yaml_error_line(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def yaml_error_text(exc: yaml.YAMLError) -> str:
    if isinstance(exc, DuplicateKey):
        return exc.problem
    problem = getattr(exc, "problem", None) or str(exc)
    return "invalid YAML: " + re.sub(r"\s+", " ", problem).strip()


class Report:
    """Errors found in one file, each ``file:line: [subject: ][field: ]text``.

    ``subject`` names the card or theme (``card "dp-01"``), ``field`` the key.
    """

    def __init__(self, file: str):
        self.file = file
        self.errors: list[str] = []

    def error(self, line: int, text: str, subject: str | None = None, field: str | None = None) -> None:
        where = f"{subject}: " if subject else ""
        what = f"{field}: " if field else ""
        self.errors.append(f"{self.file}:{line}: {where}{what}{text}")

    def __bool__(self) -> bool:
        return bool(self.errors)


def read_mapping(path: Path, report: Report, expected: str) -> Mapping | None:
    """The YAML mapping in ``path``, or None with the reason in ``report``.

    ``expected`` says what the top level must hold, for the error message.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        report.error(1, f"cannot read: {exc.strerror or exc}")
        return None
    except yaml.YAMLError as exc:
        report.error(yaml_error_line(exc), yaml_error_text(exc))
        return None
    if not isinstance(data, Mapping):
        report.error(1, f"must be a mapping with {expected}")
        return None
    return data
