"""The chain explorer: its page at ``/explore`` and its data, the build's ``explore.json`` (made from
the graph, and cached, for a release built before the build wrote it)."""
from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import pages
from ..context import GET, HTML, LICENSE, ctx_of


async def explore(request: Request) -> Response:
    ctx = ctx_of(request)
    return Response(pages.explorer_page(ctx.linker(ctx.current(request))), media_type=HTML)


async def explore_data(request: Request) -> Response:
    from ...explorer import FILE_NAME, explorer_data

    rel = ctx_of(request).current(request)
    headers = {"X-Datawork-Release": rel.id, "Link": f'<{LICENSE}>; rel="license"'}
    f = rel.path / FILE_NAME
    if f.is_file():
        return FileResponse(f, media_type="application/json", headers=headers)
    body = await run_in_threadpool(rel.cached, "explore.json", lambda: json.dumps(
        explorer_data(rel.store, base=rel.base, release=rel.id), separators=(",", ":")).encode())
    return Response(body, media_type="application/json", headers=headers)


def routes() -> list:
    return [Route("/explore", explore, methods=GET),
            Route("/explore/", lambda r: RedirectResponse("/explore", 301), methods=GET),
            Route("/explore/index.html", explore, methods=GET),
            Route("/explore/explore.json", explore_data, methods=GET)]
