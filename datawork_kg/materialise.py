"""What the ontology implies that queries need, written into the graph ``id/graph/inferred``.

HermiT checks the ontology itself (see :mod:`datawork_kg.reasoning`); it does not scale to
instance data, so the instance-level consequences that queries use are materialised here with
SPARQL updates in the store, each rule the implementation of one axiom of the ontology:

- ``rdfs:subClassOf``: every typed node also gets the types of all superclasses;
- ``dw:outsourcesTo`` ``owl:propertyChainAxiom ( [owl:inverseOf dw:orderer] dw:supplier )``
  (work ties), and ``dw:paysTo`` for payment ties;
- ``dw:inChain`` ``owl:inverseOf dw:hasTie``;
- ``dw:payer`` / ``dw:payee`` of a sum paid along a tie (``dw:alongTie``) that names no payer (payee):
  the tie's orderer (supplier), the reading the case-file format gives such a pay item
  (docs/evidence-format.md); a stated payer or payee is never overridden, so both stay functional;
  a listed (suggested) price gets none: nobody was paid it;
- ``dw:followedBy``: consecutive ties of one chain (the supplier of one orders the next);
- ``skos:broaderTransitive`` closure of ``skos:broader`` in the code lists;
- ``dw:upstreamOf`` (``owl:TransitiveProperty``, ``dw:followedBy`` ⊑ ``dw:upstreamOf``): a tie is
  upstream of every tie reached from it through consecutive ties of a chain; written in two rules,
  the single steps (``dw:followedBy``) and their closure. Paths through ties of *other* chains or
  files (via an organisation that several case files share) are left out on purpose: they joined
  every tie into a shared platform with every tie out of it, which grew with the square of the data
  (+176k triples and 9 s at 1M synthetic triples) and never changed a chain's own tiers;
- ``dw:endWorker``: a worker or worker group that a tie of the chain supplies and that orders no tie
  of the chain (the "end workers" of the chain queries);
- ``dw:displayName``: one plain-string name for every IRI that has an ``rdfs:label``, the first of its
  labels in code-point order (``MIN(STR(?label))``, whatever the language): the queries join it instead
  of grouping every label of the graph to pick one name (the build writes it from the loaded text, as
  it does the subclass closure, and skips the rule; a test checks that both agree);
- ``dw:chainParty``: every orderer and supplier of a chain's ties; ``dw:chainIntermediary``: those of them
  that the paper names and that are neither the chain's lead firm nor its end workers (the
  intermediaries of the chain queries). The ontology gives each materialised property its defining
  rule as a SPARQL CONSTRUCT (``dw:materialisationRule``); a test checks the graph against it;
- ``dw:inForceYear``: on each income group assignment and region side assignment of the reference graph,
  the year whose events it classifies (one after its GNI data year, docs/north-south.md), so that the
  income-group queries join the classification on a stored year;
- ``dw:stepDepth``: one plus the number of other ties of the step's chain upstream of the step's tie
  (``dw:upstreamOf``), the links from the lead down to the step in a tree-shaped chain;
- ``dw:taskParty``: the parties a task is bought or done through: its platform, and the orderer, supplier
  and platform in between (``dw:via``) of every tie that carries it;
- ``dw:tierCount``: a chain's deepest step (the largest ``dw:stepDepth`` of its steps);
- ``dw:taskForm``: the organisational forms of a task's parties (``dw:taskParty``);
- ``dw:functionFamily``: a task's AI function family: the broader function of its function where the
  code list gives one (data generation and annotation are AI preparation), else the function itself;
- ``dw:endClientPrice``: a price or pay that a chain's lead firm pays along the tie of the chain's first
  step, the end client's price that the share queries divide by (the shares stay computed by them);
- ``dw:minPaidUnitsPerHour`` / ``dw:maxPaidUnitsPerHour``: how many of a pay item's units one hour of
  work makes, where the paper gives the time (pay per hour; hours a unit takes or units done in an
  hour; hours worked a week for weekly, monthly or yearly pay); the hourly rates stay computed by the
  queries (amount times this);
- ``dw:chainBasedIn``: the countries the parties of a chain's ties (``dw:chainParty``) are based in;
- ``dw:lowIncomeInYear``, ``dw:lowerMiddleIncomeInYear``, ``dw:upperMiddleIncomeInYear``,
  ``dw:highIncomeInYear``: on each country, the years (``dw:inForceYear``) its World Bank income group
  assignments place it in that group, so that a query finds a country's group in a year with one lookup
  of the country and the year (the assignment itself takes one lookup per year of the country);
- ``dw:payeeBasedIn``: the countries a pay item's payee (``dw:payee``, stated or the tie's supplier) is
  based in, so that the pay queries read the payee's country from the pay item;
- ``dw:chainForm``: the organisational forms of a chain's parties;
- ``dw:lastStep``: the steps of a chain whose tie supplies one of its end workers (``dw:endWorker``);
- ``dw:chainFlow``: the flow kinds (work, payment) of a chain's ties;
- ``dw:chainPattern``: the value-chain patterns a chain shows, itself or in one of its ties;
- ``dw:lowAmount`` / ``dw:highAmount``: the lowest and highest sum a pay item states or implies, in its
  own currency and unit: its minimum (maximum) amount, else its amount, else its ratio times the
  minimum (maximum) amount, else the amount, of the pay item it is given relative to (``dw:relativeTo``);
  the stated amounts stay the evidence, and shares, margins and hourly rates stay computed by the queries;
- ``dw:payingSideForm``: the organisational form of the side that pays a pay item: its payer's forms
  (``dw:payer``, stated or the tie's orderer), else, when the payer has none or there is no payer, the
  forms of the platform the pay's tie runs via (``dw:via``);
- ``dw:tieFunction``: the AI function family (``dw:functionFamily``) of the task a work tie carries
  (``dw:forTask``); payment ties get none;
- ``dw:onwardTie``: the ties of a chain that follow (``dw:followedBy``) the tie a pay item is paid along,
  along which its payee passes the work on (the pay queries tell a price paid to an intermediary by it).
"""
from __future__ import annotations

