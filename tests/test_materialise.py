"""Materialised helper facts stay linear in the data: dw:upstreamOf follows chains, not shared organisations."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from benchmarks.generate import generate
from datawork_kg.build import build

DW = "PREFIX dw: <https://w3id.org/datawork/ontology#>\n"


def test_upstream_of_follows_chains_not_shared_platforms(tmp_path):
    paths = generate("40k", tmp_path / "ev", seed=3)
    res = build(paths, home=tmp_path / "h", reason=False, dumps=False)
    store = ox.Store.read_only(str(res.release / "store"))

    def ask(q: str) -> bool:
        return bool(store.query(DW + q))

    # the synthetic case files share platforms: a tie of one file ends where a tie of another starts ...
    assert ask("""ASK { GRAPH ?g1 { ?t1 dw:supplier ?x } GRAPH ?g2 { ?t2 dw:orderer ?x } FILTER(?g1 != ?g2) }""")
    # ... but upstreamOf never crosses files, and holds exactly along followedBy paths
    assert not ask("""ASK { ?t1 dw:upstreamOf ?t2 . GRAPH ?g1 { ?t1 a dw:Tie } GRAPH ?g2 { ?t2 a dw:Tie }
                           FILTER(?g1 != ?g2) }""")
    n_up = int(next(iter(store.query(DW + "SELECT (COUNT(*) AS ?n) WHERE { ?a dw:upstreamOf ?b }")))["n"].value)
    n_path = int(next(iter(store.query(DW + "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b "
                                             "WHERE { ?a dw:followedBy+ ?b } }")))["n"].value)
    assert n_up == n_path > 0
    # every step's depth is 1 + the chain's ties above it
    assert not ask("""ASK { ?c dw:hasStep ?s . ?s dw:stepTie ?t ; dw:stepDepth ?d .
                           { SELECT ?c ?t (COUNT(DISTINCT ?a) AS ?n) WHERE { ?c dw:hasStep/dw:stepTie ?t .
                             OPTIONAL { ?c dw:hasTie ?a . ?a dw:followedBy+ ?t FILTER(?a != ?t) } } GROUP BY ?c ?t }
                           FILTER(?d != ?n + 1) }""")
    del store


def test_pay_items_get_the_ties_parties_only_where_the_case_file_names_none(store):
    """dw:payer / dw:payee default to the orderer / supplier of the tie a sum flows along; a stated
    party is never overridden (both properties stay functional), and nothing else gets one
    (on the bundled evidence, where some pay items name only their tie)."""

    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    # the case files state the parties of most pay items along ties and leave a few to the tie
    assert count("GRAPH ?g { ?pay dw:alongTie ?t ; dw:payer ?x } FILTER(?g != <https://w3id.org/datawork/id/graph/inferred>)") > 0
    listed = "dw:remunerationKind dw:paykind-listed-price"
    for prop, end in (("payer", "orderer"), ("payee", "supplier")):
        # every pay item along a tie (but a listed price) has exactly one party on each side ...
        assert count(f"?pay dw:alongTie ?t . FILTER NOT EXISTS {{ ?pay dw:{prop} ?x }} "
                     f"FILTER NOT EXISTS {{ ?pay {listed} }}") == 0
        assert count(f"?pay dw:{prop} ?a, ?b . FILTER(?a != ?b)") == 0
        # ... the inferred one is the tie's end, and only where no graph states one
        assert count(f"""GRAPH <https://w3id.org/datawork/id/graph/inferred> {{ ?pay dw:{prop} ?x }}
                         ?pay dw:alongTie/dw:{end} ?y . FILTER(?x != ?y)""") == 0
        assert count(f"""GRAPH <https://w3id.org/datawork/id/graph/inferred> {{ ?pay dw:{prop} ?x }}
                         GRAPH ?g {{ ?pay dw:{prop} ?x }} FILTER(?g != <https://w3id.org/datawork/id/graph/inferred>)""") == 0
        assert count(f"GRAPH <https://w3id.org/datawork/id/graph/inferred> {{ ?pay dw:{prop} ?x }}") > 0
        # a listed (suggested) price was paid to nobody: it gets no inferred party
        # (olm-southeast-asia's p-seo-listed, the $50 the SEO client listed, used to get the winning contractor)
        assert count(f"GRAPH <https://w3id.org/datawork/id/graph/inferred> {{ ?pay dw:{prop} ?x }} ?pay {listed} .") == 0
        assert count(f"?pay {listed} ; dw:alongTie ?t .") > 0
        # pay items along no tie get no inferred party
        assert count(f"""GRAPH <https://w3id.org/datawork/id/graph/inferred> {{ ?pay dw:{prop} ?x }}
                         FILTER NOT EXISTS {{ ?pay dw:alongTie ?t }}""") == 0


def test_every_materialised_property_equals_its_rule_in_the_ontology(store):
    """The ontology gives each property the build materialises for the queries its defining rule, a
    SPARQL CONSTRUCT (dw:materialisationRule); run over the built graph, it gives exactly the triples of
    that property the graph holds."""
    prefixes = ("PREFIX dw: <https://w3id.org/datawork/ontology#>\n"
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
    rules = {s["p"].value: s["rule"].value for s in store.query(prefixes + "SELECT ?p ?rule WHERE { ?p dw:materialisationRule ?rule }")}
    dw = "https://w3id.org/datawork/ontology#"
    assert {dw + "displayName", dw + "chainParty", dw + "chainIntermediary", dw + "inForceYear"} <= set(rules)
    for prop, rule in rules.items():
        by_rule = {(t.subject, t.predicate, t.object) for t in store.query(prefixes + rule)}
        stored = {(q.subject, q.predicate, q.object)
                  for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, ox.DefaultGraph())}
        assert by_rule, f"{prop}: its rule gives nothing on the bundled evidence"
        assert {t[1].value for t in by_rule} == {prop}, f"{prop}: its rule constructs another property"
        assert stored == by_rule, f"{prop}: {len(stored - by_rule)} stored triples not given by the rule, {len(by_rule - stored)} missing"


def test_task_parties_and_chain_tiers_on_the_bundled_evidence(store):
    """dw:taskParty links a task to its platform and to the orderer, supplier and dw:via platform of
    every tie that carries it (and nothing else); dw:tierCount is a chain's deepest step."""

    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    # each way in occurs on the bundled evidence ...
    assert count("?task dw:onPlatform ?p ; dw:taskParty ?p") > 0
    for end in ("orderer", "supplier", "via"):
        assert count(f"?tie dw:forTask ?task ; dw:{end} ?p . ?task dw:taskParty ?p") > 0
    # ... and a task party is always one of them: never a party of another task's ties only
    assert count("""?task dw:taskParty ?p .
                    FILTER NOT EXISTS { ?task dw:onPlatform ?p }
                    FILTER NOT EXISTS { ?tie dw:forTask ?task ; dw:orderer|dw:supplier|dw:via ?p }""") == 0
    # a chain's tiers: a step that deep exists, and none deeper
    assert count("?c dw:tierCount ?n") == count("SELECT DISTINCT ?c WHERE { ?c dw:hasStep ?s }") > 0
    assert count("?c dw:tierCount ?n . FILTER NOT EXISTS { ?c dw:hasStep/dw:stepDepth ?n }") == 0
    assert count("?c dw:tierCount ?n ; dw:hasStep/dw:stepDepth ?d . FILTER(?d > ?n)") == 0
    assert count("?c dw:tierCount ?n . FILTER(?n > 1)") > 0
    # a chain's countries: where its parties are based, not where they only operate
    assert count("?c dw:chainBasedIn ?country") > 0
    assert count("?c dw:chainBasedIn ?country . FILTER NOT EXISTS { ?c dw:hasTie/(dw:orderer|dw:supplier)/dw:basedIn ?country }") == 0
    assert count("""?c dw:hasTie/(dw:orderer|dw:supplier) ?p . ?p dw:operatesIn ?country .
                    FILTER NOT EXISTS { ?c dw:chainBasedIn ?country }""") > 0
    # a chain's forms: those of its parties, and only those
    assert count("?c dw:chainForm dw:form-deep-labour") > 0
    assert count("?c dw:chainForm ?f . FILTER NOT EXISTS { ?c dw:hasTie/(dw:orderer|dw:supplier)/dw:organisationalForm ?f }") == 0
    # a chain's last steps supply its end workers; every chain with end workers and steps has one
    assert count("?c dw:lastStep ?s . FILTER NOT EXISTS { ?c dw:hasStep ?s }") == 0
    assert count("?c dw:lastStep ?s . ?s dw:stepTie/dw:supplier ?w . FILTER NOT EXISTS { ?c dw:endWorker ?w }") == 0
    assert count("""?c dw:endWorker ?w ; dw:hasStep ?s . ?s dw:stepTie/dw:supplier ?w .
                    FILTER NOT EXISTS { ?c dw:lastStep ?s }""") == 0
    assert count("?c dw:lastStep ?s") > 0
    # a chain's flows: those of its ties; work everywhere, payment in the chains that carry money
    assert count("?c dw:chainFlow ?k . FILTER NOT EXISTS { ?c dw:hasTie/dw:flowKind ?k }") == 0
    assert count("?c dw:hasTie/dw:flowKind ?k . FILTER NOT EXISTS { ?c dw:chainFlow ?k }") == 0
    assert 0 < count("?c dw:chainFlow dw:flow-payment") < count("?c dw:chainFlow dw:flow-work")
    # a chain's patterns: its own and its ties', on chains only
    assert count("?c dw:chainPattern ?p . FILTER NOT EXISTS { ?c a dw:Chain }") == 0
    assert count("?c dw:chainPattern ?p . FILTER NOT EXISTS { ?c dw:valueChainPattern|dw:hasTie/dw:valueChainPattern ?p }") == 0
    assert count("?c dw:hasTie/dw:valueChainPattern ?p . FILTER NOT EXISTS { ?c dw:chainPattern ?p }") == 0
    assert count("?c dw:hasTie/dw:valueChainPattern ?p . FILTER NOT EXISTS { ?c dw:valueChainPattern ?p }") > 0


def test_task_forms_and_function_families_on_the_bundled_evidence(store):
    """dw:taskForm is the organisational form of a task party; dw:functionFamily puts data generation and
    annotation under AI preparation and keeps a function without a broader AI function as it is."""

    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    assert count("?task dw:taskForm ?f") > 0
    assert count("?task dw:taskForm ?f . FILTER NOT EXISTS { ?task dw:taskParty/dw:organisationalForm ?f }") == 0
    assert count("?task dw:taskParty/dw:organisationalForm ?f . FILTER NOT EXISTS { ?task dw:taskForm ?f }") == 0
    # annotation and generation tasks are AI preparation; verification and impersonation stay themselves
    for fn, family in (("data-annotation", "ai-preparation"), ("data-generation", "ai-preparation"),
                       ("ai-verification", "ai-verification"), ("ai-impersonation", "ai-impersonation")):
        assert count(f"?task dw:taskFunction dw:fn-{fn}") > 0, fn
        assert count(f"?task dw:taskFunction dw:fn-{fn} . FILTER NOT EXISTS {{ ?task dw:functionFamily dw:fn-{family} }}") == 0, fn
    # every task with a function has a family, and no more families than functions
    assert count("?task dw:taskFunction ?fn . FILTER NOT EXISTS { ?task dw:functionFamily ?family }") == 0
    assert 0 < count("?task dw:functionFamily ?family") <= count("?task dw:taskFunction ?fn")
def test_end_client_price_is_what_the_lead_pays_on_the_first_link(store):
    """dw:endClientPrice links a chain to the price or pay its lead firm pays along the tie of step 1,
    not to a listed (suggested) price nor to what is paid further down (on the bundled evidence: the
    reintermediated SEO job's $75, not the $50 the client listed nor Dalale's $7.50)."""
    chain = "<https://w3id.org/datawork/id/chain/olm-southeast-asia-c-dalale-reint>"
    rows = {(r["pay"].value.rsplit("/", 1)[1], r["amount"].value) for r in store.query(
        DW + f"SELECT ?pay ?amount WHERE {{ {chain} dw:endClientPrice ?pay . ?pay dw:amount ?amount }}")}
    assert rows == {("olm-southeast-asia-p-seo-price", "75")}
    # every one is paid by the chain's lead along its first step's tie
    assert not list(store.query(DW + """SELECT * WHERE { ?c dw:endClientPrice ?pay .
        FILTER NOT EXISTS { ?c dw:hasStep ?s ; dw:leadFirm ?lead . ?s dw:stepIndex 1 ; dw:stepTie ?t .
                            ?pay dw:alongTie ?t ; dw:payer ?lead } }"""))


def test_paid_units_per_hour_where_the_paper_gives_the_time(store):
    """dw:minPaidUnitsPerHour / dw:maxPaidUnitsPerHour: how many of a pay item's units an hour of work
    makes, only where the paper gives the time (on the bundled evidence: Sheila's audio hour takes 8 to
    14 working hours, Nina and Vivienne write three posts an hour, Amy works 28 hours a week for a
    monthly pay, Duong is paid by the hour)."""
    rows = {r["pay"].value.rsplit("/", 1)[1]: (float(r["low"].value), float(r["high"].value)) for r in store.query(
        DW + "SELECT ?pay ?low ?high WHERE { ?pay dw:minPaidUnitsPerHour ?low ; dw:maxPaidUnitsPerHour ?high }")}
    assert rows["olm-southeast-asia-p-sheila-rate"] == pytest.approx((1 / 14, 1 / 8))
    assert rows["olm-southeast-asia-p-nv-post"] == (3, 3)
    assert rows["olm-southeast-asia-p-amy-etsy-usd"] == pytest.approx((12 / (28 * 52),) * 2)
    assert rows["olm-southeast-asia-p-duong-hourly"] == (1, 1)
    # a pay per unit with no time given has none (the reintermediated SEO job's $75)
    assert "olm-southeast-asia-p-seo-price" not in rows


def test_income_group_years_restate_the_world_bank_assignments(store):
    """dw:highIncomeInYear and its siblings give each country the years its assignments place it in the
    group (the dw:inForceYear of the assignment): Venezuela, high income in FY16 only (2014 data, in
    force for 2015), upper-middle income in FY17-FY21 (2016-2020), unclassified from FY22, has one group a
    year and none from 2021."""
    prefix = "PREFIX dw: <https://w3id.org/datawork/ontology#>\n"
    ve = "<https://w3id.org/datawork/id/country/VE>"

    def years(prop):
        return {int(s["y"].value) for s in store.query(prefix + f"SELECT ?y WHERE {{ {ve} dw:{prop} ?y }}")}

    props = ("lowIncomeInYear", "lowerMiddleIncomeInYear", "upperMiddleIncomeInYear", "highIncomeInYear")
    high, upper = years("highIncomeInYear"), years("upperMiddleIncomeInYear")
    assert 2015 in high and 2014 not in high and 2016 not in high
    assert set(range(2016, 2021)) <= upper and 2015 not in upper
    assert not any(y >= 2021 for p in props for y in years(p))
    every = [y for p in props for y in years(p)]
    assert len(every) == len(set(every)), "a year with two groups"
    # the same as reading the assignment in force that year
    for year in (2015, 2018):
        group = next(iter(store.query(prefix + f"""SELECT ?g WHERE {{ ?a dw:classifiedCountry {ve} ;
                          dw:inForceYear {year} ; dw:incomeGroup ?g }}""")))["g"].value
        prop = {"H": "highIncomeInYear", "UM": "upperMiddleIncomeInYear"}[group.rsplit("-", 1)[1]]
        assert year in years(prop)
def test_payee_based_in_is_where_the_pay_items_payee_is_based(store):
    """dw:payeeBasedIn is the dw:basedIn country of a pay item's dw:payee, stated or taken from the tie
    (on the bundled evidence, among others, Venezuelan captcha pay)."""

    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    assert count("?pay dw:payeeBasedIn/dw:isoAlpha2 'VE'") > 0
    assert count("?pay dw:payeeBasedIn ?c . FILTER NOT EXISTS { ?pay dw:payee/dw:basedIn ?c }") == 0
    assert count("?pay dw:payee/dw:basedIn ?c . FILTER NOT EXISTS { ?pay dw:payeeBasedIn ?c }") == 0
    # some of them come through a payee the build takes from the tie
    assert count("""GRAPH <https://w3id.org/datawork/id/graph/inferred> { ?pay dw:payee ?p }
                    ?pay dw:payeeBasedIn ?c""") > 0


def test_low_and_high_amounts_are_the_stated_or_implied_bounds_of_a_pay_item(store):
    """dw:lowAmount / dw:highAmount: a range's ends, a single amount twice, or a ratio of another pay
    item times that item's bounds (on the bundled evidence: Sheila's usual online month USD 250-300,
    Amy's PHP 25,000 a month online, her local BPO salary half of it, Sheila's BPO salary twice her
    usual month, Amy's two BPO salaries stated only relative to each other, so with no bounds)."""
    rows = {}
    for r in store.query(DW + """SELECT ?pay ?low ?high WHERE {
            ?pay a dw:Remuneration OPTIONAL { ?pay dw:lowAmount ?low } OPTIONAL { ?pay dw:highAmount ?high } }"""):
        rows[r["pay"].value.rsplit("/", 1)[1]] = tuple(None if r[v] is None else float(r[v].value) for v in ("low", "high"))
    assert rows["olm-southeast-asia-p-sheila-usual-month"] == (250, 300)
    assert rows["olm-southeast-asia-p-amy-etsy-php"] == (25000, 25000)
    assert rows["olm-southeast-asia-p-amy-local-bpo-salary"] == (12500, 12500)
    assert rows["olm-southeast-asia-p-sheila-bpo-salary"] == (500, 600)
    assert rows["olm-southeast-asia-p-amy-intl-bpo-salary"] == (None, None)
    # every pay item with a stated amount or range has the bounds it states, and no other
    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    assert count("?pay dw:minAmount ?m ; dw:lowAmount ?l FILTER(?l != ?m)") == 0
    assert count("?pay dw:maxAmount ?m ; dw:highAmount ?h FILTER(?h != ?m)") == 0
    assert count("?pay dw:amount ?a FILTER NOT EXISTS { ?pay dw:lowAmount ?a ; dw:highAmount ?a }") == 0
    assert count("?pay dw:lowAmount ?l ; dw:highAmount ?h FILTER(?l > ?h)") == 0
    assert count("?pay dw:lowAmount ?l1, ?l2 FILTER(?l1 != ?l2)") == 0


def test_paying_side_form_is_the_payers_form_else_the_platforms(store):
    """dw:payingSideForm: the forms of a pay item's payer where it has one, else those of the platform its
    tie runs via (on the bundled evidence: Amy's BPO salaries are paid through a BPO; the SEO job's price
    and Dalale's pay, whose payers state no form, through the marketplace the tie runs via)."""

    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    def forms(slug: str) -> set[str]:
        return {r["f"].value.rsplit("#", 1)[1] for r in store.query(
            DW + f"SELECT ?f WHERE {{ <https://w3id.org/datawork/id/pay/{slug}> dw:payingSideForm ?f }}")}

    assert forms("olm-southeast-asia-p-amy-local-bpo-salary") == {"form-bpo"}
    assert forms("olm-southeast-asia-p-seo-dalale-pay") == {"form-marketplace"}
    # a payer with a form gives exactly its forms ...
    assert count("?pay dw:payer/dw:organisationalForm ?f FILTER NOT EXISTS { ?pay dw:payingSideForm ?f }") == 0
    assert count("""?pay dw:payingSideForm ?f ; dw:payer/dw:organisationalForm ?pf
                    FILTER NOT EXISTS { ?pay dw:payer/dw:organisationalForm ?f }""") == 0
    # ... else the platform's, which some pay items get
    assert count("""?pay dw:alongTie/dw:via/dw:organisationalForm ?f
                    FILTER NOT EXISTS { ?pay dw:payer/dw:organisationalForm ?pf }
                    FILTER NOT EXISTS { ?pay dw:payingSideForm ?f }""") == 0
    assert count("""?pay dw:payingSideForm ?f FILTER NOT EXISTS { ?pay dw:payer/dw:organisationalForm ?pf }
                    FILTER NOT EXISTS { ?pay dw:alongTie/dw:via/dw:organisationalForm ?f }""") == 0
    assert count("?pay dw:payingSideForm ?f FILTER NOT EXISTS { ?pay dw:payer/dw:organisationalForm ?pf }") > 0


def test_tie_function_is_the_function_family_of_the_task_a_work_tie_carries(store):
    """dw:tieFunction: every work tie for a task with a function family has that family, and nothing else
    has one (payment ties carry money, not work: on the bundled evidence some of them name a task)."""

    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    assert count("?tie dw:tieFunction ?family") > 0
    assert count("""?tie dw:flowKind dw:flow-work ; dw:forTask/dw:functionFamily ?family .
                    FILTER NOT EXISTS { ?tie dw:tieFunction ?family }""") == 0
    assert count("""?tie dw:tieFunction ?family .
                    FILTER NOT EXISTS { ?tie dw:flowKind dw:flow-work ; dw:forTask/dw:functionFamily ?family }""") == 0
    # verification is its own family, annotation falls under AI preparation
    assert count("?tie dw:tieFunction dw:fn-ai-verification") > 0
    assert count("?tie dw:forTask/dw:taskFunction dw:fn-data-annotation ; dw:flowKind dw:flow-work "
                 "FILTER NOT EXISTS { ?tie dw:tieFunction dw:fn-ai-preparation }") == 0
    assert count("?tie dw:flowKind dw:flow-payment ; dw:tieFunction ?family") == 0


def test_onward_tie_is_the_tie_a_pay_items_payee_passes_the_work_on_along(store):
    """dw:onwardTie: the ties that follow the tie a pay item is paid along (on the bundled evidence:
    Sheila's $30 an audio hour, passed on to her subcontractors; the SEO job's $75, passed on to Dalale)."""

    def count(q: str) -> int:
        return int(next(iter(store.query(DW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {q} }}")))["n"].value)

    pay, tie = "<https://w3id.org/datawork/id/pay/olm-southeast-asia-p-", "<https://w3id.org/datawork/id/tie/olm-southeast-asia-t-"
    assert count(f"{pay}sheila-rate> dw:onwardTie {tie}sheila-to-subs>") == 1
    assert count(f"{pay}seo-price> dw:onwardTie {tie}reint-to-dalale>") == 1
    # Dalale's own pay goes to whoever does the work: the chain ends there
    assert count(f"{pay}seo-dalale-pay> dw:onwardTie ?t") == 0
    assert count("?pay dw:onwardTie ?t FILTER NOT EXISTS { ?pay dw:alongTie/dw:followedBy ?t }") == 0
    assert count("?pay dw:alongTie/dw:followedBy ?t FILTER NOT EXISTS { ?pay dw:onwardTie ?t }") == 0
