"""The SPARQL endpoint (SPARQL 1.1 Protocol, GET and POST) at ``/sparql``, its query page and its limits.

Queries run in the worker pool (:mod:`datawork_kg.web.pool`): killed at the timeout, cut at the row
cap (a cut result says so in its headers and body). Updates and SERVICE are refused in the workers,
from the parsed query (:mod:`datawork_kg.querycheck`); an ``update`` parameter or a SPARQL Update
body is refused here.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ...namespace import PREFIXES
from ...querycheck import calls_service
from ...sparql_protocol import GRAPH_MEDIA, RESULT_MEDIA, format_values, multi_params
from .. import pages
from ..context import GET, HTML, WebContext, ctx_of, wants_html
from ..pool import SPOOL_BYTES
from ..release import Release

READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
DEFAULT_QUERY = ("PREFIX dw: <https://w3id.org/datawork/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
                 "# Chains and their lead firms\nSELECT ?chain ?label ?lead WHERE {\n  ?chain a dw:Chain ; rdfs:label ?label .\n"
                 "  OPTIONAL { ?chain dw:leadFirm/rdfs:label ?lead }\n} ORDER BY ?label LIMIT 50\n")
VARY = {"Vary": "Accept"}


async def limits(request: Request) -> Response:
    ctx = ctx_of(request)
    return PlainTextResponse(ctx.limits_text + "\nUpdates are refused; SERVICE is "
                             + ("allowed" if ctx.allow_service else "disabled") + ".\n")


def examples(allow_service: bool) -> list[tuple[str, str, str]]:
    """(name, summary, query text) of the library queries the query page offers."""
    from ... import queries as Q
    from ...errors import QueryError

    out = []
    try:
        from ...docs import library_entries

        for e in library_entries():
            q = e["query"]
            if q is None or q.kind not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                continue
            if not allow_service and calls_service(q.text, PREFIXES):
                continue
            try:
                text = Q.bind(q)
            except QueryError:
                text = q.text
            out.append((q.name, q.summary, text))
    except Exception:  # noqa: BLE001 - the page works without examples
        return []
    return out[:40]


async def read_body(request: Request, max_body_bytes: int) -> bytes:
    cl = request.headers.get("content-length")
    if cl and cl.isdigit() and int(cl) > max_body_bytes:
        raise HTTPException(413, f"the request body is larger than {max_body_bytes:,} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body_bytes:
            raise HTTPException(413, f"the request body is larger than {max_body_bytes:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def service_description(request: Request) -> Response:
    url = str(request.url_for("sparql"))
    fmts = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
            "JSON-LD", "N-Triples", "RDF_XML"]
    ttl = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
<{url}> a sd:Service ;
  sd:endpoint <{url}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat {", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in fmts)} ;
  sd:defaultDataset [ a sd:Dataset ; void:sparqlEndpoint <{url}> ] .
"""
    return Response(ttl, media_type="text/turtle; charset=utf-8", headers=VARY)