import re

import pyoxigraph as ox

from .ntriples import RDF_TYPE

def _paid_units_per_hour(prop: str, hours_first: str, hours_then: str) -> str:
    """The rule of ``dw:minPaidUnitsPerHour`` or ``dw:maxPaidUnitsPerHour``: how many of a pay item's
    units one hour of work makes. The two differ only in which of the hours a unit takes they read first
    (the longest time gives the fewest units an hour)."""
    return f"""
        INSERT {{ GRAPH <{{inferred}}> {{ ?pay {prop} ?per_hour }} }}
        WHERE {{
          GRAPH ?g {{ ?pay dw:unitBasis ?u }}
          OPTIONAL {{ GRAPH ?g1 {{ ?pay dw:minHoursPerUnit ?hpu_min }} }}
          OPTIONAL {{ GRAPH ?g2 {{ ?pay dw:maxHoursPerUnit ?hpu_max }} }}
          OPTIONAL {{ GRAPH ?g3 {{ ?pay dw:unitsPerHour ?uph }} }}
          OPTIONAL {{ GRAPH ?g4 {{ ?pay dw:hoursPerWeek ?hpw }} }}
          BIND(IF(?u = dw:unit-per-hour, 1,
               IF(BOUND(?hpu_min) || BOUND(?hpu_max), 1 / COALESCE({hours_first}, {hours_then}),
               IF(BOUND(?uph), ?uph,
               IF(BOUND(?hpw) && ?u = dw:unit-per-week, 1 / ?hpw,
               IF(BOUND(?hpw) && ?u = dw:unit-per-month, 12 / (?hpw * 52),
               IF(BOUND(?hpw) && ?u = dw:unit-per-year, 1 / (?hpw * 52), ?none)))))) AS ?per_hour)
          FILTER(BOUND(?per_hour))
        }}"""


def _income_in_year(prop: str, group: str) -> str:
    """The rule of one of ``dw:lowIncomeInYear`` ... ``dw:highIncomeInYear``: the years in force of a
    country's World Bank assignments to ``group``."""
    return f"""
        INSERT {{ GRAPH <{{inferred}}> {{ ?c {prop} ?year }} }}
        WHERE {{ GRAPH ?g {{ ?a dw:classifiedCountry ?c ; dw:incomeGroup {group} }}
                GRAPH <{{inferred}}> {{ ?a dw:inForceYear ?year }} }}"""


