"""The site itself: the home page, ``/health``, and the refusals of a read-only server (405 for
writes, 404 for unknown paths, the answer to CORS-less ``OPTIONS``)."""
from __future__ import annotations

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import pages
from ..context import GET, HTML, ctx_of, see_other
from ..negotiation import negotiate_ext


async def home(request: Request) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    ext = negotiate_ext(request.headers.get("accept"), ("html", "ttl", "jsonld", "rdf", "nt"))
    if ext and ext != "html":
        return see_other(f"/dataset.{ext}")

    def render():
        kinds = {k: len(v) for k, v in rel.kinds().items()}
        examples = [q.object.value for q in rel.void_store().quads_for_pattern(
            ox.NamedNode(rel.dataset_iri()), ox.NamedNode("http://rdfs.org/ns/void#exampleResource"), None)]
        return pages.index_page(rel.summary, kinds, rel.site, ctx.linker(rel), examples=sorted(examples),
                                dumps=[d[0] for d in rel.dumps()])
    page = await run_in_threadpool(render)
    return Response(page, media_type=HTML, headers={"Vary": "Accept"})


async def health(request: Request) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    return JSONResponse({"ok": True, "release": rel.id, "base": rel.base, "triples": rel.summary.get("triples"),
                         "timeout": ctx.timeout, "max_rows": ctx.max_rows, "max_bytes": ctx.max_bytes, "allow_service": ctx.allow_service,
                         **ctx.server_state()})


def _allow(request: Request) -> str:
    return "GET, HEAD, POST, OPTIONS" if request.url.path == "/sparql" else "GET, HEAD, OPTIONS"


async def fallback(request: Request) -> Response:
    if request.method in ("GET", "HEAD"):
        return ctx_of(request).error(request, 404, "nothing here")
    if request.method == "OPTIONS":
        return Response(b"", 204, headers={"Allow": _allow(request)})
    return await write_refused(request)


async def write_refused(request: Request) -> Response:
    return ctx_of(request).error(request, 405, f"this server is read-only: {request.method} is not allowed "
                                               "(no SPARQL Update, no Graph Store writes)", {"Allow": _allow(request)})


def routes() -> list:
    return [Route("/", home, methods=GET),
            Route("/index.html", home, methods=GET),
            Route("/health", health, methods=GET)]


def fallback_routes() -> list:
    """The last route: everything no other route took."""
    return [Route("/{path:path}", fallback, methods=None)]
