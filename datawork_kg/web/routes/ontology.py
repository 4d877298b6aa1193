"""The ontology and the documentation: ``/ontology`` (pyLODE page, or the whole ontology as data),
``/ontology/{Term}`` (the term ``…/ontology#Term``) and the query catalogue ``/queries.html``."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...namespace import DW_NS
from ...ontology import ONTOLOGY_GRAPH, module_triples, modules
from ..context import (GET, HTML, LICENSE, ctx_of, document_headers, negotiated_redirect, rdf_response, see_other,
                       split_ext)
from ..links import is_safe_path
from ..negotiation import DOC_FORMATS
from ..rdf import exists
from .resources import describe_response


async def ontology(request: Request) -> Response:
    return negotiated_redirect(request, "/ontology")


async def ontology_doc(request: Request) -> Response:
    ctx = ctx_of(request)
    ext = request.path_params["ext"]
    if ext not in DOC_FORMATS:
        return ctx.error(request, 404, "no such document")
    rel = ctx.current(request)
    headers = document_headers(ONTOLOGY_GRAPH, "/ontology", ext, rel)
    if ext == "html":
        text = await run_in_threadpool(rel.ontology_html)
        return Response(text, media_type=HTML, headers=headers)
    triples = await run_in_threadpool(rel.ontology_triples)
    return rdf_response(triples, ext, rel, headers)


async def ontology_module(request: Request) -> Response:
    """``/ontology/strict``, ``/ontology/align/dcterms``, ``/ontology/0.1.0`` ...: a module (or the
    ontology) by its IRI or version IRI, whole, in every format; browsers go to the modules section."""
    ctx = ctx_of(request)
    stem, ext = split_ext(request.path_params["path"])
    iri = ONTOLOGY_GRAPH + "/" + stem
    if iri not in modules():
        if "/" not in stem:
            return await ontology_term(request)
        return ctx.error(request, 404, f"the ontology has no module '{stem}'")
    if ext is None:
        return negotiated_redirect(request, f"/ontology/{quote(stem)}", html_location="/ontology.html#modules")
    if ext == "html":
        described = {m: f"/ontology/{quote(stem)}.{e}" for e, (m, _) in DOC_FORMATS.items()}
        return see_other("/ontology.html#modules", describedby=described)
    rel = ctx.current(request)
    triples = await run_in_threadpool(module_triples, iri)
    headers = {"Link": f'<{iri}>; rel="describes", <{LICENSE}>; rel="license"', "X-Datawork-Release": rel.id}
    return rdf_response(triples, ext, rel, headers)


async def ontology_term(request: Request) -> Response:
    ctx = ctx_of(request)
    rel = ctx.current(request)
    stem, ext = split_ext(request.path_params.get("term") or request.path_params["path"])
    if not is_safe_path(stem) or "/" in stem:
        return ctx.error(request, 404, "no such term")
    iri = None
    for c in (DW_NS + stem, ONTOLOGY_GRAPH + "/" + stem):
        if await run_in_threadpool(exists, rel.store, c):
            iri = c
            break
    if iri is None:
        return ctx.error(request, 404, f"the ontology has no term '{stem}'")
    if ext is None:
        return negotiated_redirect(request, f"/ontology/{quote(stem)}",
                                   html_location=f"/ontology.html#{quote(stem)}" if iri.startswith(DW_NS) else None)
    return await describe_response(request, rel, iri, ext, f"/ontology/{stem}")


async def catalogue(request: Request) -> Response:
    from ...docs import catalogue_html

    lk = ctx_of(request).linker(ctx_of(request).current(request))

    def render():
        return catalogue_html(linker=lk, run_href=lambda q: "/sparql?" + urlencode({"query": q, "format": "html"}))
    return Response(await run_in_threadpool(render), media_type=HTML)


def routes() -> list:
    return [Route("/queries.html", catalogue, methods=GET),
            Route("/queries", lambda r: RedirectResponse("/queries.html", 301), methods=GET),
            Route("/ontology", ontology, methods=GET),
            Route("/ontology.{ext}", ontology_doc, methods=GET),
            Route("/ontology/{path:path}", ontology_module, methods=GET)]
