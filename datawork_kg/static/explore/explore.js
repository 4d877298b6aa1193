/* datawork-kg chain explorer: a world map of the chains and the value flow along each chain.
 *
 * Reads the explorer data the build writes (explore.json, see datawork_kg/explorer.py), the
 * Natural Earth topology (world-atlas) and one point per country, all from this site. The filter
 * and view state live in the URL's query string (history.replaceState), so a view can be shared.
 * Every mark is a link (or, for an arc that carries several chains, a button that lists them with
 * their links); each picture has a table of the same data under it.
 */
(function () {
  "use strict";
  var DW = "https://w3id.org/datawork/ontology#";
  var root = document.getElementById("explorer");
  var SITE = root.dataset.root || "/";
  var SVGNS = "http://www.w3.org/2000/svg";
  var UNKNOWN = "?";                       // the pseudo-place of parties with no place, and unknown parties
  // Paul Tol's "muted" scheme (distinct for colour-blind readers), grey for "not given"
  var PALETTE = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499"];
  var NONE_COLOUR = "#9a9a9a";
  var FILTERS = [
    ["study", "Study"], ["fn", "Task function"], ["form", "Organisational form"], ["pattern", "Value-chain pattern"],
    ["lead", "Lead's country income group"], ["worker", "Workers' country income group"], ["country", "Country"]
  ];
  var INCOME_ORDER = ["L", "LM", "UM", "H"];

  var data, points = {}, shapes = null;
  var state = readState();
  var selectedArc = null;

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined) return;
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function href(iri) {
    if (!iri) return null;
    if (iri.indexOf(data.base) === 0) return SITE + "id/" + iri.slice(data.base.length) + ".html";
    if (iri.indexOf(DW) === 0) return SITE + "ontology.html#" + encodeURIComponent(iri.slice(DW.length));
    return iri;
  }
  function link(iri, text) { return el("a", { href: href(iri), text: text }); }
  function codeLabel(iri) {
    if (!iri) return "not given";
    var c = data.codes[iri];
    return c ? c.label : iri.slice(iri.lastIndexOf("#") + 1).replace(/^[a-z]+-/, "");
  }
  function partyName(iri) {
    var p = data.parties[iri];
    if (p && p.kind === "UnknownParty") return "unknown party";
    return (p && p.name) || iri.slice(iri.lastIndexOf("/") + 1);
  }
  function placeName(id) {
    if (id === UNKNOWN) return "place not given";
    var p = data.places[id];
    return (p && p.name) || id.slice(id.lastIndexOf("/") + 1);
  }
  function studyName(iri) {
    var s = data.studies[iri] || {};
    return s.citation || s.title || s.id || iri;
  }
  function incomeLabel(code) {
    var iri = DW + "income-" + code;
    return data.codes[iri] ? data.codes[iri].label : code;
  }
  function fmt(n) {
    if (n === null || n === undefined) return "";
    return Number(n).toLocaleString("en", { maximumFractionDigits: 2 });
  }
  function pct(x) { return (x * 100).toLocaleString("en", { maximumFractionDigits: 1 }) + "%"; }

  // ------------------------------------------------------------------ state in the URL
  function readState() {
    var q = new URLSearchParams(location.search), s = {};
    FILTERS.forEach(function (f) { s[f[0]] = q.get(f[0]) || ""; });
    s.colour = q.get("colour") === "form" ? "form" : "fn";
    s.weight = q.get("weight") === "ties" ? "ties" : "chains";
    s.flow = q.get("flow") || "";
    return s;
  }
  function writeState() {
    var q = new URLSearchParams();
    FILTERS.forEach(function (f) { if (state[f[0]]) q.set(f[0], state[f[0]]); });
    if (state.colour !== "fn") q.set("colour", state.colour);
    if (state.weight !== "chains") q.set("weight", state.weight);
    if (state.flow) q.set("flow", state.flow);
    var s = q.toString();
    history.replaceState(null, "", location.pathname + (s ? "?" + s : "") + location.hash);
  }

  // ------------------------------------------------------------------ the data model
  function partyPlaces(iri) {
    var p = data.parties[iri];
    if (!p) return [UNKNOWN];
    if (p.places.length) return p.places;                       // countries it is based in (an unknown party too: its arcs are dashed)
    if (p.operates && p.operates.length) return p.operates;     // else the countries it operates in
    if (p.regions && p.regions.length) return p.regions;        // else the regions the sources give instead
    return [UNKNOWN];
  }
  function chainForms(c) {
    var out = {};
    c.ties.forEach(function (t) {
      [t.from, t.to].forEach(function (p) { ((data.parties[p] || {}).forms || []).forEach(function (f) { out[f] = 1; }); });
    });
    return Object.keys(out);
  }
  function chainCountries(c) {
    var out = {};
    c.places.forEach(function (pl) {
      var p = data.places[pl];
      if (!p) return;
      if (p.iso2) out[pl] = 1;
      (p.members || []).forEach(function (iso) { out[data.base + "country/" + iso] = 1; });
    });
    return Object.keys(out);
  }
  function tieForm(t) {
    var to = data.parties[t.to] || {}, from = data.parties[t.from] || {};
    return (to.forms && to.forms[0]) || (from.forms && from.forms[0]) || "";
  }
  function tieFunctions(c, t) {
    if (t.functions.length) return t.functions;
    return c.functions.length ? c.functions : [""];
  }
  function matches(c) {
    if (state.study && c.study !== state.study) return false;
    if (state.fn && c.functions.indexOf(state.fn) < 0) return false;
    if (state.form && c._forms.indexOf(state.form) < 0) return false;
    if (state.pattern && c.patterns.indexOf(state.pattern) < 0) return false;
    if (state.lead && c.lead_income.indexOf(state.lead) < 0) return false;
    if (state.worker && c.worker_income.indexOf(state.worker) < 0) return false;
    if (state.country && c._countries.indexOf(state.country) < 0) return false;
    return true;
  }
  function hasPlace(c) { return c.places.length > 0; }

  // arcs: one per (from place, to place, category), with the chains and ties that run along it
  function arcsOf(chains) {
    var arcs = {}, list = [];
    chains.forEach(function (c) {
      c.ties.forEach(function (t) {
        var cats = state.colour === "form" ? [tieForm(t)] : tieFunctions(c, t);
        var unknown = (data.parties[t.from] || {}).kind === "UnknownParty" || (data.parties[t.to] || {}).kind === "UnknownParty";
        partyPlaces(t.from).forEach(function (a) {
          partyPlaces(t.to).forEach(function (b) {
            cats.forEach(function (cat) {
              var key = a + "|" + b + "|" + cat;
              var arc = arcs[key];
              if (!arc) {
                arc = arcs[key] = { from: a, to: b, cat: cat, chains: [], ties: [], unknownLink: false };
                list.push(arc);
              }
              if (arc.chains.indexOf(c) < 0) arc.chains.push(c);
              if (arc.ties.indexOf(t.tie) < 0) arc.ties.push(t.tie);
              if (unknown) arc.unknownLink = true;
            });
          });
        });
      });
    });
    list.forEach(function (a) { a.weight = state.weight === "ties" ? a.ties.length : a.chains.length; });
    list.sort(function (x, y) { return y.weight - x.weight || (x.from + x.to + x.cat < y.from + y.to + y.cat ? -1 : 1); });
    return list;
  }
  function categories() {
    var scheme = state.colour === "form" ? "OrganisationalFormScheme" : "TaskFunctionScheme";
    var cats = Object.keys(data.codes).filter(function (k) { return data.codes[k].scheme === scheme; }).sort();
    var colour = {};
    cats.forEach(function (k, i) { colour[k] = PALETTE[i % PALETTE.length]; });
    colour[""] = NONE_COLOUR;
    return { list: cats.concat([""]), colour: colour };
  }

  // ------------------------------------------------------------------ filters
  function options(key) {
    var seen = {};
    data.chains.forEach(function (c) {
      var vals = key === "study" ? [c.study] : key === "fn" ? c.functions : key === "form" ? c._forms :
        key === "pattern" ? c.patterns : key === "lead" ? c.lead_income : key === "worker" ? c.worker_income : c._countries;
      vals.forEach(function (v) { seen[v] = (seen[v] || 0) + 1; });
    });
    var label = function (v) {
      if (key === "study") return studyName(v);
      if (key === "lead" || key === "worker") return incomeLabel(v);
      if (key === "country") return placeName(v);
      return codeLabel(v);
    };
    var keys = Object.keys(seen);
    if (key === "lead" || key === "worker") keys.sort(function (a, b) { return INCOME_ORDER.indexOf(a) - INCOME_ORDER.indexOf(b); });
    else keys.sort(function (a, b) { return label(a).localeCompare(label(b)); });
    return keys.map(function (v) { return [v, label(v) + " (" + seen[v] + ")"]; });
  }
  function buildFilters() {
    var form = document.getElementById("filters");
    form.textContent = "";
    FILTERS.forEach(function (f) {
      var id = "filter-" + f[0];
      var sel = el("select", { id: id, name: f[0] });
      sel.appendChild(el("option", { value: "", text: "all" }));
      options(f[0]).forEach(function (o) {
        var opt = el("option", { value: o[0], text: o[1] });
        if (o[0] === state[f[0]]) opt.selected = true;
        sel.appendChild(opt);
      });
      if (state[f[0]] && sel.value !== state[f[0]]) state[f[0]] = "";   // a value this graph does not have
      sel.addEventListener("change", function () { state[f[0]] = sel.value; selectedArc = null; update(); });
      form.appendChild(el("label", { for: id }, [f[1], sel]));
    });
    var reset = el("button", { type: "button", id: "filter-reset", text: "Clear filters" });
    reset.addEventListener("click", function () {
      FILTERS.forEach(function (f) { state[f[0]] = ""; });
      selectedArc = null;
      buildFilters();
      update();
    });
    form.appendChild(reset);
    ["colour", "weight"].forEach(function (k) {
      var box = document.getElementById("view-" + k);
      box.querySelectorAll("input").forEach(function (inp) {
        inp.checked = inp.value === state[k];
        inp.onchange = function () { if (inp.checked) { state[k] = inp.value; update(); } };
      });
    });
  }

  // ------------------------------------------------------------------ the map
  var W = 960, H = 500;
  function projection() {
    return d3.geoNaturalEarth1().fitExtent([[4, 4], [W - 4, H - 4]], { type: "Sphere" });
  }
  function placePoint(id, proj) {
    if (id === UNKNOWN) return proj([-150, -38]);
    var p = data.places[id];
    if (!p) return null;
    if (p.numeric && points[p.numeric]) return proj(points[p.numeric].slice(0, 2));
    if (p.members && p.members.length) {
      var xs = [], ys = [];
      p.members.forEach(function (iso) {
        var c = data.places[data.base + "country/" + iso];
        var num = c && c.numeric;
        var pt = num && points[num] ? points[num] : null;
        if (!pt && c) pt = null;
        if (pt) { xs.push(pt[0]); ys.push(pt[1]); }
      });
      if (xs.length) return proj([d3.mean(xs), d3.mean(ys)]);
    }
    if (p.kind === "region") {                 // a region given without its countries: in a box of its own
      var k = regionsApart.indexOf(id);
      if (k < 0) { regionsApart.push(id); k = regionsApart.length - 1; }
      var b = proj([135, -42]);
      return [b[0] - 40 + (k % 3) * 40, b[1] - 10 + Math.floor(k / 3) * 30];
    }
    return proj([-150, -38]);
  }
  var regionsApart = [];
  function drawMap(chains, arcs, cats) {
    var svg = d3.select("#map svg");
    svg.selectAll("*").remove();
    var proj = projection(), path = d3.geoPath(proj);
    svg.attr("viewBox", "0 0 " + W + " " + H);
    var defs = svg.append("defs");
    cats.list.forEach(function (k, i) {
      defs.append("marker").attr("id", "arrow-" + i).attr("viewBox", "0 0 10 10").attr("refX", 9).attr("refY", 5)
        .attr("markerWidth", 5).attr("markerHeight", 5).attr("orient", "auto-start-reverse")
        .append("path").attr("d", "M0,0L10,5L0,10z").attr("fill", cats.colour[k]);
    });
    var g = svg.append("g").attr("class", "base").attr("aria-hidden", "true");
    g.append("path").datum({ type: "Sphere" }).attr("class", "sphere").attr("d", path);
    if (shapes) g.append("path").datum(shapes).attr("class", "land").attr("d", path);
    // the box of parties with no place
    var u = proj([-150, -38]);
    g.append("rect").attr("class", "unknown-box").attr("x", u[0] - 62).attr("y", u[1] - 30).attr("width", 124).attr("height", 60).attr("rx", 6);
    g.append("text").attr("class", "unknown-label").attr("x", u[0]).attr("y", u[1] + 46).attr("text-anchor", "middle").text("place not given / unknown");

    var pos = {};
    var used = {};
    arcs.forEach(function (a) { used[a.from] = 1; used[a.to] = 1; });
    regionsApart = [];
    Object.keys(used).sort().forEach(function (id) { pos[id] = placePoint(id, proj); });
    if (regionsApart.length) {
      var rb = proj([135, -42]);
      g.append("rect").attr("class", "unknown-box").attr("x", rb[0] - 70).attr("y", rb[1] - 30).attr("width", 140)
        .attr("height", 30 * Math.ceil(regionsApart.length / 3) + 30).attr("rx", 6);
      g.append("text").attr("class", "unknown-label").attr("x", rb[0]).attr("y", rb[1] - 36).attr("text-anchor", "middle")
        .text("regions given without countries");
    }
    var maxW = d3.max(arcs, function (a) { return a.weight; }) || 1;
    var width = d3.scaleSqrt().domain([1, maxW]).range([1.5, 9]);
    var pair = {};
    var arcG = svg.append("g").attr("class", "arcs");
    arcs.forEach(function (a, i) {
      var p = pos[a.from], q = pos[a.to];
      if (!p || !q) return;
      var key = [a.from, a.to].sort().join("|");
      var n = pair[key] = (pair[key] || 0) + 1;
      var d;
      if (a.from === a.to) {
        var r = 10 + 5 * n;
        d = "M" + p[0] + "," + p[1] + "C" + (p[0] - r) + "," + (p[1] - 2 * r) + " " + (p[0] + r) + "," + (p[1] - 2 * r) + " " + p[0] + "," + p[1];
      } else {
        var dx = q[0] - p[0], dy = q[1] - p[1], len = Math.sqrt(dx * dx + dy * dy) || 1;
        var bend = (0.18 + 0.09 * (n - 1)) * len;
        var mx = (p[0] + q[0]) / 2 - dy / len * bend, my = (p[1] + q[1]) / 2 + dx / len * bend;
        d = "M" + p[0] + "," + p[1] + "Q" + mx + "," + my + " " + q[0] + "," + q[1];
      }
      var single = a.chains.length === 1;
      var label = placeName(a.from) + " to " + placeName(a.to) + ", " + (state.colour === "form" ? "form" : "task function") +
        " " + codeLabel(a.cat) + ": " + a.chains.length + " chain" + (a.chains.length > 1 ? "s" : "") + ", " +
        a.ties.length + " link" + (a.ties.length > 1 ? "s" : "") + (a.unknownLink ? " (through an unknown party)" : "") +
        (single ? ": " + (a.chains[0].label || "") : "; press Enter to list them");
      var holder = single ? arcG.append("a").attr("href", href(a.chains[0].iri)) :
        arcG.append("g").attr("role", "button").attr("tabindex", 0);
      holder.attr("class", "arc" + (a.from === UNKNOWN || a.to === UNKNOWN || a.unknownLink ? " arc-unknown" : "") +
        (selectedArc === a.from + "|" + a.to + "|" + a.cat ? " arc-selected" : ""))
        .attr("aria-label", label).attr("data-chains", a.chains.map(function (c) { return c.iri; }).join(" "));
      holder.append("title").text(label);
      holder.append("path").attr("d", d).attr("stroke", cats.colour[a.cat]).attr("stroke-width", width(a.weight))
        .attr("fill", "none").attr("marker-end", "url(#arrow-" + cats.list.indexOf(a.cat) + ")");
      if (!single) {
        var pick = function () { selectedArc = a.from + "|" + a.to + "|" + a.cat; showArc(a); drawMap(chains, arcs, cats); };
        holder.on("click", pick).on("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } });
      }
    });
    // places: a circle per country, a dashed ring per region, sized by the chains that touch them
    var touching = {};
    arcs.forEach(function (a) {
      [a.from, a.to].forEach(function (id) {
        touching[id] = touching[id] || {};
        a.chains.forEach(function (c) { touching[id][c.iri] = 1; });
      });
    });
    var nodeG = svg.append("g").attr("class", "places");
    // names on the map for the places most chains touch (all of them are in the tables and titles)
    var count = function (id) { return Object.keys(touching[id] || {}).length; };
    var named = {};
    Object.keys(pos).sort(function (a, b) { return count(b) - count(a) || (a < b ? -1 : 1); }).slice(0, 30)
      .forEach(function (id) { named[id] = 1; });
    Object.keys(pos).sort().forEach(function (id) {
      var p = pos[id];
      if (!p || id === UNKNOWN) return;
      var n = count(id);
      var region = data.places[id] && data.places[id].kind === "region";
      var a = nodeG.append("a").attr("href", href(id)).attr("class", "place" + (region ? " region" : ""))
        .attr("aria-label", placeName(id) + (region ? " (region)" : "") + ": " + n + " chain" + (n > 1 ? "s" : ""));
      a.append("title").text(placeName(id) + (region ? " (region: the source gives no country)" : "") + ": " + n + " chain(s)");
      a.append("circle").attr("cx", p[0]).attr("cy", p[1]).attr("r", (region ? 9 : 3) + Math.sqrt(n) * 1.6);
      if (named[id] || region) a.append("text").attr("x", p[0] + 6).attr("y", p[1] - 6).text(placeName(id) + (region ? " (region)" : ""));
    });
    if (pos[UNKNOWN]) {
      var un = Object.keys(touching[UNKNOWN] || {}).length;
      nodeG.append("g").attr("class", "place unknown").attr("aria-label", "place not given or party unknown: " + un + " chains")
        .append("text").attr("x", u[0]).attr("y", u[1] + 5).attr("text-anchor", "middle").text("? (" + un + ")");
    }
  }
  function showArc(a) {
    var box = document.getElementById("arc-detail");
    box.textContent = "";
    box.appendChild(el("h3", { text: placeName(a.from) + " \u2192 " + placeName(a.to) + " (" + codeLabel(a.cat) + ")" }));
    var ul = el("ul");
    a.chains.forEach(function (c) { ul.appendChild(el("li", null, [link(c.iri, c.label || c.iri)])); });
    box.appendChild(ul);
    box.hidden = false;
    box.focus();
  }
  function arcTable(arcs) {
    var tbody = document.querySelector("#arc-table tbody");
    tbody.textContent = "";
    arcs.forEach(function (a) {
      var chainsCell = el("td");
      a.chains.forEach(function (c, i) {
        if (i) chainsCell.appendChild(document.createTextNode("; "));
        chainsCell.appendChild(link(c.iri, c.label || c.iri));
      });
      var place = function (id) { return id === UNKNOWN ? el("td", { text: "place not given or unknown party" }) : el("td", null, [link(id, placeName(id))]); };
      tbody.appendChild(el("tr", null, [place(a.from), place(a.to), el("td", null, [a.cat ? link(a.cat, codeLabel(a.cat)) : "not given"]),
        el("td", { class: "num", text: String(a.chains.length) }), el("td", { class: "num", text: String(a.ties.length) }),
        el("td", { text: a.unknownLink || a.from === UNKNOWN || a.to === UNKNOWN ? "yes" : "" }), chainsCell]));
    });
    document.getElementById("arc-colour-head").textContent = state.colour === "form" ? "Organisational form" : "Task function";
  }
  function legend(cats, arcs) {
    var ul = document.getElementById("legend");
    ul.textContent = "";
    var present = {};
    arcs.forEach(function (a) { present[a.cat] = 1; });
    cats.list.forEach(function (k) {
      if (!present[k]) return;
      ul.appendChild(el("li", null, [el("span", { class: "swatch", style: "background:" + cats.colour[k] }), k ? link(k, codeLabel(k)) : "not given"]));
    });
    ul.appendChild(el("li", null, [el("span", { class: "swatch dashed" }), "dashed: a party is unknown or has no place"]));
    ul.appendChild(el("li", null, [el("span", { class: "swatch ring" }), "ring: a region the source gives instead of a country"]));
  }

  // ------------------------------------------------------------------ chains list and sources
  function chainList(chains) {
    var tbody = document.querySelector("#chain-table tbody");
    tbody.textContent = "";
    chains.forEach(function (c) {
      var path = [];
      c.ties.forEach(function (t, i) {
        if (i === 0) path.push(partyPlaces(t.from).map(placeName).join(" / "));
        path.push(partyPlaces(t.to).map(placeName).join(" / "));
      });
      tbody.appendChild(el("tr", { "data-chain": c.iri }, [
        el("td", null, [link(c.iri, c.label || c.iri)]),
        el("td", null, [link(c.study, studyName(c.study))]),
        el("td", { text: path.join(" \u2192 ") }),
        el("td", { text: c.functions.map(codeLabel).join(", ") }),
        el("td", { text: c._forms.map(codeLabel).join(", ") }),
        el("td", { text: c.patterns.map(codeLabel).join(", ") }),
        el("td", { text: (c.year || "") + "" }),
        el("td", { text: c.lead_income.join(", ") }),
        el("td", { text: c.worker_income.join(", ") })
      ]));
    });
  }
  function sources(chains) {
    var by = {};
    chains.forEach(function (c) {
      var secs = c.sections.slice();
      c.ties.forEach(function (t) { t.sections.forEach(function (s) { if (secs.indexOf(s) < 0) secs.push(s); }); });
      if (!secs.length) (by[c.study] = by[c.study] || {});
      secs.forEach(function (s) {
        var st = (data.sections[s] || {}).study || c.study;
        (by[st] = by[st] || {})[s] = 1;
      });
    });
    var ul = document.getElementById("sources");
    ul.textContent = "";
    Object.keys(by).sort(function (a, b) { return studyName(a).localeCompare(studyName(b)); }).forEach(function (st) {
      var s = data.studies[st] || {};
      var head = [link(st, studyName(st))];
      if (s.title && s.citation) head.push(", " + s.title);
      if (s.venue) head.push(", " + s.venue);
      if (s.outlet && s.outlet !== s.venue) head.push(", " + s.outlet);
      var secs = el("ul");
      Object.keys(by[st]).sort(function (a, b) {
        return ((data.sections[a] || {}).heading || a).localeCompare((data.sections[b] || {}).heading || b);
      }).forEach(function (sec) {
        secs.appendChild(el("li", null, ["section ", link(sec, (data.sections[sec] || {}).heading || sec)]));
      });
      ul.appendChild(el("li", null, head.concat([secs])));
    });
  }

  // ------------------------------------------------------------------ the value flow (Sankey)
  function flows(chains) {
    var out = [];
    chains.forEach(function (c) {
      c.value.forEach(function (v) { out.push({ chain: c, v: v, key: c.iri + "|" + v.currency + "|" + v.unit }); });
    });
    // the longest chains first: they show most of where the money goes
    out.sort(function (a, b) { return b.v.links.length - a.v.links.length || (a.key < b.key ? -1 : 1); });
    return out;
  }
  function drawFlow(chains) {
    var all = flows(chains);
    var sel = document.getElementById("flow-chain");
    sel.textContent = "";
    var section = document.getElementById("flow");
    document.getElementById("flow-count").textContent = String(all.length);
    var svgBox = d3.select("#flow-picture");
    svgBox.selectAll("*").remove();
    var tbody = document.querySelector("#flow-table tbody");
    tbody.textContent = "";
    if (!all.length) {
      section.classList.add("empty");
      document.getElementById("flow-title").textContent = "No chain shown has money at every link.";
      return;
    }
    section.classList.remove("empty");
    var cur = all.filter(function (f) { return f.key === state.flow; })[0] || all[0];
    all.forEach(function (f) {
      var opt = el("option", { value: f.key, text: (f.chain.label || f.chain.iri) + " (" + f.v.currency + ", " + codeLabel(f.v.unit) + ")" });
      if (f === cur) opt.selected = true;
      sel.appendChild(opt);
    });
    sel.onchange = function () { state.flow = sel.value; writeState(); drawFlow(chains); };
    var v = cur.v, c = cur.chain;
    var title = document.getElementById("flow-title");
    title.textContent = "";
    title.appendChild(link(c.iri, c.label || c.iri));
    title.appendChild(document.createTextNode(": price at the top " + fmt(v.price) + " " + v.currency + " " + codeLabel(v.unit)));

    // nodes: the parties; "kept by" nodes for what a party receives and does not pass on
    var nodes = [], index = {}, links = [];
    function node(id, name, kind) {
      if (!(id in index)) { index[id] = nodes.length; nodes.push({ id: id, name: name, kind: kind }); }
      return index[id];
    }
    var received = {}, passed = {};
    v.links.forEach(function (l) {
      links.push({ source: node(l.from, partyName(l.from), "party"), target: node(l.to, partyName(l.to), "party"), value: l.amount, link: l });
      received[l.to] = (received[l.to] || 0) + l.amount;
      passed[l.from] = (passed[l.from] || 0) + l.amount;
    });
    var kept = [];
    Object.keys(received).forEach(function (p) {
      if (passed[p] && received[p] - passed[p] > 1e-9) {
        kept.push({ party: p, amount: received[p] - passed[p] });
        links.push({ source: index[p], target: node("kept:" + p, "kept by " + partyName(p), "kept"), value: received[p] - passed[p], kept: true });
      }
    });
    var fw = 900, fh = Math.max(240, 100 * Math.max(2, v.links.length));
    var svg = svgBox.append("svg").attr("viewBox", "0 0 " + fw + " " + fh).attr("role", "img")
      .attr("aria-labelledby", "flow-title");
    var sankey = d3.sankey().nodeId(function (d) { return d.index; }).nodeWidth(14).nodePadding(24)
      .nodeAlign(d3.sankeyJustify).extent([[8, 26], [fw - 240, fh - 8]]);
    var graph = sankey({ nodes: nodes.map(function (d) { return Object.assign({}, d); }), links: links.map(function (d) { return Object.assign({}, d); }) });
    var lg = svg.append("g").attr("class", "flow-links");
    graph.links.forEach(function (l) {
      var a = lg.append("a").attr("href", href(l.kept ? l.source.id : l.link.pay));
      var text = l.kept ? partyName(l.source.id) + " keeps " + fmt(l.value) + " " + v.currency + " (" + pct(l.value / v.price) + " of the price)"
        : partyName(l.link.from) + " pays " + partyName(l.link.to) + " " + fmt(l.value) + " " + v.currency + " (" + pct(l.link.share) + " of the price)";
      a.attr("aria-label", text);
      a.append("title").text(text);
      a.append("path").datum(l).attr("d", d3.sankeyLinkHorizontal())
        .attr("class", l.kept ? "kept" : "paid").attr("stroke-width", Math.max(1, l.width));
    });
    var ng = svg.append("g").attr("class", "flow-nodes");
    graph.nodes.forEach(function (n) {
      var a = ng.append("a").attr("href", href(n.kind === "kept" ? n.id.slice(5) : n.id)).attr("aria-label", n.name);
      a.append("rect").attr("x", n.x0).attr("y", n.y0).attr("width", n.x1 - n.x0).attr("height", Math.max(1, n.y1 - n.y0))
        .attr("class", n.kind);
      var text = n.name + " " + fmt(n.value) + " " + v.currency + " (" + pct(n.value / v.price) + ")";
      a.append("title").text(text);
      var last = n.x1 > fw - 250;       // the last column: labels to the right; others above their bar
      var room = last ? 22 : 44;
      var short = n.name.length > room ? n.name.slice(0, room - 1) + "\u2026" : n.name;
      a.append("text").attr("x", last ? n.x1 + 6 : n.x0).attr("y", last ? (n.y0 + n.y1) / 2 : n.y0 - 6)
        .attr("dy", last ? "0.35em" : 0).text(short + " " + fmt(n.value) + " (" + pct(n.value / v.price) + ")");
    });
    v.links.forEach(function (l) {
      var range = l.min !== null && l.max !== null ? fmt(l.min) + "\u2013" + fmt(l.max) : "";
      var keep = kept.filter(function (k) { return k.party === l.from; })[0];
      tbody.appendChild(el("tr", null, [
        el("td", { class: "num", text: String(l.step) }), el("td", null, [link(l.from, partyName(l.from))]),
        el("td", null, [link(l.to, partyName(l.to))]), el("td", { class: "num" }, [link(l.pay, fmt(l.amount))]),
        el("td", { text: range }), el("td", { text: v.currency }), el("td", { text: codeLabel(v.unit) }),
        el("td", { class: "num", text: pct(l.share) }),
        el("td", { class: "num", text: keep ? fmt(keep.amount) + " (" + pct(keep.amount / v.price) + ")" : "" })
      ]));
    });
  }

  // ------------------------------------------------------------------ one pass: filter, draw, tell
  function update() {
    writeState();
    var shown = data.chains.filter(matches);
    var placed = shown.filter(hasPlace);
    var cats = categories();
    var arcs = arcsOf(shown);
    drawMap(shown, arcs, cats);
    arcTable(arcs);
    legend(cats, arcs);
    chainList(shown);
    sources(shown);
    drawFlow(shown);
    var status = document.getElementById("status");
    status.textContent = shown.length + " of " + data.chains.length + " chains shown; " + placed.length +
      " with at least one place on the map, " + (shown.length - placed.length) + " with no place (in the box at the bottom left).";
    root.dataset.chainsShown = String(shown.length);
    root.dataset.chainsPlaced = String(placed.length);
    root.dataset.arcs = String(arcs.length);
    if (selectedArc === null) document.getElementById("arc-detail").hidden = true;
  }

  function start() {
    var t0 = performance.now();
    var json = function (url) {
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.json();
      });
    };
    Promise.all([json(root.dataset.data), json(root.dataset.topology), json(root.dataset.points)]).then(function (res) {
      data = res[0];
      var topo = res[1];
      shapes = topojson.feature(topo, topo.objects.countries);
      points = res[2];
      data.chains.forEach(function (c) { c._forms = chainForms(c).sort(); c._countries = chainCountries(c).sort(); });
      buildFilters();
      update();
      root.dataset.ready = "1";
      window.datawork = window.datawork || {};
      window.datawork.explorer = { readyMs: performance.now(), loadMs: performance.now() - t0, data: data, state: state };
    }).catch(function (err) {
      var status = document.getElementById("status");
      status.textContent = "The explorer could not load its data (" + err.message + "). " +
        (location.protocol === "file:" ? "Browsers do not let a page opened from a file read other files: serve the folder, e.g. python -m http.server." : "");
      status.classList.add("error");
      root.dataset.ready = "error";
    });
  }
  start();
})();