def _pay_bound(prop: str, stated_bound: str) -> str:
    """The rule of ``dw:lowAmount`` (``stated_bound`` ``dw:minAmount``) or ``dw:highAmount``
    (``dw:maxAmount``): the pay item's stated bound, else its amount, else its ratio times the same bound
    (else the amount) of the pay item it is stated relative to."""
    return f"""
        INSERT {{ GRAPH <{{inferred}}> {{ ?pay {prop} ?bound }} }}
        WHERE {{
          GRAPH ?g {{ ?pay a dw:Remuneration }}
          OPTIONAL {{ GRAPH ?g1 {{ ?pay dw:amount ?amt }} }}
          OPTIONAL {{ GRAPH ?g2 {{ ?pay {stated_bound} ?stated }} }}
          OPTIONAL {{ GRAPH ?g3 {{ ?pay dw:relativeTo ?ref }} GRAPH ?g4 {{ ?pay dw:ratio ?ratio }}
                     OPTIONAL {{ GRAPH ?g5 {{ ?ref dw:amount ?ref_amt }} }}
                     OPTIONAL {{ GRAPH ?g6 {{ ?ref {stated_bound} ?ref_stated }} }} }}
          BIND(COALESCE(?stated, ?amt, ?ratio * COALESCE(?ref_stated, ?ref_amt)) AS ?bound)
          FILTER(BOUND(?bound))
        }}"""


