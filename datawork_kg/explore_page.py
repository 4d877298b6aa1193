"""The explorer page (``/explore``): the HTML shell that ``static/explore/explore.js`` fills.

The same page is served by ``datawork serve`` and written by ``datawork publish --static``; only the
prefix of site paths (``linker.root``) differs. The data comes from ``explore.json`` (written by the
build, see :mod:`datawork_kg.explorer`), the libraries and the world map from ``static/vendor/``.
"""
from __future__ import annotations

from html import escape as esc

from . import html as H

VENDOR = "static/vendor/"
DATA_FILE = "explore/explore.json"

BODY = """
<h1>Explore the chains</h1>
<p class="lede">Every chain of the graph on a world map, from its lead through its intermediaries to its workers, and
the money at each link where the sources give it. Filters are kept in the address, so a view can be shared.</p>
<form id="filters" aria-label="Filters" onsubmit="return false"></form>
<div class="view-controls">
<fieldset class="view" id="view-colour"><legend>Colour arcs by</legend>
<label><input type="radio" name="colour" value="fn"> task function</label>
<label><input type="radio" name="colour" value="form"> organisational form</label></fieldset>
<fieldset class="view" id="view-weight"><legend>Arc width: number of</legend>
<label><input type="radio" name="weight" value="chains"> chains</label>
<label><input type="radio" name="weight" value="ties"> links (ties)</label></fieldset>
</div>
<p id="status" role="status" aria-live="polite">Loading the chains...</p>
<div class="layout">
<div class="pictures">
<section id="map-section" aria-labelledby="map-title">
<h2 id="map-title">Where the work goes</h2>
<figure class="picture" id="map"><svg role="group" aria-labelledby="map-title map-caption"></svg>
<figcaption id="map-caption">Arcs run from the party that hands the work on to the party that takes it, between the
countries (dots) or regions (dashed rings) the sources place them in. Dashed arcs: a party is unknown or has no place;
those parties sit in the box at the bottom left. Select an arc or a place (Tab, Enter) to open it.</figcaption></figure>
<div id="arc-detail" tabindex="-1" hidden></div>
<details><summary>The map as a table</summary><div class="table-wrap">
<table id="arc-table"><caption class="visually-hidden">Arcs of the map</caption><thead><tr><th scope="col">From</th><th scope="col">To</th>
<th scope="col" id="arc-colour-head">Task function</th><th scope="col">Chains</th><th scope="col">Links</th>
<th scope="col">Unknown or no place</th><th scope="col">Chains along it</th></tr></thead><tbody></tbody></table></div></details>
<details><summary>The chains shown</summary><div class="table-wrap">
<table id="chain-table"><thead><tr><th scope="col">Chain</th><th scope="col">Study</th><th scope="col">Places, lead to workers</th>
<th scope="col">Task functions</th><th scope="col">Organisational forms</th><th scope="col">Value-chain patterns</th>
<th scope="col">Year</th><th scope="col">Lead income group</th><th scope="col">Workers' income group</th></tr></thead><tbody></tbody></table>
</div></details>
</section>
<section id="flow" aria-labelledby="flow-heading">
<h2 id="flow-heading">Where the money goes</h2>
<p>Chains with money at every link: <span id="flow-count">0</span> value flow(s) among the chains shown. The price at
the top is what the lead pays on the first link; each link shows what is passed down and its share of that price, and
what an intermediary keeps is drawn apart.</p>
<div class="flow-controls"><label for="flow-chain">Chain, currency and unit</label> <select id="flow-chain"></select>
<p class="flow-key"><span class="swatch" style="background:#44AA99"></span>passed down the chain
<span class="swatch" style="background:#CC6677"></span>kept by an intermediary</p></div>
<p id="flow-title"></p>
<figure class="picture" id="flow-picture"></figure>
<div class="table-wrap"><table id="flow-table"><thead><tr><th scope="col">Link</th><th scope="col">From</th><th scope="col">To</th>
<th scope="col">Amount</th><th scope="col">Range</th><th scope="col">Currency</th><th scope="col">Unit</th>
<th scope="col">Share of the price</th><th scope="col">Kept by the payer</th></tr></thead><tbody></tbody></table></div>
</section>
</div>
<aside class="side" aria-labelledby="legend-title">
<h2 id="legend-title">Key</h2><ul id="legend"></ul>
<h2 id="sources-title">Sources of what is shown</h2><ul id="sources" aria-labelledby="sources-title"></ul>
</aside>
</div>
"""


def explorer_page(linker: H.Linker) -> str:
    """The explorer page, its links made with ``linker`` (root ``/`` on the server, ``../`` for ``explore/index.html``)."""
    root = linker.root
    attrs = {
        "data-root": root,
        "data-data": linker.path(DATA_FILE),
        "data-topology": linker.path(VENDOR + "world-atlas/countries-110m.json"),
        "data-points": linker.path(VENDOR + "world-atlas/country-points.json"),
    }
    # the data is fetched while the libraries load (the page asks for the same URLs once it runs)
    preload = "".join(f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{esc(attrs[k])}">'
                      for k in ("data-data", "data-topology", "data-points"))
    head = (preload + f'<link rel="stylesheet" href="{esc(linker.path("static/explore/explore.css"))}">'
            '<style>.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}</style>')
    scripts = "".join(f'<script src="{esc(linker.path(VENDOR + p))}"></script>' for p in
                      ("d3/d3.min.js", "d3-sankey/d3-sankey.min.js", "topojson-client/topojson-client.min.js"))
    scripts += f'<script src="{esc(linker.path("static/explore/explore.js"))}"></script>'
    body = (f'<div id="explorer" class="explorer" ' + " ".join(f'{k}="{esc(v)}"' for k, v in attrs.items()) + ">"
            + BODY + "</div>" + scripts)
    return H.page("Explore the chains", body, linker, head_extra=head).replace("<main>", '<main class="explorer">', 1)
