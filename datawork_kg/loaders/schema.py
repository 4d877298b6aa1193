"""What a valid case file is: its JSON schema (checked by jsonschema and, fast, by fastjsonschema)
and the ISO codes it may use. Shared by the case-file and CSV loaders."""
from __future__ import annotations

import datetime
import functools
import json
import re
from typing import Any

import jsonschema
import pycountry

from ..resources import schema_path


_DATE_FORM = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_END_ANCHOR = re.compile(r"(?<!\\)\$")  # a '$' not escaped: the end of the text in JSON Schema's regexes


def is_date(value: Any) -> bool:
    """Whether ``value`` is a date that exists, written YYYY-MM-DD (not 2022-02-30): the schema's ``date``
    format. Raises ValueError saying why not (the message the loaders give)."""
    if not isinstance(value, str):
        return True  # the type check speaks for values that are not text
    if not _DATE_FORM.match(value):
        raise ValueError("is not a date written YYYY-MM-DD")
    try:
        datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"is not a date that exists: {exc}") from None
    return True


def _date_ok(value: Any) -> bool:
    try:
        return is_date(value)
    except ValueError:
        return False


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date", raises=ValueError)(is_date)


def _pattern(validator, pattern, instance, schema):
    """JSON Schema's ``pattern`` with '$' meaning the end of the text (ECMA-262), as fastjsonschema
    reads it: Python's '$' also matches before a final newline, which let an id 'amazon\\n' through."""
    if validator.is_type(instance, "string") and not re.search(_END_ANCHOR.sub(r"\\Z", pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


@functools.lru_cache(maxsize=1)
def schema_validator() -> jsonschema.Draft202012Validator:
    """jsonschema's validator of the case-file schema, reading ``pattern`` and the ``date`` format as
    :func:`fast_schema_check` does (so both pass the same documents)."""
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return _Validator(schema, format_checker=_FORMATS)


@functools.lru_cache(maxsize=1)
def fast_schema_check():
    """The case-file schema compiled to Python by fastjsonschema (about 20x faster than jsonschema).

    It only answers "valid or not": a file it passes has no schema problem, and a file it fails is
    checked again by jsonschema, whose errors give the messages (line, field, hint). The schema uses
    only keywords both read alike (type, enum, const, pattern, items, properties, required,
    additionalProperties, minimum/maximum, oneOf, $ref to $defs, and ``format: date`` with
    :func:`is_date` in both); ``tests/test_loaders.py`` checks that both pass the same documents.
    """
    import fastjsonschema

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"  # the newest draft fastjsonschema knows
    return fastjsonschema.compile(schema, formats={"date": _date_ok})


def schema_valid_fast(data: Any) -> bool:
    """Whether fastjsonschema finds ``data`` valid against the case-file schema."""
    import fastjsonschema

    try:
        fast_schema_check()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@functools.lru_cache(maxsize=None)
def is_country(code: str) -> bool:
    return isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


@functools.lru_cache(maxsize=None)
def is_currency(code: str) -> bool:
    return isinstance(code, str) and len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


def warm_up() -> None:
    """Build what every loading process would otherwise build again: the compiled schemas, the ISO tables."""
    schema_validator()
    fast_schema_check()
    is_country("FR")
    is_currency("EUR")


__all__ = ["is_date", "schema_validator", "fast_schema_check", "schema_valid_fast", "is_country", "is_currency", "warm_up"]
