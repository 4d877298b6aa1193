"""The dataset: its description (VoID and DCAT at ``/.well-known/void`` and ``/dataset``, in every
format) and the dumps (``/dumps/``)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ...describe import DUMPS
from .. import pages
from ..context import GET, HTML, LICENSE, ctx_of, document_headers, negotiated_redirect, rdf_response
from ..negotiation import DOC_FORMATS, negotiate_ext
from ..release import Release


async def void(request: Request) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    ext = negotiate_ext(request.headers.get("accept"))
    if ext is None:
        return ctx.not_acceptable(request)
    response = await dataset_document(request, rel, ext)
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = f"/dataset.{ext}"
    return response


async def dataset(request: Request) -> Response:
    return negotiated_redirect(request, "/dataset")


async def dataset_doc(request: Request) -> Response:
    ctx = ctx_of(request)
    ext = request.path_params["ext"]
    if ext not in DOC_FORMATS:
        return ctx.error(request, 404, "no such document")
    return await dataset_document(request, ctx.current(request), ext)


async def dataset_document(request: Request, rel: Release, ext: str) -> Response:
    ctx = ctx_of(request)
    ds = rel.dataset_iri()
    headers = document_headers(ds, "/dataset", ext, rel)
    if ext == "html":
        page = await run_in_threadpool(lambda: pages.void_page(rel.void_store(), ds, rel.site, ctx.linker(rel)))
        return Response(page, media_type=HTML, headers=headers)
    triples = await run_in_threadpool(rel.void_triples)
    return rdf_response(triples, ext, rel, headers)


async def dumps_index(request: Request) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    return Response(pages.dumps_page(rel.dumps(), ctx.linker(rel)), media_type=HTML)


async def dump_file(request: Request) -> Response:
    ctx = ctx_of(request)
    name = request.path_params["name"]
    allowed = {**{k: v[0] for k, v in DUMPS.items()}, "void.ttl": "text/turtle"}
    if name not in allowed:
        return ctx.error(request, 404, "no such download")
    rel = ctx.current(request)
    f = rel.path / "dumps" / name
    if not f.is_file():
        return ctx.error(request, 404, f"this build has no {name} (built with --no-dumps?)")
    return FileResponse(f, media_type=allowed[name], headers={"X-Datawork-Release": rel.id,
                                                              "Link": f'<{LICENSE}>; rel="license"'})


def routes() -> list:
    return [Route("/.well-known/void", void, methods=GET),
            Route("/dataset", dataset, methods=GET),
            Route("/dataset.{ext}", dataset_doc, methods=GET),
            Route("/dumps", lambda r: RedirectResponse("/dumps/", 301), methods=GET),
            Route("/dumps/", dumps_index, methods=GET),
            Route("/dumps/index.html", dumps_index, methods=GET),
            Route("/dumps/{name}", dump_file, methods=GET)]
