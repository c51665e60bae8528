"""Read a YAML file and remember the line each value starts on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]


@dataclass
class YamlFile:
    """The data of one YAML file and a map from each value's location to its line."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc = ()) -> int:
        """The line of the value at `loc`, or of its nearest parent that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


# libyaml's parser, where PyYAML was built with it, reads the content about ten times faster
# than the pure-Python one, with the same nodes, lines and errors.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> YamlFile:
    """Parse `path`; raises yaml.YAMLError (with a mark) on bad YAML."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    if node is not None:
        _record(node, (), lines)
    return YamlFile(path=path, data=data, lines=lines)


def _record(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[loc + (key,)] = key_node.start_mark.line + 1
            _record_children(value_node, loc + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, loc + (index,), lines)


def _record_children(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    # A mapping key's line is where an editor looks; keep it, record what is inside.
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        first = lines[loc]
        _record(node, loc, lines)
        lines[loc] = first
