"""Content negotiation with q-values, as regular expressions for the static site's nginx and Apache rules.

The live server ranks the formats a client accepts by their q-values (the most specific media range
decides each format's q), breaks ties by its own preference (Turtle, HTML, JSON-LD, RDF/XML,
N-Triples, then the aliases), and answers 406 when nothing it has is acceptable. Web servers have no
such algorithm for redirects, so the static rules spell it out: one regular expression per
(media type, q tier, how the type is named), tried from the best tier and the most preferred type
down; the first that matches the ``Accept`` header names the format, and none means 406.

What the rules can and cannot do (docs/publishing.md says the same):

- a wildcard reaches only the five formats' own media types (Turtle, HTML, JSON-LD, RDF/XML,
  N-Triples), not their aliases.
- q-values are compared to one decimal place: ``q=1`` (or none) > ``0.9x`` > ... > ``0.1x`` >
  ``0.0x``; two formats in the same tier go by the server's preference (``q=0.85`` and ``q=0.8``
  tie, which the live server breaks by q).
- ``q=0`` refuses a format, also against a wildcard (``text/turtle;q=0, */*`` gives HTML).
- ``type/*`` and ``*/*`` count only for types the header does not name itself, and ``type/*``
  before ``*/*`` (the most specific range decides).
- An empty or missing ``Accept`` gets Turtle; an ``Accept`` naming nothing the site has gets 406.
"""
from __future__ import annotations

import re

# media type -> extension, in the live server's order of preference (html.negotiate_ext: the five
# main types first, then the aliases clients send)
OFFERS: tuple[tuple[str, str], ...] = (
    ("text/turtle", "ttl"), ("text/html", "html"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdf"), ("application/n-triples", "nt"),
    ("application/x-turtle", "ttl"), ("application/turtle", "ttl"), ("text/n3", "ttl"), ("text/rdf+n3", "ttl"),
    ("application/json", "jsonld"), ("application/xml", "rdf"), ("text/xml", "rdf"), ("text/plain", "nt"),
    ("application/xhtml+xml", "html"),
)

_MAIN = 5  # the first five offers are the formats' own media types; the rest are aliases
_WS = "[ \\t]*"
_OTHER_PARAMS = f"(?:{_WS};{_WS}(?!q=)[^,;]*)*"   # parameters before q (charset, profile...)
_AFTER = f"(?:{_WS};{_WS}(?!q=)[^,]*)?{_WS}(?:,|$)"           # accept-extensions after q, then the next range
# q tiers, best first: 10 is q=1 (or no q), 9 is 0.9x ... 1 is 0.1x, 0 is 0.0x (but not 0)
_TIERS = {10: f"(?:{_WS};{_WS}q=1(?:\\.0{{0,3}})?)?",
          **{d: f"{_WS};{_WS}q=0?\\.{d}[0-9]{{0,2}}" for d in range(9, 0, -1)},
          0: f"{_WS};{_WS}q=0?\\.0(?:[1-9][0-9]?|0[1-9])"}


def _range(media: str, tier: int) -> str:
    """``media`` (a type, ``type/*`` or ``*/*``) named in the header with a q in ``tier``."""
    return f"(?:^|,){_WS}{re.escape(media)}{_OTHER_PARAMS}{_TIERS[tier]}{_AFTER}"


def _not_named(media: str) -> str:
    """A lookahead: the header does not name ``media`` at all (with any q, 0 included)."""
    return f"(?!(?:.*,)?{_WS}{re.escape(media)}{_WS}(?:;|,|$))"


def rules() -> list[tuple[str, str]]:
    """(extension, regular expression on Accept), best first: the first match decides.

    Case is not significant (the callers match case-insensitively).
    """
    out: list[tuple[str, str]] = []
    for tier in _TIERS:
        for i, (media, ext) in enumerate(OFFERS):
            out.append((ext, "^.*" + _range(media, tier)))
            if i >= _MAIN:  # a wildcard reaches an alias only when the header names every main type
                continue
            family = media.split("/")[0] + "/*"
            out.append((ext, "^" + _not_named(media) + ".*" + _range(family, tier)))
            out.append((ext, "^" + _not_named(media) + _not_named(family) + ".*" + _range("*/*", tier)))
    return out


def negotiate(accept: str | None) -> str | None:
    """What the static rules choose for ``accept``: an extension, or None for 406 (for tests and docs)."""
    if accept is None or not accept.strip():
        return "ttl"
    for ext, pattern in rules():
        if re.search(pattern, accept, re.IGNORECASE):
            return ext
    return None


__all__ = ["OFFERS", "rules", "negotiate"]
