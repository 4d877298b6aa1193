"""Read a YAML case file safely and remember the line of every value.

Anchors and aliases are refused (a case file never needs them, and they are how 'billion
laughs' bombs work); tabs, bad UTF-8, empty and oversized files get a message naming the line.

Plain values are read with the YAML 1.2 core schema's rules, limited to decimal numbers: ``true``
and ``false`` are booleans, ``null`` and ``~`` nothing, decimal numbers numbers, and everything
else text. So the YAML 1.1 forms PyYAML would otherwise read are text, never a silently changed
value: ``1:30`` (not 90), ``0x1F`` and ``0o17`` (not 31 and 15), ``1_000``, ``yes``/``no``/``on``/
``off`` (``country: NO`` is Norway) and dates (``2022-02-28`` is the text the schema checks as a
date). Numbers must be finite and at most 100 digits long; the only tags allowed are ``!!str``,
``!!int``, ``!!float``, ``!!bool`` and ``!!null``, and their values must have their form.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem

try:  # libyaml is much faster when present
    _Base = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


_YAML_TAG = "tag:yaml.org,2002:"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# the YAML 1.2 core schema's forms, decimal numbers only (hexadecimal and octal numbers are text)
_NULL_FORM = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_FORM = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_FORM = re.compile(r"^[-+]?[0-9]+$")
_FLOAT_FORM = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
MAX_DIGITS = 100


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader with YAML 1.2 core resolution of plain values (decimal numbers only),
    remembering how it resolved each plain scalar: the composer asks the (Python) resolver about
    every value, and keys and codes recur hundreds of times in a case file."""

    _resolved: dict = {}
    yaml_implicit_resolvers: dict = {}

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


for _tag, _form, _first in ((_NULL, _NULL_FORM, ["~", "n", "N", ""]), (_BOOL, _BOOL_FORM, list("tTfF")),
                            (_INT, _INT_FORM, list("-+0123456789")), (_FLOAT, _FLOAT_FORM, list("-+.0123456789"))):
    _Loader.add_implicit_resolver(_tag, _form, _first)

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
    if not isinstance(node, yaml.ScalarNode) and node.tag not in (_MAP, _SEQ):
        short = _short(node.tag)
        raise InputError([Problem(display, node.start_mark.line + 1, _field(path),
                                  f"YAML tag {short} is not allowed in case files",
                                  "remove the tag; case files hold text, numbers, true/false, lists and mappings")])
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
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path, display)
    return None  # pragma: no cover  (the composer makes only mappings, sequences and scalars)


def _scalar(node: yaml.ScalarNode, path: tuple, display: str) -> Any:
    """The value of a scalar by the YAML 1.2 core rules (see the module docstring)."""
    tag, value = node.tag, node.value

    def refuse(message: str, hint: str) -> InputError:
        return InputError([Problem(display, node.start_mark.line + 1, _field(path), message, hint)])

    if tag == _STR:
        return value
    if tag == _NULL:
        if _NULL_FORM.match(value):
            return None
        raise refuse(f"{value!r} is tagged !!null but is not null", "write null, or remove the tag")
    if tag == _BOOL:
        if _BOOL_FORM.match(value):
            return value.lower() == "true"
        raise refuse(f"{value!r} is tagged !!bool but is not true or false", "write true or false")
    if tag in (_INT, _FLOAT):
        digits = sum(c.isdigit() for c in value)
        if digits > MAX_DIGITS:
            raise refuse(f"number with {digits:,} digits is too long (at most {MAX_DIGITS})",
                         "check the number against the paper")
        if tag == _INT and _INT_FORM.match(value):
            return int(value)
        if tag == _FLOAT and (_FLOAT_FORM.match(value) or _INT_FORM.match(value)):
            body = value.lstrip("+-")
            number = float("nan") if body[:1] == "." and body[1:2].isalpha() else float(value)  # .inf, .nan
            if not math.isfinite(number):
                raise refuse(f"{value!r} is not a finite number", "write a decimal number such as 1500 or 7.5")
            return number
        what = "a whole number" if tag == _INT else "a number"
        raise refuse(f"{value!r} is tagged {_short(tag)} but is not {what}",
                     "write a decimal number such as 1500 or 7.5, or remove the tag")
    short = _short(tag)
    hint = ("write the date as text YYYY-MM-DD, without a tag" if tag.endswith(":timestamp")
            else "remove the tag; case files hold text, numbers, true/false, lists and mappings")
    raise refuse(f"YAML tag {short} is not allowed in case files", hint)


def _short(tag: str) -> str:
    """A tag as written in YAML: 'tag:yaml.org,2002:timestamp' -> '!!timestamp'."""
    return "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag


def _field(path: tuple) -> str | None:
    if not path:
        return None
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


field_name = _field

__all__ = ["Located", "load_yaml", "read_text", "field_name", "MAX_BYTES"]
