"""Reading YAML and JSON text safely: a regular file within the size limit, UTF-8 with the place
of a bad byte named, and YAML whose aliases and nesting are measured before anything is built.

A 448-byte YAML file can expand to millions of values through nested aliases; PyYAML builds
them all. Here the event stream is walked first (cheap: no values are built), the expanded size
of every anchor is added up, and a file past :mod:`rota.io.limits` is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from rota.io.errors import InputError
from rota.io.limits import (
    MAX_NESTING,
    MAX_YAML_ALIASES,
    MAX_YAML_NODES,
    check_input_file,
    file_error,
)

# libyaml's safe loader when present: the same format, several times faster.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text_file(path: Path, max_bytes: int) -> str:
    """The file's text (UTF-8); InputError for a non-file, an oversized file or a bad byte."""
    check_input_file(path, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(path.name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise file_error(
            path.name,
            f"line {line}, column {column}: byte 0x{data[exc.start]:02x} is not UTF-8 text: "
            "save the file as UTF-8",
        ) from None


def load_yaml(text: str, source: str, max_values: int = MAX_YAML_NODES) -> Any:
    """Parsed YAML, after :func:`check_yaml_size`; InputError names the line of a syntax error."""
    try:
        check_yaml_size(text, source, max_values)
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise file_error(source, f"{where}not valid YAML: {problem}") from None
    except RecursionError:
        raise file_error(source, f"nested more than {MAX_NESTING} levels deep") from None


def check_yaml_size(text: str, source: str, max_values: int = MAX_YAML_NODES) -> None:
    """Refuse YAML nested too deeply, with too many aliases, or that expands past the limit.

    Walks the parser's events: each collection's expanded size is the sum of its children's,
    an alias counts as the whole anchored value it repeats."""
    size_by_anchor: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []  # (anchor, expanded values so far) of each level
    total = aliases = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append((event.anchor, 0))
            if len(stack) > MAX_NESTING:
                _refuse(source, event, f"nested more than {MAX_NESTING} levels deep")
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
            if anchor:
                size_by_anchor[anchor] = size + 1
            size = 1  # its children were counted as they came
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor:
                size_by_anchor[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                _refuse(source, event, f"has more than {MAX_YAML_ALIASES:,} aliases (*name)")
            size = size_by_anchor.get(event.anchor or "", 1)
        else:
            continue
        for i, (anchor, inner) in enumerate(stack):
            stack[i] = (anchor, inner + size)
        total += size
        if total > max_values:
            _refuse(
                source,
                event,
                f"expands to more than {max_values:,} values (through its aliases): "
                "rota reads at most that many",
            )


def _refuse(source: str, event: Any, message: str) -> None:
    mark = getattr(event, "start_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    raise InputError([*file_error(source, f"{where}{message}").issues])


def load_json(text: str, source: str) -> Any:
    """Parsed JSON; InputError names the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise file_error(source, f"not valid JSON at {where}: {exc.msg}") from None
    except RecursionError:
        raise file_error(source, "nested too deeply to be a rota input") from None
