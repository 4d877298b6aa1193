"""The web part: the graph as linked data and a SPARQL endpoint (``datawork serve``), and the HTML
pages it shares with the static publication (``datawork publish --static``).

- :mod:`.app`: the Starlette application factory :func:`create_app` and :func:`serve` (uvicorn);
- :mod:`.routes`: one module per route family (site, resources, sparql, ontology, dataset, explorer, search);
- :mod:`.context`: what the routes share (settings, releases, pool, answering helpers);
- :mod:`.pool`: the query worker pool (a query past its deadline is killed with its worker);
- :mod:`.processes`: several HTTP processes (``--processes``) and how ``/health`` speaks for all;
- :mod:`.results`: SPARQL result formats; :mod:`.guard`, :mod:`.http_limits`: requests refused early;
- :mod:`.release`: a release opened read-only, with what its pages need;
- :mod:`.negotiation`, :mod:`.links`, :mod:`.rdf`, :mod:`.site`: content negotiation, IRIs and links,
  RDF descriptions, the page model;
- :mod:`.pages` and ``templates/``: the HTML pages (Jinja2).

Importing this package (or the page modules, as the static publisher does) does not start or import
the server: Starlette and uvicorn are loaded by :mod:`.app` only.
"""
from __future__ import annotations

import importlib

# name -> module: loaded on first use, so that a query worker (which imports .pool) does not load
# the templates, and nothing here loads the server until create_app or serve is asked for
_EXPORTS = {
    **dict.fromkeys(["Linker", "is_safe_path", "local_path", "short_iri", "site_root"], "links"),
    **dict.fromkeys(["DOC_FORMATS", "MEDIA_TO_EXT", "RDF_FORMATS", "negotiate", "negotiate_ext", "parse_accept"],
                    "negotiation"),
    **dict.fromkeys(["dumps_page", "index_page", "kind_page", "kinds_page", "message_page", "query_page",
                     "resource_page", "results_table_page", "void_page", "explorer_page", "search_page"], "pages"),
    **dict.fromkeys(["describe", "exists", "serialize"], "rdf"),
    "Site": "site",
    **dict.fromkeys(["create_app", "serve", "uvicorn_options"], "app"),
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = sorted(_EXPORTS)
