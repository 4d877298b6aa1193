"""What every route of the server shares: its settings, the releases, the query pool, and the helpers
that answer (errors in HTML or text, 303 redirects, RDF documents with their Link headers).

One :class:`WebContext` is made by :func:`datawork_kg.web.app.create_app` and kept in
``app.state.web``; a handler reaches it with :func:`ctx_of`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..iris import DEFAULT_BASE
from . import pages
from .links import Linker
from .negotiation import DOC_FORMATS, RDF_FORMATS, negotiate, negotiate_ext
from .pool import QueryPool
from .processes import Board
from .rdf import serialize
from .release import Release, Releases

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
HTML = "text/html; charset=utf-8"
GET = ["GET", "HEAD"]
TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
          413: "Too large", 415: "Unsupported media type", 500: "Server error",
          503: "Service unavailable"}


@dataclass
class WebContext:
    releases: Releases
    pool: QueryPool
    timeout: float
    max_rows: int
    max_bytes: int
    allow_service: bool
    base: str | None
    max_query_bytes: int
    max_body_bytes: int
    board: Board | None = None  # the other HTTP processes of this server (--processes), if any
    limits_text: str = field(init=False)
    warm: bool = field(init=False, default=False)  # the start-up caches are filled (app._lifespan)

    def __post_init__(self) -> None:
        self.limits_text = (f"Queries time out after {self.timeout:g} s (the work is stopped); results are capped at "
                            f"{self.max_rows:,} rows and {self.max_bytes:,} bytes (a cut result says so: header "
                            "X-Datawork-Truncated: true).")

    # -- this process and the others
    def process_state(self) -> dict:
        return {"pid": os.getpid(), "workers": self.pool.pids(), "killed_workers": len(self.pool.killed),
                "warm": self.warm}

    def server_state(self) -> dict:
        """What ``/health`` says of the server's processes: every HTTP process and query worker, the
        workers killed at a deadline, and whether every process has filled its start-up caches."""
        own = self.process_state()
        states = self.board.states(own) if self.board is not None else [own]
        expected = self.board.expected if self.board is not None else 1
        return {"process": own["pid"], "processes": sorted(s["pid"] for s in states),
                "workers": [pid for s in states for pid in s["workers"]],
                "killed_workers": sum(s["killed_workers"] for s in states),
                "warm": len(states) >= expected and all(s["warm"] for s in states)}

    # -- the release of this request
    def current(self, request: Request) -> Release:
        rel = request.scope.get("datawork.release")
        if rel is None:
            rel = self.releases.current()
            request.scope["datawork.release"] = rel
        return rel

    def linker(self, rel: Release | None = None) -> Linker:
        return Linker(rel.base if rel else (self.base or DEFAULT_BASE), "/", server=True,
                      edition=rel.edition if rel else None)

    # -- answers
    def error(self, request: Request, status: int, message: str, headers: dict | None = None) -> Response:
        hdrs = dict(headers or {})
        if wants_html(request):
            page = pages.message_page(TITLES.get(status, "Error"), message, self.linker(), status=status)
            return Response(page, status, media_type=HTML, headers=hdrs)
        return PlainTextResponse(message + "\n", status, headers=hdrs)

    def not_acceptable(self, request: Request, offered: list[str] | None = None) -> Response:
        offered = offered if offered is not None else [m for m, _ in DOC_FORMATS.values()]
        return self.error(request, 406, "none of the requested formats is available here; available: " + ", ".join(offered),
                          {"Vary": "Accept"})

    def doc_headers(self, thing: str, rel: Release, ext: str, *, alternates_of: str | None = None) -> dict:
        lk = self.linker(rel)
        links = [f'<{thing}>; rel="describes"', f'<{LICENSE}>; rel="license"']
        for e, (media, _) in DOC_FORMATS.items():
            if e != ext:
                links.append(f'<{lk.doc(alternates_of or thing, e)}>; rel="alternate"; type="{media}"')
        return {"Link": ", ".join(links), "X-Datawork-Release": rel.id, "Cache-Control": "public, max-age=300"}


def ctx_of(request: Request) -> WebContext:
    return request.app.state.web


def wants_html(request: Request) -> bool:
    return negotiate(request.headers.get("accept"), ["application/json", "text/plain", "text/html"]) == "text/html" \
        and "text/html" in (request.headers.get("accept") or "")


def rdf_response(triples: list, ext: str, rel: Release, headers: dict) -> Response:
    return rdf_body_response(serialize(triples, ext, rel.base), ext, headers)


def rdf_body_response(body: bytes, ext: str, headers: dict) -> Response:
    """A document already serialised in format ``ext``."""
    media = RDF_FORMATS[ext][0]
    if ext == "ttl":
        media += "; charset=utf-8"
    return Response(body, 200, media_type=media, headers=headers)


def see_other(location: str, *, describedby: dict[str, str] | None = None) -> Response:
    headers = {"Location": location, "Vary": "Accept"}
    if describedby:
        headers["Link"] = ", ".join(f'<{u}>; rel="describedby"; type="{t}"' for t, u in describedby.items())
    return Response(b"", 303, headers=headers)


def negotiated_redirect(request: Request, doc_base: str, *, html_location: str | None = None) -> Response:
    """The 303 from a thing to its description in the format the Accept header prefers (406 when none
    is offered): ``{doc_base}.{ext}``, or ``html_location`` for a browser when the HTML view lives
    elsewhere; a Link header names the document in every format."""
    best = negotiate_ext(request.headers.get("accept"))
    if best is None:
        return ctx_of(request).not_acceptable(request)
    described = {media: f"{doc_base}.{e}" for e, (media, _) in DOC_FORMATS.items()}
    location = html_location if best == "html" and html_location else f"{doc_base}.{best}"
    return see_other(location, describedby=described)


def document_headers(describes: str, doc_base: str, ext: str, rel: Release) -> dict:
    """Headers of a document served at ``{doc_base}.{ext}``: what it describes, the licence, its
    alternates in the other formats, and the release it comes from."""
    links = [f'<{describes}>; rel="describes"', f'<{LICENSE}>; rel="license"'] + \
        [f'<{doc_base}.{e}>; rel="alternate"; type="{media}"' for e, (media, _) in DOC_FORMATS.items() if e != ext]
    return {"Link": ", ".join(links), "X-Datawork-Release": rel.id}


def split_ext(path: str) -> tuple[str, str | None]:
    """``chain/x.ttl`` -> (``chain/x``, ``ttl``); a path without a document suffix -> (path, None)."""
    head, dot, ext = path.rpartition(".")
    if dot and ext in DOC_FORMATS and "/" not in ext:
        return head, ext
    return path, None


__all__ = ["WebContext", "ctx_of", "wants_html", "rdf_response", "rdf_body_response", "see_other", "negotiated_redirect", "document_headers",
           "split_ext", "LICENSE", "HTML", "GET"]
