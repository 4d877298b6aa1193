"""Read a YAML case file safely and remember the line of every value.

Anchors and aliases are refused (a case file never needs them, and they are how 'billion
laughs' bombs work); tabs, bad UTF-8, empty and oversized files get a message naming the line.
"""
from __future__ import annotations

import os

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem

try:  # libyaml is much faster when present
    _Base = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, remembering how it resolved each plain scalar: the composer asks the (Python)
    resolver about every value, and keys and codes recur hundreds of times in a case file."""

    _resolved: dict = {}

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._resolved) > 100_000:
                self._resolved.clear()
            self._resolved[key] = tag
        return tag

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_PLAIN_INT = __import__("re").compile(r"^[-+]?[0-9]+$")

MAX_BYTES = 50 * 1024 * 1024
MAX_NODES = 2_000_000


@dataclass
class Located:
    """A parsed document and the (1-based) line of each path into it."""

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    path: str = ""

    def line(self, path: tuple) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def read_text(path: Path, display: str, max_bytes: int = MAX_BYTES) -> str:
    try:
        with open(path, "rb") as fh:  # never more than the limit in memory: a huge file is refused unread
            size = os.fstat(fh.fileno()).st_size
            raw = fh.read(max_bytes + 1) if size <= max_bytes else b""
            size = max(size, len(raw))
    except FileNotFoundError:
        raise InputError([Problem(display, None, None, "file not found", "check the path")]) from None
    except OSError as exc:
        raise InputError([Problem(display, None, None, f"cannot read file: {exc.strerror}")]) from None
    if size > max_bytes:
        raise InputError([Problem(display, None, None,
                                  f"file is {size:,} bytes, over the limit of {max_bytes:,}",
                                  "split it into several case files")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(display, line, None,
                                  f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                                  "save the file as UTF-8")]) from None
    if not text.strip():
        raise InputError([Problem(display, 1, None, "file is empty", "start from the worked example in docs/evidence-format.md")])
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError([Problem(display, line, None, "file contains a NUL byte", "save it as plain UTF-8 text")])
    return text


def load_yaml(path: Path, display: str | None = None, max_bytes: int = MAX_BYTES) -> Located:
    display = display or str(path)
    text = read_text(path, display, max_bytes)
    try:
        _refuse_anchors(text, display)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or str(exc)).strip()
        if exc.context and exc.context_mark and mark is not exc.context_mark and exc.context_mark.line != mark.line:
            problem += f" ({exc.context.strip()} at line {exc.context_mark.line + 1})"
        hint = "fix the YAML syntax at that line"
        if "\t" in problem or "tab" in problem.lower():
            problem = "a tab character is used for indentation"
            hint = "indent with spaces, not tabs"
        raise InputError([Problem(display, line, None, f"YAML syntax error: {problem}", hint)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(display, None, None, f"YAML error: {exc}")]) from None
    if node is None:
        raise InputError([Problem(display, 1, None, "file holds no YAML document",
                                  "start from the worked example in docs/evidence-format.md")])
    located = Located(None, {}, display)
    counter = [0]
    located.data = _build(node, (), located, counter, display)
    return located


def _refuse_anchors(text: str, display: str) -> None:
    """Refuse anchors (&a) and aliases (*a) before anything is composed: composed nodes do not
    keep their anchor, and an alias bomb ('billion laughs') must be stopped before it expands."""
    if "&" not in text and "*" not in text:  # neither an anchor nor an alias can be written without these
        return
    for event in yaml.parse(text, Loader=_Loader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            what = f"*{anchor}" if isinstance(event, yaml.AliasEvent) else f"&{anchor}"
            raise InputError([Problem(display, event.start_mark.line + 1, None,
                                      f"YAML anchors and aliases ({what}) are not allowed in case files",
                                      "write the values out in full")])


def _build(node: yaml.Node, path: tuple, located: Located, counter: list[int], display: str) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise InputError([Problem(display, node.start_mark.line + 1, None,
                                  f"document has more than {MAX_NODES:,} values", "split it into several files")])
    located.lines.setdefault(path, node.start_mark.line + 1)
    if getattr(node, "anchor", None):
        raise InputError([Problem(display, node.start_mark.line + 1, _field(path),
                                  f"YAML anchors and aliases (&{node.anchor}) are not allowed in case files",
                                  "write the values out in full")])
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InputError([Problem(display, key_node.start_mark.line + 1, _field(path),
                                          "YAML merge keys (<<) are not allowed", "write the values out in full")])
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError([Problem(display, key_node.start_mark.line + 1, _field(path),
                                          "a mapping key must be a plain name")])
            key = key_node.value
            if key in out:
                raise InputError([Problem(display, key_node.start_mark.line + 1, _field(path + (key,)),
                                          f"key '{key}' is given twice", "keep one of them")])
            located.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), located, counter, display)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, path + (i,), located, counter, display) for i, child in enumerate(node.value)]
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _INT and _PLAIN_INT.match(node.value):
        return int(node.value)
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return node.value.lower() in ("true", "yes", "on")
    # anything else: let the safe constructor resolve its type (float, date...)
    loader = _Loader("")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise InputError([Problem(display, node.start_mark.line + 1, _field(path), f"bad value: {exc}")]) from None
    finally:
        loader.dispose()


def _field(path: tuple) -> str | None:
    if not path:
        return None
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


field_name = _field

__all__ = ["Located", "load_yaml", "read_text", "field_name", "MAX_BYTES"]
