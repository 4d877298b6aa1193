"""Content negotiation: which document format (or result format) a client's ``Accept`` header asks for."""
from __future__ import annotations

from typing import Sequence

# extension -> (media type, name)
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "Turtle"),
    "jsonld": ("application/ld+json", "JSON-LD"),
    "rdf": ("application/rdf+xml", "RDF/XML"),
    "nt": ("application/n-triples", "N-Triples"),
}
DOC_FORMATS: dict[str, tuple[str, str]] = {**RDF_FORMATS, "html": ("text/html", "HTML")}
# media types clients send -> extension
MEDIA_TO_EXT = {
    "text/turtle": "ttl", "application/x-turtle": "ttl", "application/turtle": "ttl", "text/n3": "ttl",
    "text/rdf+n3": "ttl",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdf", "application/xml": "rdf", "text/xml": "rdf",
    "application/n-triples": "nt", "text/plain": "nt",
    "text/html": "html", "application/xhtml+xml": "html",
}


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``Accept`` as (media range, q, order), highest q first; malformed parts are ignored."""
    out = []
    for i, part in enumerate((header or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q, i))
    return out


def negotiate(header: str | None, offers: Sequence[str], default: str | None = None) -> str | None:
    """The best of ``offers`` (media types, in server preference order) for an ``Accept`` header.

    No header (or an empty one) means ``*/*``. Returns None when nothing offered is acceptable.
    """
    ranges = parse_accept(header) or [("*/*", 1.0, 0)]
    best, best_key = None, None
    for pref, offer in enumerate(offers):
        otype = offer.split("/")[0]
        q, spec = None, -1
        for media, mq, _ in ranges:
            if media == offer:
                s = 2
            elif media == otype + "/*":
                s = 1
            elif media == "*/*":
                s = 0
            else:
                continue
            if s > spec:
                q, spec = mq, s
        if q is None or q <= 0:
            continue
        key = (q, -pref)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best if best is not None else default


def negotiate_ext(header: str | None, exts: Sequence[str] = ("ttl", "html", "jsonld", "rdf", "nt")) -> str | None:
    """The extension of the best document format; aliases (application/json...) count as their format.

    Order of ``exts`` is the server's preference when the client likes several equally: Turtle
    first, so a client that sends no Accept (or ``*/*``) gets data; browsers ask for text/html.
    """
    offers = []
    owner = {}
    for ext in exts:
        main = DOC_FORMATS[ext][0]
        offers.append(main)
        owner[main] = ext
    for media, ext in MEDIA_TO_EXT.items():
        if ext in exts and media not in owner:
            offers.append(media)
            owner[media] = ext
    best = negotiate(header, offers)
    return owner.get(best) if best else None


__all__ = ["RDF_FORMATS", "DOC_FORMATS", "MEDIA_TO_EXT", "parse_accept", "negotiate", "negotiate_ext"]