async def _post_params(request: Request, ctx: WebContext) -> Response | tuple[list[str], dict]:
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = await read_body(request, ctx.max_body_bytes)
    if ctype == "application/sparql-update":
        return ctx.error(request, 403, READ_ONLY, VARY)
    if ctype == "application/sparql-query":
        try:
            queries = [body.decode("utf-8")]
        except UnicodeDecodeError:
            return ctx.error(request, 400, "the query is not valid UTF-8")
        return queries, multi_params(request.query_params.multi_items())
    if ctype in ("application/x-www-form-urlencoded", ""):
        try:
            params = multi_params(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return ctx.error(request, 400, "the form is not valid UTF-8")
        for k, values in multi_params(request.query_params.multi_items()).items():
            params.setdefault(k, values)
        if "update" in params:
            return ctx.error(request, 403, READ_ONLY, VARY)
        return params.get("query", []), params
    return ctx.error(request, 415, "send the query as application/sparql-query or as an "
                                   "application/x-www-form-urlencoded form with a 'query' field")


def _get_params(request: Request, ctx: WebContext) -> Response | tuple[list[str], dict]:
    params = multi_params(request.query_params.multi_items())
    if "update" in params:
        return ctx.error(request, 403, READ_ONLY, VARY)
    queries = params.get("query", [])
    if not queries:  # no query: the query page for browsers, the service description for clients
        if wants_html(request):
            page = pages.query_page(ctx.linker(ctx.current(request)), endpoint="/sparql", default_query=DEFAULT_QUERY,
                                    examples=examples(ctx.allow_service), limits=ctx.limits_text)
            return Response(page, media_type=HTML, headers=VARY)
        return service_description(request)
    return queries, params


async def sparql(request: Request) -> Response:
    ctx = ctx_of(request)
    read = await _post_params(request, ctx) if request.method == "POST" else _get_params(request, ctx)
    if isinstance(read, Response):
        return read
    queries, params = read
    if len(queries) != 1:
        return ctx.error(request, 400, "give exactly one 'query' parameter" if queries else "no 'query' parameter")
    text = queries[0]
    if len(text.encode("utf-8")) > ctx.max_query_bytes:
        return ctx.error(request, 413, f"the query is longer than {ctx.max_query_bytes:,} bytes")
    rel = ctx.current(request)
    limits_url = str(request.url_for("limits"))
    job = {"store": str(rel.store_path), "query": text, "accept": request.headers.get("accept"),
           "formats": format_values(params), "max_rows": ctx.max_rows, "max_bytes": ctx.max_bytes,
           "default_graphs": params.get("default-graph-uri") or [],
           "named_graphs": params.get("named-graph-uri") or [], "prefixes": PREFIXES, "base": rel.base,
           "stored_union": rel.union_default_graph, "allow_service": ctx.allow_service,
           "limits_url": limits_url}
    result = await ctx.pool.run(job, ctx.timeout)
    return _answer(request, ctx, rel, result, limits_url)


def _answer(request: Request, ctx: WebContext, rel: Release, result: dict, limits_url: str) -> Response:
    """The worker's result as a response: its body, or an error."""
    headers = {**VARY, "X-Datawork-Release": rel.id}
    timeout = ctx.timeout
    if result.get("timeout"):
        return ctx.error(request, 503, f"the query ran longer than the server's limit of {timeout:g} s and was stopped; "
                                       "narrow it (LIMIT, more specific patterns) or run it on a downloaded dump",
                         {**headers, "X-Datawork-Timeout": f"{timeout:g}", "Retry-After": "1"})
    if result.get("busy"):
        return ctx.error(request, 503, f"every query worker stayed busy for {timeout:g} s; try again shortly",
                         {**headers, "Retry-After": "2"})
    status = result.get("status", 500)
    if status != 200:
        return ctx.error(request, status, result.get("error", "the query failed"), headers)
    return _result_response(result, headers, ctx, limits_url)


def _chunks(body_file, size: int = 64 * 1024):
    """A result body from its spool file, piece by piece (the file is closed at the end or on disconnect)."""
    with body_file:
        while chunk := body_file.read(size):
            yield chunk


def _result_response(result: dict, headers: dict, ctx: WebContext, limits_url: str) -> Response:
    """The written result (HTML pages included, written in the worker) with its truncation signals."""
    max_rows, max_bytes = ctx.max_rows, ctx.max_bytes
    body_file, size = result["body_file"], result["size"]
    headers["X-Datawork-Rows"] = str(result["rows"])
    headers["X-Datawork-Row-Cap"] = str(max_rows)
    headers["X-Datawork-Byte-Cap"] = str(max_bytes)
    if result["truncated"]:
        headers["X-Datawork-Truncated"] = "true"
        headers["Warning"] = (f'199 datawork "results truncated to the first {max_rows} rows (row cap)"'
                              if result.get("cut_by") == "rows" else
                              f'199 datawork "results truncated to the rows that fit in {max_bytes} bytes (byte cap)"')
        headers["Link"] = f'<{limits_url}>; rel="help"'
    else:
        headers["X-Datawork-Truncated"] = "false"
    if result.get("format_ignored"):
        headers["Warning"] = ((headers["Warning"] + ", ") if "Warning" in headers else "") + \
            '199 datawork "the format parameter names no format for this result; the Accept header chose it"'
    key, kind = result["key"], result["kind"]
    media = GRAPH_MEDIA[key] if kind == "graph" else RESULT_MEDIA[key]
    if size <= SPOOL_BYTES:  # small (most answers): in memory already
        with body_file:
            return Response(body_file.read(), 200, media_type=media, headers=headers)
    headers["Content-Length"] = str(size)
    return StreamingResponse(_chunks(body_file), 200, media_type=media, headers=headers)


def routes() -> list:
    return [Route("/sparql", sparql, methods=["GET", "HEAD", "POST"], name="sparql"),
            Route("/sparql/limits", limits, methods=GET, name="limits"),
            Route("/query", lambda r: RedirectResponse("/sparql", 301), methods=GET)]
