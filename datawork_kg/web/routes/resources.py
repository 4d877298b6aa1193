"""``/id/{path}``: a resource of the graph (the W3C "Cool URIs" 303 recipe) and the browse pages.

``/id/{path}`` is the thing ``{base}{path}``; it answers ``303 See Other`` to the document in the
format the client asked for (``Vary: Accept``): ``/id/{path}.ttl``, ``.jsonld``, ``.rdf``, ``.nt``
or ``.html``. Those suffix URLs answer ``200`` directly, for people who cannot set headers.
"""
from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .. import pages
from ..context import GET, HTML, ctx_of, negotiated_redirect, rdf_body_response, rdf_response, split_ext
from ..links import is_safe_path
from ..rdf import describe, exists, is_graph, serialize
from ..release import Release


async def resource(request: Request) -> Response:
    ctx = ctx_of(request)
    path = request.path_params["path"]
    rel = ctx.current(request)
    if path in ("", "index.html", "index"):
        return await browse(request)
    if path.endswith("/") or path.endswith("/index.html"):
        kind = path.rstrip("/").removesuffix("/index.html").rstrip("/")
        return await browse_kind(request, kind)
    stem, ext = split_ext(path)
    if not is_safe_path(stem):
        return ctx.error(request, 404, "no such resource")
    iri = rel.base + stem
    if ext is not None and ext != "html":
        # a document of the resource. Describing a resource is bounded work (its own triples, at most
        # INCOMING_CAP links to it, a label each: about a millisecond), done here on the event loop: a
        # hop to the thread pool and back cost more than that, and its thread fought the event loop for
        # the GIL (measured at 100k: 4.3 ms of CPU per lookup with the hop, 2.7 without). A graph's
        # description counts its triples, which is not bounded: that one goes to the thread pool.
        if is_graph(rel.pages, iri):
            body = await run_in_threadpool(_document, rel, iri, ext)
        else:
            body = _document(rel, iri, ext)
        if body is None:
            return ctx.error(request, 404, f"no resource <{iri}> in this graph (release {rel.id})")
        return rdf_body_response(body, ext, ctx.doc_headers(iri, rel, ext))
    if not await run_in_threadpool(exists, rel.pages, iri):
        return ctx.error(request, 404, f"no resource <{iri}> in this graph (release {rel.id})")
    return await describe_response(request, rel, iri, ext, f"/id/{stem}")


def _document(rel: Release, iri: str, ext: str) -> bytes | None:
    """``iri`` described and serialised in format ``ext``, or None when the graph does not have it."""
    triples = describe(rel.pages, iri)
    # a resource the graph has is described by at least one triple (the only exception: a build
    # without the stored union, whose default graph is empty); ask the store only then
    if not triples and not exists(rel.pages, iri):
        return None
    return serialize(triples, ext, rel.base)


async def describe_response(request: Request, rel: Release, iri: str, ext: str | None, doc_base: str) -> Response:
    """The description of ``iri``: a 303 to a document (no ``ext``), or the document in format ``ext``."""
    ctx = ctx_of(request)
    if ext is None:
        return negotiated_redirect(request, quote(doc_base))
    headers = ctx.doc_headers(iri, rel, ext)
    if ext == "html":
        try:
            incoming_page = max(1, int(request.query_params.get("incoming", "1")))
        except ValueError:
            incoming_page = 1

        def render():
            return pages.resource_page(rel.site.view(iri), rel.site, ctx.linker(rel), incoming_page=incoming_page)
        page = await run_in_threadpool(render)
        return Response(page, 200, media_type=HTML, headers=headers)
    triples = await run_in_threadpool(describe, rel.pages, iri)
    return rdf_response(triples, ext, rel, headers)


async def browse(request: Request) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    kinds = await run_in_threadpool(rel.kinds)
    page = pages.kinds_page({k: len(v) for k, v in kinds.items()}, ctx.linker(rel))
    return Response(page, media_type=HTML)


async def browse_kind(request: Request, kind: str) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    kinds = await run_in_threadpool(rel.kinds)
    if kind not in kinds:
        return ctx.error(request, 404, f"no resources of kind '{kind}'")
    page = await run_in_threadpool(pages.kind_page, kind, kinds[kind], rel.site, ctx.linker(rel))
    return Response(page, media_type=HTML)


def routes() -> list:
    return [Route("/id", lambda r: RedirectResponse("/id/", 301), methods=GET),
            Route("/id/{path:path}", resource, methods=GET)]