RULES: dict[str, str] = {
    "subclass closure": """
        INSERT { GRAPH <{inferred}> { ?x a ?super } }
        WHERE {
          GRAPH <{ontology}> { ?c rdfs:subClassOf+ ?super . FILTER(isIRI(?super)) }
          GRAPH ?g { ?x a ?c }
          FILTER(?g != <{ontology}> && ?g != <{inferred}>)
        }""",
    "displayName (first label)": """
        INSERT { GRAPH <{inferred}> { ?x dw:displayName ?name } }
        WHERE {
          SELECT ?x (MIN(STR(?l)) AS ?name) WHERE { GRAPH ?g { ?x rdfs:label ?l } FILTER(isIRI(?x) && ?g != <{inferred}>) }
          GROUP BY ?x
        }""",
    "outsourcesTo (property chain)": """
        INSERT { GRAPH <{inferred}> { ?a dw:outsourcesTo ?b } }
        WHERE { GRAPH ?g { ?t dw:orderer ?a ; dw:supplier ?b ; dw:flowKind dw:flow-work } }""",
    "paysTo (payment ties)": """
        INSERT { GRAPH <{inferred}> { ?a dw:paysTo ?b } }
        WHERE { GRAPH ?g { ?t dw:orderer ?a ; dw:supplier ?b ; dw:flowKind dw:flow-payment } }""",
    "inChain (inverse of hasTie)": """
        INSERT { GRAPH <{inferred}> { ?t dw:inChain ?c } }
        WHERE { GRAPH ?g { ?c dw:hasTie ?t } }""",
    "payer (default: the orderer of the tie)": """
        INSERT { GRAPH <{inferred}> { ?pay dw:payer ?o } }
        WHERE { GRAPH ?g1 { ?pay dw:alongTie ?t } GRAPH ?g2 { ?t dw:orderer ?o }
                FILTER NOT EXISTS { GRAPH ?g3 { ?pay dw:payer ?x } }
                FILTER NOT EXISTS { GRAPH ?g4 { ?pay dw:remunerationKind dw:paykind-listed-price } } }""",
    "payee (default: the supplier of the tie)": """
        INSERT { GRAPH <{inferred}> { ?pay dw:payee ?s } }
        WHERE { GRAPH ?g1 { ?pay dw:alongTie ?t } GRAPH ?g2 { ?t dw:supplier ?s }
                FILTER NOT EXISTS { GRAPH ?g3 { ?pay dw:payee ?x } }
                FILTER NOT EXISTS { GRAPH ?g4 { ?pay dw:remunerationKind dw:paykind-listed-price } } }""",
    "followedBy (consecutive ties of a chain)": """
        INSERT { GRAPH <{inferred}> { ?t1 dw:followedBy ?t2 } }
        WHERE { GRAPH ?g { ?c dw:hasTie ?t1, ?t2 . ?t1 dw:supplier ?x . ?t2 dw:orderer ?x . FILTER(?t1 != ?t2) } }""",
    "skos:broaderTransitive": """
        INSERT { GRAPH <{inferred}> { ?a skos:broaderTransitive ?b } }
        WHERE { GRAPH <{ontology}> { ?a skos:broader+ ?b } }""",
    "upstreamOf (one step: consecutive ties of a chain)": """
        INSERT { GRAPH <{inferred}> { ?t1 dw:upstreamOf ?t2 } }
        WHERE { GRAPH <{inferred}> { ?t1 dw:followedBy ?t2 } }""",
    "upstreamOf (transitive closure)": """
        INSERT { GRAPH <{inferred}> { ?t1 dw:upstreamOf ?t2 } }
        WHERE { GRAPH <{inferred}> { ?t1 dw:upstreamOf+ ?t2 } }""",
    "endWorker (workers at the end of a chain)": """
        INSERT { GRAPH <{inferred}> { ?c dw:endWorker ?w } }
        WHERE {
          GRAPH ?g1 { ?c dw:hasTie ?t } GRAPH ?g2 { ?t dw:supplier ?w }
          VALUES ?kind { dw:Worker dw:WorkerGroup }
          GRAPH ?g3 { ?w a ?kind }
          FILTER NOT EXISTS { GRAPH ?g4 { ?c dw:hasTie ?t2 } GRAPH ?g5 { ?t2 dw:orderer ?w } }
        }""",
    "chainParty (the parties of a chain's ties)": """
        INSERT { GRAPH <{inferred}> { ?c dw:chainParty ?p } }
        WHERE { GRAPH ?g { ?c dw:hasTie ?t . ?t dw:orderer|dw:supplier ?p } }""",
    "chainIntermediary (named parties but the lead and the end workers)": """
        INSERT { GRAPH <{inferred}> { ?c dw:chainIntermediary ?p } }
        WHERE {
          GRAPH <{inferred}> { ?c dw:chainParty ?p }
          MINUS { GRAPH ?g1 { ?c dw:leadFirm ?p } }
          MINUS { GRAPH <{inferred}> { ?c dw:endWorker ?p } }
          MINUS { GRAPH ?g2 { ?p a dw:UnknownParty } }
        }""",
    "inForceYear (the year a classification applies to)": """
        INSERT { GRAPH <{inferred}> { ?a dw:inForceYear ?year } }
        WHERE { GRAPH ?g { ?a dw:gniDataYear|dw:sideGniDataYear ?gni } BIND(?gni + 1 AS ?year) }""",
    "stepDepth (links from the lead down to a step)": """
        INSERT { GRAPH <{inferred}> { ?s dw:stepDepth ?depth } }
        WHERE {
          SELECT ?s (COUNT(DISTINCT ?a) + 1 AS ?depth) WHERE {
            GRAPH ?g1 { ?c dw:hasStep ?s } GRAPH ?g2 { ?s dw:stepTie ?t }
            OPTIONAL { GRAPH <{inferred}> { ?a dw:upstreamOf ?t } GRAPH ?g3 { ?c dw:hasTie ?a } FILTER(?a != ?t) }
          }
          GROUP BY ?s
        }""",
    "taskParty (the organisations a task is bought through)": """
        INSERT { GRAPH <{inferred}> { ?task dw:taskParty ?org } }
        WHERE {
          { GRAPH ?g { ?task dw:onPlatform ?org } }
          UNION
          { GRAPH ?g1 { ?tie dw:forTask ?task } GRAPH ?g2 { ?tie dw:orderer|dw:supplier|dw:via ?org } }
        }""",
    "tierCount (a chain's deepest step)": """
        INSERT { GRAPH <{inferred}> { ?c dw:tierCount ?tiers } }
        WHERE {
          SELECT ?c (MAX(?depth) AS ?tiers) WHERE { GRAPH ?g { ?c dw:hasStep ?s } GRAPH <{inferred}> { ?s dw:stepDepth ?depth } }
          GROUP BY ?c
        }""",
    "taskForm (the organisational forms a task is bought through)": """
        INSERT { GRAPH <{inferred}> { ?task dw:taskForm ?form } }
        WHERE { GRAPH <{inferred}> { ?task dw:taskParty ?org } GRAPH ?g { ?org dw:organisationalForm ?form } }""",
    "functionFamily (a task's function, or its broader function)": """
        INSERT { GRAPH <{inferred}> { ?task dw:functionFamily ?family } }
        WHERE {
          GRAPH ?g1 { ?task dw:taskFunction ?fn }
          OPTIONAL { GRAPH ?g2 { ?fn skos:broader ?broader } FILTER(STRSTARTS(STR(?broader), STR(dw:fn-))) }
          BIND(COALESCE(?broader, ?fn) AS ?family)
        }""",
    "endClientPrice (the lead's price on the first link)": """
        INSERT { GRAPH <{inferred}> { ?c dw:endClientPrice ?pay } }
        WHERE {
          GRAPH ?g1 { ?pay dw:alongTie ?t ; dw:remunerationKind ?k } VALUES ?k { dw:paykind-price dw:paykind-pay }
          GRAPH ?g2 { ?s dw:stepTie ?t ; dw:stepIndex 1 } GRAPH ?g3 { ?c dw:hasStep ?s } GRAPH ?g4 { ?t dw:orderer ?lead }
          FILTER EXISTS { GRAPH ?g5 { ?c dw:leadFirm ?lead } }
        }""",
    "minPaidUnitsPerHour (pay units one hour of work makes, at least)":
        _paid_units_per_hour("dw:minPaidUnitsPerHour", "?hpu_max", "?hpu_min"),
    "maxPaidUnitsPerHour (pay units one hour of work makes, at most)":
        _paid_units_per_hour("dw:maxPaidUnitsPerHour", "?hpu_min", "?hpu_max"),
    "chainBasedIn (the countries a chain's parties are based in)": """
        INSERT { GRAPH <{inferred}> { ?c dw:chainBasedIn ?country } }
        WHERE { GRAPH <{inferred}> { ?c dw:chainParty ?p } GRAPH ?g { ?p dw:basedIn ?country } }""",
    "lowIncomeInYear (a country's low income years)": _income_in_year("dw:lowIncomeInYear", "dw:income-L"),
    "lowerMiddleIncomeInYear (a country's lower-middle income years)":
        _income_in_year("dw:lowerMiddleIncomeInYear", "dw:income-LM"),
    "upperMiddleIncomeInYear (a country's upper-middle income years)":
        _income_in_year("dw:upperMiddleIncomeInYear", "dw:income-UM"),
    "highIncomeInYear (a country's high income years)": _income_in_year("dw:highIncomeInYear", "dw:income-H"),
    "payeeBasedIn (the countries a pay item's payee is based in)": """
        INSERT { GRAPH <{inferred}> { ?pay dw:payeeBasedIn ?place } }
        WHERE { GRAPH ?g1 { ?pay dw:payee ?payee } GRAPH ?g2 { ?payee dw:basedIn ?place } }""",
    "chainForm (the organisational forms of a chain's parties)": """
        INSERT { GRAPH <{inferred}> { ?c dw:chainForm ?form } }
        WHERE { GRAPH <{inferred}> { ?c dw:chainParty ?p } GRAPH ?g { ?p dw:organisationalForm ?form } }""",
    "lastStep (the steps that reach a chain's end workers)": """
        INSERT { GRAPH <{inferred}> { ?c dw:lastStep ?s } }
        WHERE {
          GRAPH <{inferred}> { ?c dw:endWorker ?w }
          GRAPH ?g1 { ?c dw:hasStep ?s } GRAPH ?g2 { ?s dw:stepTie ?t } GRAPH ?g3 { ?t dw:supplier ?w }
        }""",
    "chainFlow (the flow kinds of a chain's ties)": """
        INSERT { GRAPH <{inferred}> { ?c dw:chainFlow ?flow } }
        WHERE { GRAPH ?g1 { ?c dw:hasTie ?t } GRAPH ?g2 { ?t dw:flowKind ?flow } }""",
    "chainPattern (the value-chain patterns a chain shows, itself or in its ties)": """
        INSERT { GRAPH <{inferred}> { ?c dw:chainPattern ?p } }
        WHERE {
          GRAPH ?g0 { ?c a dw:Chain }
          { GRAPH ?g1 { ?c dw:valueChainPattern ?p } }
          UNION
          { GRAPH ?g2 { ?c dw:hasTie ?t } GRAPH ?g3 { ?t dw:valueChainPattern ?p } }
        }""",
    "lowAmount (the lowest sum a pay item states or implies)": _pay_bound("dw:lowAmount", "dw:minAmount"),
    "highAmount (the highest sum a pay item states or implies)": _pay_bound("dw:highAmount", "dw:maxAmount"),
    "payingSideForm (the organisational form a pay item is paid through)": """
        INSERT { GRAPH <{inferred}> { ?pay dw:payingSideForm ?form } }
        WHERE {
          { GRAPH ?g1 { ?pay dw:payer ?payer } GRAPH ?g2 { ?payer dw:organisationalForm ?form } }
          UNION
          { GRAPH ?g3 { ?pay dw:alongTie ?tie } GRAPH ?g4 { ?tie dw:via ?platform }
            MINUS { GRAPH ?g6 { ?pay dw:payer ?p } GRAPH ?g7 { ?p dw:organisationalForm ?f } }
            GRAPH ?g5 { ?platform dw:organisationalForm ?form } }
        }""",
    "tieFunction (the function family of the task a work tie carries)": """
        INSERT { GRAPH <{inferred}> { ?tie dw:tieFunction ?family } }
        WHERE {
          GRAPH ?g1 { ?tie dw:flowKind dw:flow-work } GRAPH ?g2 { ?tie dw:forTask ?task }
          GRAPH <{inferred}> { ?task dw:functionFamily ?family }
        }""",
    "onwardTie (the ties a pay item's payee passes the work on along)": """
        INSERT { GRAPH <{inferred}> { ?pay dw:onwardTie ?next } }
        WHERE { GRAPH ?g { ?pay dw:alongTie ?t } GRAPH <{inferred}> { ?t dw:followedBy ?next } }""",
}

