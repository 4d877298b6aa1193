"""What a valid case file is: its JSON schema (checked by jsonschema and, fast, by fastjsonschema)
and the ISO codes it may use. Shared by the case-file and CSV loaders."""
from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
import pycountry

from ..resources import schema_path


@functools.lru_cache(maxsize=1)
def schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@functools.lru_cache(maxsize=1)
def fast_schema_check():
    """The case-file schema compiled to Python by fastjsonschema (about 20x faster than jsonschema).

    It only answers "valid or not": a file it passes has no schema problem, and a file it fails is
    checked again by jsonschema, whose errors give the messages (line, field, hint). The schema uses
    only keywords both read alike (type, enum, const, pattern, items, properties, required,
    additionalProperties, minimum/maximum, oneOf, $ref to $defs); fastjsonschema also checks
    ``format``, which jsonschema does not, so it may fail a file that jsonschema then passes, never
    the other way round (``tests/test_loaders.py`` checks both on every bad input).
    """
    import fastjsonschema

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"  # the newest draft fastjsonschema knows
    return fastjsonschema.compile(schema)


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


__all__ = ["schema_validator", "fast_schema_check", "schema_valid_fast", "is_country", "is_currency", "warm_up"]
