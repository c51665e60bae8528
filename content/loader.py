"""Read every file under content/data/, check each against its schema, report faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.schema import (
    CrisisWords,
    GlossaryEntry,
    HelplineData,
    IntentsFile,
    SettingsFile,
    Source,
    TopicFile,
)
from content.yamlfile import Loc, YamlFile, load_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Fault:
    """One thing an editor must fix, at a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content files are not valid; the message lists every fault."""

    def __init__(self, faults: list[Fault]) -> None:
        self.faults = faults
        super().__init__("\n".join(str(fault) for fault in faults))


@dataclass
class Content:
    """Everything read from a data folder, after the schema check."""

    root: Path
    files: dict[str, YamlFile] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    glossary: dict[str, GlossaryEntry] = field(default_factory=dict)
    helplines: dict[str, HelplineData] = field(default_factory=dict)
    settings: SettingsFile | None = None
    crisis_words: CrisisWords | None = None
    topics: dict[str, tuple[TopicFile, YamlFile]] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    intents: IntentsFile | None = None
    faults: list[Fault] = field(default_factory=list)


def display_path(path: Path) -> str:
    """A path as an editor would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_content(root: Path | None = None) -> Content:
    """Read and schema-check the data folder `root` (content/data/ by default)."""
    content = Content(root=Path(root) if root else DATA_DIR)
    base = content.root
    content.sources = _read_mapping(content, base / "sources.yaml", Source, set_id=True)
    content.glossary = _read_mapping(content, base / "glossary.yaml", GlossaryEntry)
    content.helplines = _read_mapping(content, base / "helplines.yaml", HelplineData)
    settings = _read_file(content, base / "places.yaml")
    if settings is not None:
        content.settings = _validate(content, settings, SettingsFile, settings.data, ())
    crisis_words = _read_file(content, base / "crisis_words.yaml")
    if crisis_words is not None:
        content.crisis_words = _validate(content, crisis_words, CrisisWords, crisis_words.data, ())
    topic_dir = base / "topics"
    if not topic_dir.is_dir():
        content.faults.append(Fault(topic_dir, 1, "Add the folder topics/ with one file per topic"))
    for path in sorted(topic_dir.glob("*.yaml")) if topic_dir.is_dir() else []:
        file = _read_file(content, path)
        if file is None:
            continue
        topic = _validate(content, file, TopicFile, file.data, ())
        if topic is not None:
            content.topics[path.stem] = (topic, file)
    messages_path = base / "messages.yaml"
    if messages_path.exists():
        content.messages = _read_messages(content, messages_path)
    intents = _read_file(content, base / "intents.yaml")
    if intents is not None:
        content.intents = _validate(content, intents, IntentsFile, intents.data, ())
    return content


def _read_file(content: Content, path: Path) -> YamlFile | None:
    if not path.exists():
        content.faults.append(Fault(path, 1, f"Add the file {path.name}"))
        return None
    try:
        file = load_yaml(path)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(error, "problem", None) or "not valid YAML"
        content.faults.append(Fault(path, line, f"Fix the YAML here: {problem}"))
        return None
    content.files[str(path)] = file
    return file


def _read_mapping(
    content: Content, path: Path, model: type[Model], set_id: bool = False
) -> dict[str, Model]:
    file = _read_file(content, path)
    if file is None:
        return {}
    if not isinstance(file.data, dict):
        content.faults.append(Fault(path, 1, "Write this file as a list of 'id: fields' entries"))
        return {}
    found: dict[str, Model] = {}
    for key, value in file.data.items():
        if set_id and isinstance(value, dict):
            value = {"id": str(key), **value}
        record = _validate(content, file, model, value, (key,))
        if record is not None:
            found[str(key)] = record
    return found


def _read_messages(content: Content, path: Path) -> dict[str, str]:
    file = _read_file(content, path)
    if file is None:
        return {}
    if not isinstance(file.data, dict):
        content.faults.append(Fault(path, 1, "Write messages as 'key: text' lines"))
        return {}
    messages: dict[str, str] = {}
    for key, value in file.data.items():
        if isinstance(value, str):
            messages[str(key)] = value
        else:
            content.faults.append(Fault(path, file.line((key,)), f"Make {key} a piece of text"))
    return messages


def _validate(
    content: Content, file: YamlFile, model: type[Model], value: Any, prefix: Loc
) -> Model | None:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        for problem in error.errors():
            loc = prefix + tuple(problem["loc"])
            content.faults.append(Fault(file.path, file.line(loc), _instruction(problem, loc)))
        return None


def _instruction(problem: Any, loc: Loc) -> str:
    """Turn a pydantic error into something an editor can act on."""
    name = ".".join(str(part) for part in loc) or "this file"
    last = str(loc[-1]) if loc else "field"
    kind = problem["type"]
    if kind == "missing":
        return f"Must have field: {last}"
    if kind == "extra_forbidden":
        return f"Unknown field: {last}; remove it or fix its spelling"
    if kind in ("literal_error", "enum"):
        expected = problem.get("ctx", {}).get("expected", "")
        return f"{name}: use one of {expected}"
    if kind == "string_too_long":
        limit = problem.get("ctx", {}).get("max_length")
        return f"{name}: make it {limit} characters or fewer"
    if kind == "too_short":
        return f"{name}: add at least {problem.get('ctx', {}).get('min_length', 1)}"
    if kind == "too_long":
        return f"{name}: keep at most {problem.get('ctx', {}).get('max_length')}"
    if kind.startswith("date"):
        return f"{name}: write a date as YYYY-MM-DD"
    return f"{name}: {problem['msg']}"