_TEMPLATE = re.compile(r"INSERT \{ GRAPH <\{inferred\}> \{ (.*?) \} \}", re.DOTALL)
_NS = {"dw": "https://w3id.org/datawork/ontology#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
       "skos": "http://www.w3.org/2004/02/skos/core#"}
PREFIXES = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in _NS.items())


def rule_predicate(name: str) -> str:
    """The IRI of the predicate that rule ``name`` writes (every rule writes one predicate)."""
    pred = _TEMPLATE.search(RULES[name]).group(1).split()[1]
    if pred == "a":
        return RDF_TYPE
    prefix, local = pred.split(":", 1)
    return _NS[prefix] + local


def materialise(store: ox.Store, *, ontology_graph: str, inferred_graph: str, progress=None,
                skip: "tuple[str, ...] | set[str]" = (), default_graph_too: bool = False) -> dict[str, int]:
    """Run every rule (but those named in ``skip``: the build writes the subclass closure and the display
    names itself, from the loaded text, see ``build``); return how many triples each added.

    With ``default_graph_too``, each rule writes what it infers into the default graph as well (the
    build keeps the default graph the union of the named graphs): one insert of the rule's own
    output, instead of copying the whole inferred graph afterwards and checking every triple of it.
    What a rule added is counted on its own predicate (a range of one index), not over the whole
    inferred graph.
    """
    counts: dict[str, int] = {}
    for name, rule in RULES.items():
        if name in skip:
            continue
        pred = rule_predicate(name)
        before = _count(store, inferred_graph, pred)
        if default_graph_too:
            rule = _TEMPLATE.sub(lambda m: f"INSERT {{ GRAPH <{{inferred}}> {{ {m.group(1)} }} {m.group(1)} }}", rule, count=1)
        store.update(PREFIXES + rule.replace("{inferred}", inferred_graph).replace("{ontology}", ontology_graph))
        counts[name] = _count(store, inferred_graph, pred) - before
        if progress:
            progress(name, counts[name])
    return counts


def rules_text(store: ox.Store, inferred_graph: str, skip: "tuple[str, ...] | set[str]" = ()) -> str:
    """N-Triples of what the rules (but those in ``skip``) wrote into ``inferred_graph``: one CONSTRUCT
    per predicate (several times faster than dumping the whole graph, whose closure and names the
    build has as text already)."""
    parts = []
    for pred in dict.fromkeys(rule_predicate(n) for n in RULES if n not in skip):
        res = store.query(f"CONSTRUCT {{ ?s <{pred}> ?o }} WHERE {{ GRAPH <{inferred_graph}> {{ ?s <{pred}> ?o }} }}")
        parts.append(res.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
    return "".join(parts)


def _count(store: ox.Store, graph: str, predicate: str) -> int:
    res = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s <{predicate}> ?o }} }}")
    return int(next(iter(res))["n"].value)


__all__ = ["materialise", "RULES", "rule_predicate", "rules_text"]
