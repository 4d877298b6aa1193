"""``/search``: find a party, chain, task, country, study or concept by name (datawork_kg.search).

``/search?q=TEXT`` answers an HTML page of results, or JSON (``Accept: application/json`` or
``format=json``): ``{"query", "results": [{"iri", "name", "kind", "href"}]}``. ``kind=`` keeps one
kind (``country``, ``chain``...). The index is read from the release's store once and kept with it.
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ... import search as S
from .. import pages
from ..context import GET, HTML, ctx_of
from ..negotiation import negotiate

MAX_QUERY_CHARS = 200
LIMIT = 50


async def search(request: Request) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    text = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
    kind = request.query_params.get("kind") or None
    index = await run_in_threadpool(rel.cached, "search-index", lambda: S.entries(rel.store))
    hits = S.search(index, text, LIMIT, kind=kind)
    linker = ctx.linker(rel)
    wanted = request.query_params.get("format") or negotiate(request.headers.get("accept"),
                                                             ["text/html", "application/json"], "text/html")
    if wanted in ("json", "application/json"):
        return JSONResponse({"query": text, "results": [{"iri": h.iri, "name": h.name, "kind": h.kind,
                                                         "href": linker.href(h.iri)} for h in hits]},
                            headers={"Vary": "Accept"})
    page = pages.search_page(text, hits, linker, kinds=sorted({e.kind for e in index}), kind=kind)
    return Response(page, media_type=HTML, headers={"Vary": "Accept"})


def routes() -> list:
    return [Route("/search", search, methods=GET)]
