"""The server's routes, one module per family; each module's ``routes()`` lists its routes.

- :mod:`.site`: home page, health, the read-only refusals;
- :mod:`.resources`: ``/id/...`` linked-data resources with content negotiation, browse pages;
- :mod:`.sparql`: the SPARQL endpoint, its query page and its limits;
- :mod:`.ontology`: the ontology (pyLODE page, whole and per term) and the query catalogue;
- :mod:`.dataset`: the dataset description (VoID, DCAT) and the dumps;
- :mod:`.explorer`: the explorer;
- :mod:`.search`: the search box (`/search`).
"""
