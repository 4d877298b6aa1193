"""Figures drawn from the graph: ``datawork figure NAME``.

Each figure has one library query, ``queries/figure-NAME.rq``; :func:`data` runs it (with the
figure's parameters bound like any library query) and :func:`draw` draws exactly those rows, so
what a figure shows is what ``datawork query figure-NAME`` returns.

- ``chain``: a chain as a directed graph, drawn with Graphviz ``dot`` (the Debian ``graphviz``
  package, called as ``/usr/bin/dot`` or ``dot`` on the PATH; no Python binding needed);
- ``value``, ``figure1``, ``patterns``: matplotlib with the Agg backend.

Output is deterministic: fixed SVG hash salt, no dates or software versions in the metadata, text
kept as text in SVG (so labels can be searched). The format follows the suffix (.svg or .png).
"""
from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from . import queries as Q  # noqa: E402
from .errors import DataworkError, QueryError  # noqa: E402

DW = "https://w3id.org/datawork/ontology#"
ID = "https://w3id.org/datawork/id/"
FORMATS = (".svg", ".png")

_RC = {
    "svg.hashsalt": "datawork-kg",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# Colours by organisational form (Okabe-Ito-like, readable in grey), then by kind for parties without a form.
FORM_COLOURS = {
    "marketplace": "#E69F00", "managed-service": "#F0E442", "deep-labour": "#CC79A7", "firm-like": "#009E73",
    "bpo": "#56B4E9", "subsidiary": "#0072B2", "informal-network": "#D55E00", "in-house": "#999999",
    "full-service-stack": "#8FBC8F", "follower-factory": "#B22222", "direct-contract": "#DDA0DD",
}
KIND_COLOURS = {
    "LeadFirm": "#BBBBBB", "Client": "#DDDDDD", "Platform": "#FFD58A", "DataCompany": "#A6DCC9",
    "BPO": "#B3DDF2", "Intermediary": "#E8E8E8", "FinancialIntermediary": "#E0D0F0", "Firm": "#EEEEEE",
    "AIProject": "#EEEEEE", "WorkerCommunity": "#FCE1D4", "PublicBody": "#EEEEEE", "GroupOfFirms": "#EEEEEE",
    "Worker": "#FFFFFF", "WorkerGroup": "#FFFFFF", "UnknownParty": "#FFFFFF",
}
# Embeddedness -> (Graphviz style, pen width, legend text).
EMBED_STYLES = {
    "embedded": ("solid", "2.6", "embedded (thick solid)"),
    "mixed": ("solid", "1.2", "mixed (thin solid)"),
    "arms-length": ("dashed", "1.4", "arm's-length (dashed)"),
    None: ("dotted", "1.2", "embeddedness not stated (dotted)"),
}
# Spectrum from marketplace to firm (Figure 1 of Tubaro et al.), then the other forms.
MODE_ORDER = ["marketplace", "managed-service", "deep-labour", "firm-like", "bpo", "subsidiary", "in-house",
              "direct-contract", "full-service-stack", "informal-network", "follower-factory"]
# Task functions: marker and fill (Figure 1: circle = AI preparation, triangle = verification, star = impersonation).
FUNCTION_MARKERS = {
    "ai-preparation": ("o", "#333333", "AI preparation"),
    "data-generation": ("o", "#888888", "data generation (AI preparation)"),
    "data-annotation": ("o", "#FFFFFF", "data annotation (AI preparation)"),
    "ai-verification": ("^", "#333333", "AI verification"),
    "ai-impersonation": ("*", "#333333", "AI impersonation"),
    "not-ai": ("s", "#BBBBBB", "not AI work"),
    "unknown": ("X", "#BBBBBB", "function unknown"),
}
PATTERN_NAMES = {
    "bridging": "1 Bridging", "disintermediation": "2 Disintermediation", "reintermediation": "3 Reintermediation",
    "local-lengthening": "4 Local lengthening", "horizontal-collaboration": "5 Horizontal collaboration",
}


# ----------------------------------------------------------------- helpers
def _local(iri: Any, prefix: str = "") -> str | None:
    """'https://w3id.org/datawork/ontology#form-firm-like' -> 'firm-like' (with prefix 'form-')."""
    if iri is None:
        return None
    s = str(iri)
    s = s.rsplit("#", 1)[-1] if "#" in s else s.rstrip("/").rsplit("/", 1)[-1]
    return s[len(prefix):] if prefix and s.startswith(prefix) else s


def _wrap(text: str | None, width: int = 26, lines: int = 3) -> list[str]:
    out = textwrap.wrap(str(text or ""), width=width) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def _party_label(label: str | None) -> str:
    text = str(label or "")
    return text[: -len(" (unnamed)")] if text.endswith(" (unnamed)") else text


def _plain(text: str) -> str:
    """Text for matplotlib with '$' kept literal (no mathtext)."""
    return str(text).replace("$", r"\$")


def _out_path(name: str, out: Path | str | None) -> Path:
    path = Path(out) if out else Path("figures") / f"{name}.svg"
    if path.suffix.lower() not in FORMATS:
        raise DataworkError(f"cannot write a figure as '{path.suffix or path.name}'",
                            hint="give an output file ending in .svg or .png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _save(fig, path: Path) -> Path:
    fmt = path.suffix.lower()[1:]
    meta = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(path, format=fmt, metadata=meta, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return path


def _clean_params(params: dict) -> dict:
    """CLI values are strings: an empty value means 'not given' (UNDEF) for optional parameters."""
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in params.items()}


# ----------------------------------------------------------------- data
def query_name(name: str) -> str:
    return f"figure-{name}"


def data(name: str, store: ox.Store, **params) -> Q.Result:
    """The rows behind figure ``name``: its query ``queries/figure-NAME.rq`` run with ``params``."""
    _figure(name)
    q = Q.get(query_name(name))
    return Q.run_store(store, Q.bind(q, _clean_params(params)))


# ----------------------------------------------------------------- chain (Graphviz)
def _dot_binary() -> str:
    found = shutil.which("dot") or ("/usr/bin/dot" if Path("/usr/bin/dot").exists() else None)
    if not found:
        raise DataworkError("the chain figure needs Graphviz 'dot', which was not found",
                            hint="install Graphviz (e.g. apt-get install graphviz)")
    return found


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _names(store: ox.Store, iris) -> dict[str, str]:
    """The display name (dw:displayName, else the first rdfs:label) of each IRI that has one."""
    values = " ".join(f"<{i}>" for i in sorted({str(i) for i in iris if i}))
    if not values:
        return {}
    q = ("PREFIX dw: <https://w3id.org/datawork/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "SELECT ?x (COALESCE(MIN(?d), MIN(STR(?l))) AS ?name) WHERE { VALUES ?x { " + values + " } "
         "OPTIONAL { ?x dw:displayName ?d } OPTIONAL { ?x rdfs:label ?l } } GROUP BY ?x")
    return {s["x"].value: s["name"].value for s in store.query(q) if s["name"] is not None}


def _countries(codes: str | None, shown: int = 4) -> str:
    """'AR BR VE' -> 'AR, BR, VE'; more than ``shown`` -> the first ones and how many in all."""
    found = sorted(set(str(codes or "").split()))
    if not found:
        return "country not stated"
    if len(found) <= shown:
        return ", ".join(found)
    return ", ".join(found[:shown]) + f", … ({len(found)} countries)"


def _places(based: str | None, operates: str | None = None, regions: str | None = None) -> str:
    """The place line of a party: the countries it is based in, those it operates in and its regions.

    'FR', 'US CA', 'the Gulf' -> 'FR; operates in CA, US; region: the Gulf'; 'country not stated'
    only when the party has none of them.
    """
    parts = [_countries(based)] if str(based or "").split() else []
    if str(operates or "").split():
        parts.append("operates in " + _countries(operates))
    names = sorted({r.strip() for r in str(regions or "").split(";") if r.strip()})
    if names:
        parts.append(("region: " if len(names) == 1 else "regions: ") + ", ".join(names))
    return "; ".join(parts) or "country not stated"


def chain_dot(result: Q.Result, chain: str | None = None, names: dict[str, str] | None = None) -> str:
    """The Graphviz DOT text of a chain diagram from the rows of ``figure-chain``.

    ``names``: display names of the chain and its ties (titles and tooltips read them instead of
    the IRIs' local ids).
    """
    names = names or {}
    parties: dict[str, dict] = {}
    for r in result.rows:
        for side in ("orderer", "supplier"):
            iri = r[side]
            if iri not in parties:
                parties[iri] = {"label": r[f"{side}Label"], "kind": r[f"{side}Kind"],
                                "form": _local(r[f"{side}Form"], "form-"), "country": r[f"{side}Country"],
                                "operates": r.get(f"{side}OperatesIn"), "regions": r.get(f"{side}Regions")}
    ids = {iri: f"p{i}" for i, iri in enumerate(parties)}
    lines = ["digraph chain {", '  graph [rankdir=TB, fontname="DejaVu Sans", fontsize=11, nodesep=0.35, ranksep=0.55,'
             f' labelloc=t, label={_q("Chain: " + (names.get(str(chain)) or _local(chain) or ""))}];',
             '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=10, margin="0.15,0.06"];',
             '  edge [fontname="DejaVu Sans", fontsize=9, color="#333333"];']
    used_fill: dict[str, str] = {}
    for iri, p in parties.items():
        if p["kind"] == "UnknownParty":
            lines.append(f'  {ids[iri]} [label="unknown\\n(party not stated)", style="rounded,dashed",'
                         f' color="#666666", fontcolor="#444444", tooltip={_q(iri)}];')
            used_fill["unknown party"] = "dashed"
            continue
        colour = FORM_COLOURS.get(p["form"]) if p["form"] else None
        legend = f"form: {p['form']}" if colour else f"kind: {p['kind'] or 'party'} (no form stated)"
        colour = colour or KIND_COLOURS.get(p["kind"] or "", "#FFFFFF")
        used_fill[legend] = colour
        body = "\\n".join(_wrap(_party_label(p["label"]), 26, 3))
        sub = f"{p['kind'] or 'party'}" + (f" · {p['form']}" if p["form"] else "")
        place = "\\n".join(_wrap(_places(p["country"], p["operates"], p["regions"]), 34, 2))
        text = f"{body}\\n[{sub}]\\n{place}"
        lines.append(f'  {ids[iri]} [label="{_esc_keep_newlines(text)}", fillcolor="{colour}",'
                     f' tooltip={_q(iri)}, URL={_q(iri)}];')
    used_edges: dict[str, tuple] = {}
    for r in result.rows:
        embed = _local(r["embeddedness"], "embed-")
        style, width, legend = EMBED_STYLES.get(embed, EMBED_STYLES[None])
        used_edges[legend] = (style, width)
        direction = _local(r["direction"], "dir-")
        contract = _local(r["contractForm"], "contract-")
        label = f"{r['step']}" + (f": {contract}" if contract else "")
        attrs = [f'style="{style}"', f'penwidth={width}', f"label={_q(label)}",
                 f"tooltip={_q(names.get(str(r['tie'])) or r['tie'])}"]
        if direction == "horizontal":
            attrs += ['dir=both', 'arrowhead=odot', 'arrowtail=odot', 'constraint=false']
            used_edges["horizontal tie (circles at both ends)"] = ("solid", "1")
        lines.append(f"  {ids[r['orderer']]} -> {ids[r['supplier']]} [{', '.join(attrs)}];")
    # legend: one HTML-like table node
    cells = []
    for text, colour in used_fill.items():
        if colour == "dashed":
            cells.append(f'<TR><TD STYLE="dashed" BORDER="1">{_html(text)}</TD></TR>')
        else:
            cells.append(f'<TR><TD BGCOLOR="{colour}" BORDER="1">{_html(text)}</TD></TR>')
    glyph = {"solid": "━━━", "dashed": "─ ─ ─", "dotted": "·········"}
    for text, (style, width) in used_edges.items():
        mark = "━━━" if style == "solid" and float(width) > 2 else ("───" if style == "solid" else glyph[style])
        cells.append(f'<TR><TD BORDER="0" ALIGN="LEFT">{mark}  {_html(text)}</TD></TR>')
    cells.append('<TR><TD BORDER="0" ALIGN="LEFT"><FONT POINT-SIZE="8">arrows: orderer → supplier (work flows down, money back up)'
                 '<BR ALIGN="LEFT"/>edge label: step in the chain, and contract form when stated<BR ALIGN="LEFT"/></FONT></TD></TR>')
    lines.append('  legend [shape=plaintext, style="", fontsize=9, label=<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" '
                 'CELLSPACING="3" CELLPADDING="3"><TR><TD BORDER="0"><B>Legend</B></TD></TR>' + "".join(cells) + "</TABLE>>];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_keep_newlines(text: str) -> str:
    return text.replace('"', '\\"')


def draw_chain(store: ox.Store, out: Path | None = None, **params) -> Path:
    """Chain diagram: parties coloured by organisational form (or kind), with countries; ties styled by embeddedness."""
    res = data("chain", store, **params)
    if not res.rows:
        raise QueryError("the chain has no ties to draw", field="chain",
                         hint="give the IRI of a dw:Chain, e.g. -p chain=https://w3id.org/datawork/id/chain/...")
    chain = params.get("chain") or Q.get(query_name("chain")).params["chain"].default
    path = _out_path("chain", out)
    fmt = path.suffix.lower()[1:]
    dot = chain_dot(res, chain, _names(store, [chain, *(r["tie"] for r in res.rows)]))
    proc = subprocess.run([_dot_binary(), f"-T{fmt}"], input=dot.encode("utf-8"), capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise DataworkError(f"Graphviz failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    path.write_bytes(proc.stdout)
    return path


# ----------------------------------------------------------------- value (matplotlib)
def draw_value(store: ox.Store, out: Path | None = None, **params) -> Path:
    """Value reaching each link of a chain: money paid at each link and its share of the end client's price."""
    res = data("value", store, **params)
    if not res.rows:
        raise QueryError("the chain has no ties", field="chain", hint="give the IRI of a dw:Chain")
    chain = params.get("chain") or Q.get(query_name("value")).params["chain"].default
    rows = res.rows
    labels = []
    for r in rows:
        kind = _local(r["kind"], "paykind-")
        head = f"{r['step']}. {_party_label(r['ordererLabel'])} → {_party_label(r['supplierLabel'])}"
        labels.append("\n".join(_wrap(head, 46, 3)) + (f"\n({kind})" if kind else "\n(no money recorded)"))
    with plt.rc_context(_RC):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 1.2 + 1.1 * len(rows)), sharey=True,
                                       gridspec_kw={"width_ratios": [3, 2]})
        ypos = list(range(len(rows)))[::-1]
        units = sorted({f"{r['currencyCode']} {_local(r['unit'], 'unit-')}" for r in rows if r["value"] is not None})
        for y, r in zip(ypos, rows):
            if r["value"] is None:
                ax1.text(0, y, "  no amount recorded", va="center", color="#777777", fontsize=8)
                continue
            lo, hi = r.get("minAmount"), r.get("maxAmount")
            err = [[r["value"] - lo], [hi - r["value"]]] if lo is not None and hi is not None else None
            ax1.barh(y, r["value"], color="#0072B2", xerr=err, capsize=4, height=0.6)
            rng = f" ({lo:g}–{hi:g})" if err else ""
            ax1.text(r["value"], y, f"  {r['value']:g} {r['currencyCode']}{rng}", va="center", fontsize=8)
            if r["share"] is not None:
                ax2.barh(y, 100 * r["share"], color="#D55E00", height=0.6)
                ax2.text(100 * r["share"], y, f"  {100 * r['share']:.0f}%", va="center", fontsize=8)
            else:
                ax2.text(0, y, "  share not computable", va="center", color="#777777", fontsize=8)
        ax1.set_yticks(ypos, [_plain(t) for t in labels])
        ax1.set_xlabel("money at the link" + (f" ({'; '.join(units)})" if units else ""))
        ax1.set_xlim(0, 1.35 * max([r["value"] for r in rows if r["value"] is not None] or [1]))
        ax2.set_xlim(0, 118)
        ax2.set_xlabel("share of the end client's price reaching the link (%)")
        ax2.axvline(100, color="#999999", lw=0.8, ls=":")
        title = _names(store, [chain]).get(str(chain)) or _local(chain)
        fig.suptitle(_plain(f"Value reaching each link of the chain: {title}"), x=0.02, ha="left", fontsize=11)
        fig.text(0.02, -0.1, "Bids and listed prices are left out; ranges are drawn at their midpoint. "
                 "Data: datawork query figure-value.", fontsize=7, color="#555555")
        return _save(fig, _out_path("value", out))


# ----------------------------------------------------------------- figure1 (matplotlib)
def draw_figure1(store: ox.Store, out: Path | None = None, **params) -> Path:
    """Figure 1 rebuilt: countries by organisational mode, with the task functions found there."""
    res = data("figure1", store, **params)
    if not res.rows:
        raise QueryError("no tasks with a country and a function for this study", field="study")
    rows = res.rows
    kinds = {r["country"]: r.get("placeKind") for r in rows}

    def regional(code: str) -> bool:
        return kinds.get(code) == "region"

    modes_found = {(_local(r["mode"], "form-") or "not stated") for r in rows}
    modes = [m for m in MODE_ORDER if m in modes_found] + sorted(modes_found - set(MODE_ORDER) - {"not stated"})
    if "not stated" in modes_found:
        modes.append("not stated")
    # countries first, then the regions of tasks placed in no country
    countries = sorted({(r["country"], r["countryLabel"] or r["country"]) for r in rows},
                       key=lambda c: (regional(c[0]), c))
    cidx = {c: i for i, (c, _) in enumerate(countries)}
    midx = {m: i for i, m in enumerate(modes)}
    cells: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for r in rows:
        fn = _local(r["function"], "fn-")
        cell = (midx[_local(r["mode"], "form-") or "not stated"], cidx[r["country"]])
        cells.setdefault(cell, []).append((fn, r["tasks"]))
    fn_order = list(FUNCTION_MARKERS)
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(1.9 * len(modes) + 2.5, 0.9 * len(countries) + 1.8))
        for m, mode in enumerate(modes):
            shade = 1 - 0.55 * (1 - m / max(1, len(modes) - 1)) if mode != "not stated" else 1
            ax.axvspan(m - 0.5, m + 0.5, color=str(round(0.45 + 0.5 * shade, 3)), alpha=0.35, lw=0)
        used = set()
        for (m, c), items in sorted(cells.items()):
            items.sort(key=lambda it: fn_order.index(it[0]) if it[0] in fn_order else 99)
            n = len(items)
            for k, (fn, count) in enumerate(items):
                marker, fill, legend = FUNCTION_MARKERS.get(fn, ("D", "#BBBBBB", fn))
                x = m + (k - (n - 1) / 2) * 0.2
                ax.scatter([x], [c], marker=marker, s=90 + 50 * (count - 1), facecolor=fill, edgecolor="black",
                           linewidth=0.8, zorder=3, label=legend if legend not in used else None)
                used.add(legend)
                if count > 1:
                    ax.annotate(str(count), (x, c), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=7)
        ax.set_xticks(range(len(modes)), [m.replace("-", " ") for m in modes])
        ax.set_yticks(range(len(countries)), [f"{label} ({'region' if regional(code) else code})"
                                              for code, label in countries])
        ax.set_xlim(-0.5, len(modes) - 0.5)
        ax.set_ylim(-0.6, len(countries) - 0.4)
        ax.invert_yaxis()
        ax.set_xlabel("organisational mode of the platforms and firms involved (marketplace → firm-like, then others)")
        ax.grid(axis="y", color="#DDDDDD", lw=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="task function",
                  scatterpoints=1)
        fig.suptitle("Where data work happens: countries by organisational mode, with task functions",
                     x=0.02, ha="left", fontsize=11)
        fig.text(0.02, -0.03, "Rebuilt from the graph after Tubaro et al. (2025), Figure 1. A number above a marker "
                 "counts tasks. Data: datawork query figure-figure1.", fontsize=7, color="#555555")
        return _save(fig, _out_path("figure1", out))


# ----------------------------------------------------------------- patterns (matplotlib)
def draw_patterns(store: ox.Store, out: Path | None = None, **params) -> Path:
    """The five value-chain patterns with the chains and ties that show each."""
    res = data("patterns", store, **params)
    groups: dict[str, list[dict]] = {}
    for r in res.rows:
        groups.setdefault(_local(r["pattern"], "pattern-"), [])
        if r["case"] is not None:
            groups[_local(r["pattern"], "pattern-")].append(r)
    order = list(groups)
    with plt.rc_context(_RC):
        height = 0.9 + sum(0.32 * max(1, len(v)) + 0.35 for v in groups.values())
        fig, ax = plt.subplots(figsize=(12, height))
        y = 0.0
        ticks, ticklabels = [], []
        for p in order:
            cases = groups[p]
            n_chain = sum(1 for c in cases if c["caseKind"] == "chain")
            n_tie = len(cases) - n_chain
            top = y
            ticks.append(top)
            ticklabels.append(f"{PATTERN_NAMES.get(p, p)}\n{n_chain} chain(s), {n_tie} tie(s)")
            if not cases:
                ax.text(0.02, y, "no case in the graph", va="center", color="#777777", fontsize=8)
                y += 0.32
            for c in cases:
                marker = "s" if c["caseKind"] == "chain" else "o"
                colour = "#0072B2" if c["caseKind"] == "chain" else "#E69F00"
                ax.scatter([0.0], [y], marker=marker, color=colour, s=40, zorder=3)
                study = _local(c["study"]) or ""
                label = c["caseLabel"] or _local(c["case"])
                label = label if len(label) <= 110 else label[:109] + "…"
                ax.text(0.02, y, _plain(f"{label}   [{study}]"), va="center", fontsize=8)
                y += 0.32
            ax.axhline(y - 0.16 + 0.175, color="#DDDDDD", lw=0.6)
            y += 0.35
        ax.set_yticks(ticks, ticklabels)
        ax.set_ylim(y - 0.2, -0.4)
        ax.set_xlim(-0.03, 1)
        ax.set_xticks([])
        for side in ("bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.scatter([], [], marker="s", color="#0072B2", label="chain with the pattern")
        ax.scatter([], [], marker="o", color="#E69F00", label="tie with the pattern (not in such a chain)")
        ax.legend(loc="lower right", bbox_to_anchor=(1, 1.0), frameon=False, ncol=2, fontsize=8)
        fig.suptitle("The five value-chain patterns and the cases that show them", x=0.02, ha="left", fontsize=11)
        fig.text(0.02, -0.01, "Patterns after the online-labour-market study (olm-southeast-asia). "
                 "Data: datawork query figure-patterns.", fontsize=7, color="#555555")
        return _save(fig, _out_path("patterns", out))


# ----------------------------------------------------------------- registry
FIGURES: dict[str, Callable[..., Path]] = {
    "chain": draw_chain,
    "value": draw_value,
    "figure1": draw_figure1,
    "patterns": draw_patterns,
}


def _figure(name: str) -> Callable[..., Path]:
    try:
        return FIGURES[name]
    except KeyError:
        import difflib

        guess = difflib.get_close_matches(name, list(FIGURES), n=1)
        raise DataworkError(f"no figure named '{name}'",
                            hint=(f"did you mean '{guess[0]}'? " if guess else "") + "list them with 'datawork figure --list'") from None


def draw(name: str, store: ox.Store, out: Path | str | None = None, **params) -> Path:
    """Draw figure ``name`` from ``store`` to ``out`` (default figures/NAME.svg; .svg or .png) and return the path."""
    fn = _figure(name)
    return fn(store, out=Path(out) if out else None, **params)


__all__ = ["FIGURES", "data", "draw", "chain_dot", "query_name"]
