"""The RDF of one checked case file (or of a CSV file's rows, written as case-file items).

:class:`Emitter` is shared by the case-file loader (:mod:`.casefile`) and the CSV loader
(:mod:`.csvfile`): both check their input first, then hand the emitter plain data.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..iris import IRIs, concept, slugify
from ..namespace import DW, SCHEMA
from .base import LoadedGraph
from ..regions import region as _region, region_iri
from .schema import is_country

SOFTWARE = "datawork-kg"
OWL_SAMEAS = URIRef("http://www.w3.org/2002/07/owl#sameAs")
BIBO = "http://purl.org/ontology/bibo/"
# the class each kind of source gets besides dw:Study (alignments in ontology/bibo-mapping.ttl)
SOURCE_CLASSES = {
    "journal-article": "JournalArticle", "book-chapter": "BookChapter", "working-paper": "WorkingPaper",
    "abstract": "Abstract", "blog-post": "BlogPost", "report": "Report", "dataset": "DatasetSource",
    "news-article": "NewsArticle", "magazine-article": "MagazineArticle",
    "ngo-report": "AdvocacyReport", "union-report": "AdvocacyReport", "advocacy-report": "AdvocacyReport",
    "court-filing": "CourtFiling", "judgment": "Judgment", "settlement": "Settlement",
    "company-statement": "CompanyStatement", "company-filing": "CompanyFiling",
    "government-publication": "GovernmentPublication", "statistical-publication": "StatisticalPublication",
    "interview": "InterviewSource", "testimony": "Testimony",
}


class _Terms:
    """A namespace whose terms are made once: ``DW.Task`` is the same URIRef on every use (rdflib's
    namespaces build a new URIRef, and check it, on each attribute access: a tenth of loading time)."""

    def __init__(self, ns) -> None:
        self._ns = ns

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = getattr(self._ns, name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self._ns[name]


DW, SCHEMA, RDF, RDFS, SKOS, DCTERMS, PROV, XSD = map(_Terms, (DW, SCHEMA, RDF, RDFS, SKOS, DCTERMS, PROV, XSD))

ORG_CLASSES = {
    "lead-firm": "LeadFirm", "client": "Client", "platform": "Platform", "data-company": "DataCompany",
    "bpo": "BPO", "intermediary": "Intermediary", "financial-intermediary": "FinancialIntermediary",
    "firm": "Firm", "project": "AIProject", "worker-community": "WorkerCommunity", "worker-tool": "WorkerTool",
    "public-body": "PublicBody", "ai-product": "AIProduct", "group-of-firms": "GroupOfFirms",
}
NON_PARTY_KINDS = {"worker-tool", "ai-product"}
ITEM_LISTS = ("methods", "organisations", "workers", "unknown_parties", "tasks", "ties", "chains", "pay", "figures",
              "exclusions", "legal_actions", "findings")
IRI_KIND = {"methods": "method", "workers": "worker", "tasks": "task", "ties": "tie", "chains": "chain",
            "pay": "pay", "figures": "figure", "exclusions": "exclusion", "legal_actions": "legal-action",
            "findings": "finding", "organisations": "organisation", "unknown_parties": "party"}
NOT_STATED = "not-stated"  # a pay item's currency where the paper gives none


def _dec(value: Any) -> Literal:
    """An xsd:decimal in canonical form ("7.5", "6", not "7.50", "6.0"): the form the store keeps, so the
    dumps written from the loaded text hold the very literals the store and the endpoint give."""
    text = format(Decimal(str(value)).normalize(), "f")
    return Literal("0" if text in ("-0", "0") else text, datatype=XSD.decimal)


def _int(value: Any) -> Literal:
    return Literal(int(value), datatype=XSD.integer)


def _en(text: str) -> Literal:
    return Literal(str(text).strip(), lang="en")


def _str(text: Any) -> Literal:
    return Literal(str(text))


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Emitter:
    """Writes the RDF of one checked case file."""

    def __init__(self, data: dict, iris: IRIs, display: str, sha: str) -> None:
        self.d = data
        self.iris = iris
        self.display = display
        self.sha = sha
        self.study_id = data["study"]["id"]
        self.study = iris.study(self.study_id)
        # the triples, distinct, in the order emitted (a dict as an ordered set; an rdflib Graph would
        # index every triple, which cost about a third of the loading time)
        self._t: dict[tuple, None] = {}
        self.countries: set[str] = set()
        self.cities: dict[str, str] = {}
        self.currencies: set[str] = set()
        self.orgs: dict[str, str] = {}
        self.ids: dict[str, URIRef] = {}
        self.kinds: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    # helpers
    def add(self, s, p, o) -> None:
        self._t[(s, p, o)] = None

    @property
    def g(self) -> Graph:
        """The triples emitted so far as a new rdflib Graph."""
        g = Graph()
        g.addN((s, p, o, g) for s, p, o in self._t)
        return g

    def country(self, code: str) -> URIRef:
        self.countries.add(code)
        return self.iris.country(code)

    def city(self, name: str, country: str | None) -> URIRef:
        iri = self.iris.city(name)
        if slugify(name) not in self.cities:
            self.cities[slugify(name)] = country or ""
            self.add(iri, RDF.type, DW.City)
            self.add(iri, RDFS.label, _en(name))
            if country:
                self.add(iri, DW.inCountry, self.country(country))
        return iri

    def party(self, ref: str, tie_id: str, end: str, item: dict | None = None) -> URIRef:
        if ref == "unknown":
            iri = self.iris("party", f"{self.study_id}-{tie_id}-unknown-{end}")
            self.add(iri, RDF.type, DW.UnknownParty)
            self.regions(iri, (item or {}).get(f"{end}_regions"))
            self.add(iri, RDFS.label, _en(f"unknown party ({'orderer' if end == 'from' else 'supplier'} of tie {tie_id}, not stated in the paper)"))
            # the unknown party is reported where the item that mentions it is
            self.provenance(iri, {"section": (item or {}).get("section")})
            return iri
        return self.ids[ref]

    def provenance(self, iri: URIRef, item: dict) -> None:
        self.add(iri, DW.fromStudy, self.study)
        for key in as_list(item.get("section")):
            self.add(iri, DW.reportedIn, self.iris.section(self.study_id, key))
        if "method" in item:
            self.add(iri, DW.supportedByMethod, self.ids[item["method"]])
        if item.get("note"):
            self.add(iri, RDFS.comment, _en(item["note"]))

    def regions(self, iri: URIRef, codes: Any) -> None:
        for code in as_list(codes):
            self.add(iri, DW.inRegion, region_iri(code))

    def codes(self, iri: URIRef, prop: URIRef, prefix: str, values: Any) -> None:
        for v in as_list(values):
            self.add(iri, prop, concept(prefix, v))

    def years(self, iri: URIRef, item: dict) -> None:
        for fld, prop in (("year", DW.year), ("start", DW.startYear), ("end", DW.endYear)):
            if fld in item:
                self.add(iri, prop, _int(item[fld]))

    # the file
    def emit(self) -> LoadedGraph:
        d = self.d
        # mint all ids first so references resolve in any order
        for lst in ITEM_LISTS:
            for item in d.get(lst, []) or []:
                iid = item["id"]
                if lst == "organisations" and item.get("global_id"):
                    iri = self.iris("organisation", item["global_id"])
                else:
                    iri = self.iris.item(IRI_KIND[lst], self.study_id, iid)
                self.ids[iid] = iri
                self.kinds[iid] = lst
                self.counts[lst] = self.counts.get(lst, 0) + 1
        self.emit_study()
        for m in d.get("methods", []) or []:
            self.emit_method(m)
        for o in d.get("organisations", []) or []:
            self.emit_org(o)
        for w in d.get("workers", []) or []:
            self.emit_worker(w)
        for u in d.get("unknown_parties", []) or []:
            self.emit_unknown_party(u)
        for t in d.get("tasks", []) or []:
            self.emit_task(t)
        for t in d.get("ties", []) or []:
            self.emit_tie(t)
        for c in d.get("chains", []) or []:
            self.emit_chain(c)
        for p in d.get("pay", []) or []:
            self.emit_pay(p)
        for f in d.get("figures", []) or []:
            self.emit_figure(f)
        for e in d.get("exclusions", []) or []:
            self.emit_exclusion(e)
        for a in d.get("legal_actions", []) or []:
            self.emit_legal(a)
        for f in d.get("findings", []) or []:
            self.emit_finding(f)
        for code in sorted(self.countries):
            c = self.iris.country(code)
            self.add(c, RDF.type, DW.Country)
            self.add(c, DW.isoAlpha2, Literal(code))
            self.add(c, RDFS.label, _en(pycountry.countries.get(alpha_2=code).name))
        for code in sorted(self.currencies):
            c = self.iris.currency(code)
            self.add(c, RDF.type, DW.Currency)
            self.add(c, DW.currencyCode, Literal(code))
            self.add(c, SKOS.notation, Literal(code))
            self.add(c, RDFS.label, _en(pycountry.currencies.get(alpha_3=code).name))
        graph_iri = self.iris.graph(self.study_id)
        self.emit_graph_provenance(graph_iri)
        counts = dict(self.counts)
        counts["_ids"] = {k: self.kinds[k] for k in self.kinds}
        counts["_org_iris"] = {k: str(v) for k, v in self.ids.items()}
        return LoadedGraph(graph_iri, None, self.display, self.study_id, set(self.countries), dict(self.cities),
                           set(self.currencies), dict(self.orgs), counts, triples=list(self._t))

    def emit_graph_provenance(self, graph_iri: URIRef) -> None:
        activity = self.iris("activity", f"load-{self.study_id}-{self.sha[:12]}")
        software = self.iris("software", SOFTWARE)
        self.add(graph_iri, RDF.type, DW.EvidenceGraph)
        self.add(graph_iri, RDF.type, PROV.Entity)
        self.add(graph_iri, RDFS.label, _en(f"Evidence from {self.d['study']['title']}"))
        self.add(graph_iri, PROV.wasDerivedFrom, self.study)
        self.add(graph_iri, DW.sourceFile, Literal(Path(self.display).name))
        self.add(graph_iri, DW.sha256, Literal(self.sha))
        self.add(graph_iri, PROV.wasGeneratedBy, activity)
        self.add(activity, RDF.type, PROV.Activity)
        self.add(activity, RDFS.label, _en(f"Loading case file {Path(self.display).name}"))
        self.add(activity, PROV.used, Literal(Path(self.display).name))
        self.add(activity, PROV.wasAssociatedWith, software)
        self.add(software, RDF.type, PROV.SoftwareAgent)
        self.add(software, RDFS.label, Literal("datawork-kg loaders"))
        self.emit_curation(graph_iri)

    def emit_curation(self, graph_iri: URIRef) -> None:
        """Who encoded and who reviewed the case file, and when (PROV qualified attribution)."""
        dates = []
        for lst, role in (("encoded_by", "encoder"), ("reviewed_by", "reviewer")):
            for i, person in enumerate(self.d.get(lst, []) or [], start=1):
                agent = self.iris("person", slugify(person["name"]))
                self.add(graph_iri, PROV.wasAttributedTo, agent)
                self.add(agent, RDF.type, PROV.Person)
                self.add(agent, RDFS.label, Literal(person["name"]))
                if person.get("orcid"):
                    self.add(agent, OWL_SAMEAS, URIRef(f"https://orcid.org/{person['orcid']}"))
                att = self.iris("attribution", f"{self.study_id}-{role}-{i}")
                self.add(graph_iri, PROV.qualifiedAttribution, att)
                self.add(att, RDF.type, PROV.Attribution)
                self.add(att, PROV.agent, agent)
                self.add(att, PROV.hadRole, DW[f"curation-{role}"])
                self.add(att, DCTERMS.date, Literal(person["date"], datatype=XSD.date))
                self.add(att, RDFS.label, _en(f"{person['name']}, {role} of {self.study_id}, {person['date']}"))
                if person.get("note"):
                    self.add(att, RDFS.comment, _en(person["note"]))
                dates.append(person["date"])
        if dates:
            self.add(graph_iri, PROV.generatedAtTime, Literal(f"{max(dates)}T00:00:00", datatype=XSD.dateTime))

    def emit_study(self) -> None:
        s = self.d["study"]
        iri = self.study
        self.add(iri, RDF.type, DW.Study)
        self.add(iri, RDFS.label, _en(s["title"]))
        self.add(iri, DCTERMS.title, _en(s["title"]))
        self.add(iri, DCTERMS.identifier, Literal(s["id"]))
        for i, a in enumerate(s.get("authors", []) or []):
            self.add(iri, DW.authorName, Literal(a))
        if s.get("authors"):
            self.add(iri, DW.authorList, Literal("; ".join(s["authors"])))
        self.add(iri, DW.authorship, concept("authorship", s["authorship"]))
        if "year_status" in s:
            self.add(iri, DW.yearStatus, concept("authorship", s["year_status"]))
        if "year" in s:
            self.add(iri, DW.publicationYear, _int(s["year"]))
        for fld, prop in (("venue", DW.venue), ("doi", DW.doi), ("kind", DW.studyKind)):
            if fld in s:
                self.add(iri, prop, Literal(s[fld]))
        self.emit_source(iri, s)
        for fld, prop in (("fieldwork_start", DW.fieldworkStart), ("fieldwork_end", DW.fieldworkEnd)):
            if fld in s:
                self.add(iri, prop, _int(s[fld]))
        for fld in ("note", "attribution_note"):
            if s.get(fld):
                self.add(iri, RDFS.comment, _en(s[fld]))
        for part in s.get("parts", []) or []:
            p = self.iris("study", f"{self.study_id}-{part['id']}")
            self.add(iri, DCTERMS.hasPart, p)
            self.add(p, RDF.type, DW.StudyPart)
            self.add(p, DCTERMS.isPartOf, iri)
            self.add(p, RDFS.label, _en(part["title"]))
            self.add(p, DCTERMS.title, _en(part["title"]))
            if "authorship" in part:
                self.add(p, DW.authorship, concept("authorship", part["authorship"]))
            for a in part.get("authors", []) or []:
                self.add(p, DW.authorName, Literal(a))
            if "year" in part:
                self.add(p, DW.publicationYear, _int(part["year"]))
            if part.get("kind"):
                self.add(p, DW.studyKind, Literal(part["kind"]))
            if part.get("note"):
                self.add(p, RDFS.comment, _en(part["note"]))
        for key, heading in s["sections"].items():
            sec = self.iris.section(self.study_id, key)
            self.add(sec, RDF.type, DW.Section)
            self.add(sec, DW.sectionKey, Literal(str(key)))
            self.add(sec, DCTERMS.isPartOf, iri)
            if isinstance(heading, dict):
                self.emit_locator(sec, heading)
            else:
                self.add(sec, RDFS.label, _en(str(heading)))

    def emit_source(self, iri: URIRef, s: dict) -> None:
        """What a reader cites a source by: its kind, publisher or outlet, address, dates and number."""
        if s.get("kind") in SOURCE_CLASSES:
            self.add(iri, RDF.type, DW[SOURCE_CLASSES[s["kind"]]])
        if s.get("publisher"):
            pub = self.iris("publisher", slugify(s["publisher"]))
            self.add(iri, DCTERMS.publisher, pub)
            self.add(pub, RDF.type, DW.Publisher)
            self.add(pub, RDFS.label, _en(s["publisher"]))
            self.add(pub, SCHEMA.name, Literal(s["publisher"]))
        if s.get("url"):
            self.add(iri, SCHEMA.url, URIRef(s["url"]))
        if s.get("archived_url"):
            self.add(iri, SCHEMA.archivedAt, URIRef(s["archived_url"]))
        if s.get("published"):
            self.add(iri, DW.publicationDate, Literal(s["published"], datatype=XSD.date))
            if "year" not in s:
                self.add(iri, DW.publicationYear, _int(int(s["published"][:4])))
        if s.get("accessed"):
            self.add(iri, DW.accessDate, Literal(s["accessed"], datatype=XSD.date))
        if s.get("identifier"):
            self.add(iri, DW.documentNumber, Literal(s["identifier"]))
        if s.get("language"):
            self.add(iri, DCTERMS.language, Literal(s["language"]))

    def emit_locator(self, sec: URIRef, loc: dict) -> None:
        """A section given as a locator: its title, and where it sits (page, paragraph, time, link)."""
        self.add(sec, RDFS.label, _en(str(loc["title"])))
        parts = []
        for fld, prop, word in (("page", DW.page, "p."), ("paragraph", DW.paragraph, "para."),
                                ("timestamp", DW.timestamp, "at")):
            if fld in loc:
                self.add(sec, prop, Literal(str(loc[fld])))
                parts.append(f"{word} {loc[fld]}")
        if parts:
            self.add(sec, URIRef(BIBO + "locator"), Literal(", ".join(parts)))
        if loc.get("url"):
            self.add(sec, SCHEMA.url, URIRef(loc["url"]))

    def emit_method(self, m: dict) -> None:
        iri = self.ids[m["id"]]
        self.add(iri, RDF.type, DW.Method)
        self.add(iri, RDFS.label, _en(m.get("label") or f"{m['kind']} ({m['id']})"))
        self.provenance(iri, {k: v for k, v in m.items() if k != "method"})
        self.add(iri, DW.methodKind, concept("method", m["kind"]))
        if "mode" in m:
            self.add(iri, DW.methodMode, concept("mode", m["mode"]))
        if "sample_size" in m:
            self.add(iri, DW.sampleSize, _int(m["sample_size"]))
        if "sample_size_min" in m:
            self.add(iri, DW.minSampleSize, _int(m["sample_size_min"]))
        if m.get("population"):
            self.add(iri, DW.population, _en(m["population"]))
        for c in m.get("countries", []) or []:
            self.add(iri, DW.sampleCountry, self.country(c))
        self.regions(iri, m.get("regions"))
        for city in m.get("cities", []) or []:
            self.add(iri, DW.placeName, Literal(city))
            country = (m.get("countries") or [None])[0] if len(m.get("countries") or []) == 1 else None
            self.add(iri, DW.sampleCity, self.city(city, country))
        for p in m.get("platforms", []) or []:
            self.add(iri, DW.samplePlatform, self.ids[p])
        if "part_of" in m:
            self.add(iri, DW.partOfMethod, self.ids[m["part_of"]])
        for fld, prop in (("start", DW.startYear), ("end", DW.endYear)):
            if fld in m:
                self.add(iri, prop, _int(m[fld]))
        for fld, prop in (("start_date", DW.startDate), ("end_date", DW.endDate)):
            if m.get(fld):
                self.add(iri, prop, Literal(f"{m[fld]}T00:00:00", datatype=XSD.dateTime))

    def emit_org(self, o: dict) -> None:
        iri = self.ids[o["id"]]
        self.add(iri, RDF.type, DW[ORG_CLASSES[o["kind"]]])
        self.add(iri, RDFS.label, _en(o["name"]))
        self.add(iri, SCHEMA.name, Literal(o["name"]))
        self.provenance(iri, o)
        self.add(iri, DW.unnamed, Literal(bool(o.get("unnamed", False))))
        if o.get("global_id"):
            self.orgs[o["global_id"]] = o.get("wikidata", "")
            self.add(iri, DW.localId, Literal(f"{self.study_id}:{o['id']}"))
        if "form" in o:
            self.add(iri, DW.organisationalForm, concept("form", o["form"]))
        for j, fp in enumerate(o.get("form_history", []) or []):
            period = self.iris("form-period", f"{self.study_id}-{o['id']}-{fp.get('order', j + 1)}")
            self.add(iri, DW.hasFormPeriod, period)
            self.add(period, RDF.type, DW.FormPeriod)
            self.add(period, DW.form, concept("form", fp["form"]))
            self.add(period, DW.periodOrder, _int(fp.get("order", j + 1)))
            self.add(period, RDFS.label, _en(f"{o['name']}: {fp['form']} (period {fp.get('order', j + 1)})"))
            if "from" in fp:
                self.add(period, DW.fromYear, _int(fp["from"]))
            if "until" in fp:
                self.add(period, DW.untilYear, _int(fp["until"]))
            self.provenance(period, {"section": fp.get("section", o["section"]), "note": fp.get("note")})
        self.codes(iri, DW.hasRole, "role", o.get("roles"))
        if "country" in o:
            self.add(iri, DW.basedIn, self.country(o["country"]))
        for c in o.get("countries", []) or []:
            self.add(iri, DW.operatesIn, self.country(c))
        self.regions(iri, o.get("regions"))
        if o.get("city"):
            self.add(iri, DW.inCity, self.city(o["city"], o.get("country")))
        for fld, prop in (("part_of", DW.partOf), ("renamed_to", DW.renamedTo), ("merged_into", DW.mergedInto)):
            if fld in o:
                self.add(iri, prop, self.ids[o[fld]])
        if "founded" in o:
            self.add(iri, DW.foundedYear, _int(o["founded"]))
        if "count" in o:
            self.add(iri, DW.firmCount, _int(o["count"]))
        if "wikidata" in o:
            self.add(iri, DW.wikidataId, Literal(o["wikidata"]))

    def emit_worker(self, w: dict) -> None:
        iri = self.ids[w["id"]]
        self.add(iri, RDF.type, DW.Worker if w["kind"] == "individual" else DW.WorkerGroup)
        self.add(iri, RDFS.label, _en(w["label"]))
        self.provenance(iri, w)
        if "pseudonym" in w:
            self.add(iri, DW.isPseudonym, Literal(bool(w["pseudonym"])))
        for fld, prop in (("count", DW.memberCount), ("count_min", DW.minMemberCount), ("count_max", DW.maxMemberCount),
                          ("age", DW.age)):
            if fld in w:
                self.add(iri, prop, _int(w[fld]))
        if "country" in w:
            self.add(iri, DW.basedIn, self.country(w["country"]))
        for c in w.get("countries", []) or []:
            self.add(iri, DW.basedIn, self.country(c))
        self.regions(iri, w.get("regions"))
        if w.get("city"):
            self.add(iri, DW.inCity, self.city(w["city"], w.get("country")))
        if w.get("region"):
            self.add(iri, DW.region, _en(w["region"]))
        if "nationality" in w:
            self.add(iri, DW.nationality, self.country(w["nationality"]))
        if "gender" in w:
            self.add(iri, DW.gender, concept("gender", w["gender"]))
        for fld, prop in (("education", DW.education), ("other_job", DW.otherJob)):
            if w.get(fld):
                self.add(iri, prop, _en(w[fld]))
        for lang in w.get("languages", []) or []:
            self.add(iri, DW.language, Literal(lang))
        if "status" in w:
            self.add(iri, DW.employmentStatus, concept("status", w["status"]))
        if "worker_type" in w:
            self.add(iri, DW.workerType, concept("wtype", w["worker_type"]))
        if "dependence" in w:
            self.add(iri, DW.dependence, concept("dep", w["dependence"]))
        if "hours_per_week" in w:
            self.add(iri, DW.hoursPerWeek, _dec(w["hours_per_week"]))
        for p in w.get("platforms", []) or []:
            self.add(iri, DW.usesPlatform, self.ids[p])
        for p in w.get("member_of", []) or []:
            self.add(iri, DW.memberOf, self.ids[p])
        for p in w.get("employers", []) or []:
            self.add(iri, DW.formerEmployer, self.ids[p])

    def emit_unknown_party(self, u: dict) -> None:
        """A party the paper leaves unknown, named once in the file so that several ties can share it."""
        iri = self.ids[u["id"]]
        self.add(iri, RDF.type, DW.UnknownParty)
        self.add(iri, RDFS.label, _en(f"unknown party: {u['label']}"))
        self.provenance(iri, u)
        self.regions(iri, u.get("regions"))

    def emit_task(self, t: dict) -> None:
        iri = self.ids[t["id"]]
        self.add(iri, RDF.type, DW.Task)
        self.add(iri, RDFS.label, _en(t["label"]))
        self.provenance(iri, t)
        if "function" in t:
            self.add(iri, DW.taskFunction, concept("fn", t["function"]))
        if "function_source" in t:
            self.add(iri, DW.functionAttribution, concept("attr", t["function_source"]))
        self.codes(iri, DW.workKind, "work", t.get("work_kinds"))
        for p in t.get("performed_by", []) or []:
            self.add(iri, DW.performedBy, self.ids[p])
        for p in t.get("ordered_by", []) or []:
            self.add(iri, DW.orderedBy, self.ids[p])
        for p in t.get("platforms", []) or []:
            self.add(iri, DW.onPlatform, self.ids[p])
        for c in t.get("countries", []) or []:
            self.add(iri, DW.taskCountry, self.country(c))
        self.regions(iri, t.get("regions"))
        if "ai_product" in t:
            self.add(iri, DW.forProduct, self.ids[t["ai_product"]])

    def emit_tie(self, t: dict) -> None:
        iri = self.ids[t["id"]]
        self.add(iri, RDF.type, DW.Tie)
        src = self.party(t["from"], t["id"], "from", t)
        dst = self.party(t["to"], t["id"], "to", t)
        self.add(iri, DW.orderer, src)
        self.add(iri, DW.supplier, dst)
        label_from = "unknown" if t["from"] == "unknown" else t["from"]
        label_to = "unknown" if t["to"] == "unknown" else t["to"]
        self.add(iri, RDFS.label, _en(f"{label_from} -> {label_to}"))
        self.provenance(iri, t)
        self.add(iri, DW.flowKind, concept("flow", t.get("flow", "work")))
        for fld, prop, prefix in (("embeddedness", DW.embeddedness, "embed"), ("direction", DW.tieDirection, "dir"),
                                  ("form", DW.contractForm, "contract"), ("geography", DW.geographicMode, "geo")):
            if fld in t:
                self.add(iri, prop, concept(prefix, t[fld]))
        self.codes(iri, DW.valueChainPattern, "pattern", t.get("patterns"))
        for fld, prop in (("upstream_aware", DW.upstreamAware), ("off_platform", DW.offPlatform)):
            if fld in t:
                self.add(iri, prop, Literal(bool(t[fld])))
        if t.get("duration"):
            self.add(iri, DW.durationText, _en(t["duration"]))
        if "duration_months" in t:
            self.add(iri, DW.durationMonths, _dec(t["duration_months"]))
        for p in t.get("via", []) or []:
            self.add(iri, DW.via, self.ids[p])
        for p in t.get("tasks", []) or []:
            self.add(iri, DW.forTask, self.ids[p])
        for fld, prop in (("start", DW.startYear), ("end", DW.endYear)):
            if fld in t:
                self.add(iri, prop, _int(t[fld]))

    def emit_chain(self, c: dict) -> None:
        iri = self.ids[c["id"]]
        self.add(iri, RDF.type, DW.Chain)
        self.add(iri, RDFS.label, _en(c["label"]))
        self.provenance(iri, c)
        self.add(iri, DW.leadFirm, self.ids[c["lead"]])
        for i, tid in enumerate(c["ties"], start=1):
            self.add(iri, DW.hasTie, self.ids[tid])
            step = self.iris("chain-step", f"{self.study_id}-{c['id']}-{i}")
            self.add(iri, DW.hasStep, step)
            self.add(step, RDF.type, DW.ChainStep)
            self.add(step, DW.stepIndex, _int(i))
            self.add(step, DW.stepTie, self.ids[tid])
            self.add(step, RDFS.label, _en(f"step {i} of chain {c['id']}"))
        self.codes(iri, DW.valueChainPattern, "pattern", c.get("patterns"))
        if "geography" in c:
            self.add(iri, DW.geographicMode, concept("geo", c["geography"]))
        for p in c.get("tasks", []) or []:
            self.add(iri, DW.forTask, self.ids[p])

    def emit_pay(self, p: dict) -> None:
        iri = self.ids[p["id"]]
        self.add(iri, RDF.type, DW.Remuneration)
        self.provenance(iri, p)
        self.add(iri, DW.remunerationKind, concept("paykind", p["kind"]))
        for fld, prop in (("payer", DW.payer), ("payee", DW.payee)):
            if fld in p:
                self.add(iri, prop, self.party(p[fld], p["id"], "from" if fld == "payer" else "to", p))
        if "tie" in p:
            self.add(iri, DW.alongTie, self.ids[p["tie"]])
        if "task" in p:
            self.add(iri, DW.forTask, self.ids[p["task"]])
        for fld, prop in (("amount", DW.amount), ("min", DW.minAmount), ("max", DW.maxAmount)):
            if fld in p:
                self.add(iri, prop, _dec(p[fld]))
        code = p["currency"]
        if code == NOT_STATED:  # no currency is guessed: the item says so instead
            self.add(iri, DW.currencyStated, Literal(False))
            code = "(currency not stated)"
        else:
            self.currencies.add(code)
            self.add(iri, DW.currency, self.iris.currency(code))
            self.add(iri, DW.currencyCode, Literal(code))
        self.add(iri, DW.unitBasis, concept("unit", p["unit"]))
        if "approximate" in p:
            self.add(iri, DW.approximate, Literal(bool(p["approximate"])))
        for fld, prop, prefix in (("qualifier", DW.qualifier, "qualifier"), ("account", DW.account, "account"),
                                  ("basis", DW.payBasis, "basis")):
            if fld in p:
                self.add(iri, prop, concept(prefix, p[fld]))
        self.years(iri, p)
        for fld, prop in (("hours_per_unit_min", DW.minHoursPerUnit), ("hours_per_unit_max", DW.maxHoursPerUnit),
                          ("units_per_hour", DW.unitsPerHour), ("hours_per_week", DW.hoursPerWeek), ("ratio_to", DW.ratio)):
            if fld in p:
                self.add(iri, prop, _dec(p[fld]))
        for fld, prop in (("equivalent_of", DW.equivalentOf), ("relative_to", DW.relativeTo)):
            if fld in p:
                self.add(iri, prop, self.ids[p[fld]])
        amount = p.get("amount")
        if amount is None and ("min" in p or "max" in p):
            amount = f"{p.get('min', '?')}-{p.get('max', '?')}"
        label = f"{p['kind']}: {amount if amount is not None else 'x' + str(p.get('ratio_to'))} {code} {p['unit']}"
        self.add(iri, RDFS.label, _en(label))

    def emit_figure(self, f: dict) -> None:
        iri = self.ids[f["id"]]
        about = f["about"]
        if is_country(about) and about not in self.ids:
            self.add(iri, RDF.type, DW.CountryFigure)
            target = self.country(about)
        elif about not in self.ids and _region(about) is not None:
            self.add(iri, RDF.type, DW.RegionFigure)
            target = region_iri(about)
        else:
            self.add(iri, RDF.type, DW.PlatformFigure)
            target = self.ids[about]
        self.add(iri, DW.figureAbout, target)
        self.add(iri, RDFS.label, _en(f"{f['indicator']} ({about})"))
        self.add(iri, DW.indicator, _en(f["indicator"]))
        self.provenance(iri, f)
        for fld, prop in (("value", DW.value), ("min", DW.minValue), ("max", DW.maxValue)):
            if fld in f:
                self.add(iri, prop, _dec(f[fld]))
        if "unit" in f:
            self.add(iri, DW.figureUnit, concept("figunit", f["unit"]))
        if "currency" in f:
            self.currencies.add(f["currency"])
            self.add(iri, DW.currencyCode, Literal(f["currency"]))
            self.add(iri, DW.currency, self.iris.currency(f["currency"]))
        if "qualifier" in f:
            self.add(iri, DW.qualifier, concept("qualifier", f["qualifier"]))
        self.years(iri, f)
        if "country" in f:
            self.add(iri, DW.figureCountry, self.country(f["country"]))
        self.regions(iri, f.get("regions"))
        if f.get("cited_source"):
            self.add(iri, DW.citedSource, Literal(f["cited_source"]))

    def emit_exclusion(self, e: dict) -> None:
        iri = self.ids[e["id"]]
        self.add(iri, RDF.type, DW.Exclusion)
        self.add(iri, RDFS.label, _en(f"{e['mechanism']} excluding {', '.join(e['affects'])}"))
        self.provenance(iri, e)
        self.add(iri, DW.mechanism, concept("mech", e["mechanism"]))
        for p in e["affects"]:
            self.add(iri, DW.affects, self.ids[p])
        for p in e.get("imposed_by", []) or []:
            self.add(iri, DW.imposedBy, self.ids[p])
        self.codes(iri, DW.excludedFrom, "excl", e.get("excluded_from"))
        for c in e.get("countries", []) or []:
            self.add(iri, DW.exclusionCountry, self.country(c))
        for f in e.get("findings", []) or []:
            self.add(iri, DW.supportedBy, self.ids[f])

    def emit_legal(self, a: dict) -> None:
        iri = self.ids[a["id"]]
        self.add(iri, RDF.type, DW.LegalAction)
        self.add(iri, RDFS.label, _en(a["label"]))
        self.provenance(iri, a)
        if "kind" in a:
            self.add(iri, DW.legalActionKind, concept("legal", a["kind"]))
        for p in a.get("against", []) or []:
            self.add(iri, DW.against, self.ids[p])
        for p in a.get("by", []) or []:
            self.add(iri, DW.broughtBy, self.ids[p])
        if "country" in a:
            self.add(iri, DW.actionCountry, self.country(a["country"]))
        if "year" in a:
            self.add(iri, DW.year, _int(a["year"]))
        if a.get("outcome"):
            self.add(iri, DW.outcome, _en(a["outcome"]))

    def emit_finding(self, f: dict) -> None:
        iri = self.ids[f["id"]]
        self.add(iri, RDF.type, DW.Finding)
        text = f["statement"].strip()
        self.add(iri, RDFS.label, _en(text if len(text) <= 90 else text[:87].rsplit(" ", 1)[0] + "..."))
        self.add(iri, DW.statement, _en(text))
        self.provenance(iri, f)
        if "kind" in f:
            self.add(iri, DW.findingKind, concept("fkind", f["kind"]))
        if "account" in f:
            self.add(iri, DW.account, concept("account", f["account"]))
        for a in f.get("about", []) or []:
            if a in self.ids:
                self.add(iri, DW.about, self.ids[a])
            else:
                self.add(iri, DW.about, self.country(a))
        if f.get("cited_source"):
            self.add(iri, DW.citedSource, Literal(f["cited_source"]))


__all__ = ["Emitter", "ORG_CLASSES", "NON_PARTY_KINDS", "ITEM_LISTS", "IRI_KIND", "as_list"]
