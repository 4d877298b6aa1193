"""Loaders: the bundled case files load, deterministically, with provenance; bad files are refused."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from datawork_kg.errors import InputError
from datawork_kg.iris import IRIs
from datawork_kg.loaders import load_file, load_paths
from datawork_kg.namespace import DW

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "evidence").glob("*.yaml"))
LEE = ROOT / "evidence" / "lee-neoliberal-infrastructure.yaml"
IRI_RE = re.compile(r"^https://w3id\.org/datawork/id/[a-z-]+/[A-Za-z0-9-]+$")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_case_file_loads_with_provenance(path):
    lg = load_file(path)
    g = lg.graph
    assert len(g) > 100
    assert lg.graph_iri == URIRef(f"https://w3id.org/datawork/id/graph/{lg.study}")
    study = URIRef(f"https://w3id.org/datawork/id/study/{lg.study}")
    assert (study, RDF.type, DW.Study) in g
    # every item carries its study and at least one section of the paper
    items = set(g.subjects(DW.fromStudy, None))
    assert items, "no items"
    missing = [s for s in items if (s, DW.reportedIn, None) not in g and (s, RDF.type, DW.UnknownParty) not in g]
    assert missing == []
    for s in items:
        for sec in g.objects(s, DW.reportedIn):
            assert (sec, RDF.type, DW.Section) in g, f"{sec} is not a declared section"
    # data IRIs are deterministic, extension-free slugs under the base
    for s in set(g.subjects()):
        if isinstance(s, URIRef) and str(s).startswith("https://w3id.org/datawork/id/"):
            assert IRI_RE.match(str(s)), s


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_loading_twice_gives_the_same_graph(path):
    a, b = load_file(path).graph, load_file(path).graph
    assert isomorphic(a, b)
    assert sorted(a.serialize(format="nt").splitlines()) == sorted(b.serialize(format="nt").splitlines())


def test_base_is_configurable():
    lg = load_file(LEE, IRIs("https://example.org/kg/"))
    subjects = {str(s) for s in lg.graph.subjects() if isinstance(s, URIRef)}
    assert "https://example.org/kg/study/lee-abstract" in subjects
    assert not any(s.startswith("https://w3id.org/datawork/id/") for s in subjects)


def test_shared_organisation_is_one_node_across_studies():
    loaded = load_paths(CASES)
    amt = URIRef("https://w3id.org/datawork/id/organisation/amazon-mechanical-turk")
    studies = [lg.study for lg in loaded if (amt, RDF.type, None) in lg.graph]
    assert len(studies) >= 3, studies


def test_unknown_party_is_kept_explicit():
    """Tubaro et al. §France: who hired the Italian day-to-day manager is not stated."""
    lg = load_file(ROOT / "evidence" / "tubaro-2025.yaml")
    unknown = set(lg.graph.subjects(RDF.type, DW.UnknownParty))
    assert unknown, "the unknown orderer of a tie must be a node, not dropped"
    ties = {t for u in unknown for t in lg.graph.subjects(DW.orderer, u)}
    assert ties


def _broken(tmp_path: Path, old: str, new: str, src: Path = LEE) -> Path:
    text = src.read_text(encoding="utf-8")
    assert old in text, old
    dst = tmp_path / "case.yaml"
    dst.write_text(text.replace(old, new, 1), encoding="utf-8")
    return dst


def _problem(path: Path):
    with pytest.raises(InputError) as exc:
        load_file(path)
    return exc.value.problems


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_unknown_field_names_line_and_suggests(tmp_path):
    p = _broken(tmp_path, "    embeddedness: arms-length\n    direction: vertical\n    form: platform-terms\n    tasks:",
                "    embedednes: arms-length\n    direction: vertical\n    form: platform-terms\n    tasks:")
    [prob] = _problem(p)
    assert prob.line == _line_of(p, "embedednes:")
    assert prob.field == "ties[0].embedednes"
    assert "unknown field" in prob.message and "embeddedness" in prob.hint


def test_reference_to_nothing(tmp_path):
    p = _broken(tmp_path, "    to: global-precariat", "    to: global-precariats")
    [prob] = _problem(p)
    assert prob.field == "ties[1].to" and prob.line == _line_of(p, "to: global-precariats")
    assert "reference to nothing" in prob.message and "global-precariat" in prob.hint


def test_unknown_country_and_duplicate_id(tmp_path):
    p = _broken(tmp_path, "    country: US\n    wikidata: Q1144623", "    country: XX\n    wikidata: Q1144623")
    [prob] = _problem(p)
    assert prob.field == "organisations[0].country" and "unknown country code 'XX'" in prob.message
    p = _broken(tmp_path, "  - id: amazon\n", "  - id: amt\n")
    [prob] = _problem(p)
    lines = [i for i, ln in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if ln == "  - id: amt"]
    assert "duplicate id 'amt'" in prob.message and f"line {lines[0]}" in prob.message
    assert prob.line == lines[1] and prob.field == "organisations[1].id"


def test_tie_to_itself_and_cycle(tmp_path):
    p = _broken(tmp_path, "    from: amt\n    to: global-precariat", "    from: amt\n    to: amt")
    msgs = [pr.message for pr in _problem(p)]
    assert any("to itself" in m for m in msgs)
    # a cycle: make the workers order from the AI firms, inside the chain
    text = LEE.read_text(encoding="utf-8") + """
  - id: back-up
    from: global-precariat
    to: major-ai-companies
    section: abstract
"""
    text = text.replace("findings:\n  - id: f-neoliberal", "findings:\n  - id: f-neoliberal", 1)
    text = text.replace("ties: [ai-firms-to-amt, amt-to-workers]", "ties: [ai-firms-to-amt, amt-to-workers, back-up]")
    # move the appended tie into the ties list
    body, extra = text.split("\n  - id: back-up", 1)
    body = body.replace("\nchains:", "\n  - id: back-up" + extra.rstrip("\n") + "\n\nchains:", 1)
    p = tmp_path / "cycle.yaml"
    p.write_text(body, encoding="utf-8")
    msgs = [pr.message for pr in _problem(p)]
    assert any("cycle" in m for m in msgs), msgs


def test_missing_section_and_bad_currency_in_pay(tmp_path):
    p = _broken(tmp_path, "findings:\n", """pay:
  - id: p1
    kind: pay
    amount: 1.5
    currency: USS
    unit: per-hour
    section: nowhere
findings:
""")
    probs = _problem(p)
    msgs = " | ".join(pr.message for pr in probs)
    assert "unknown currency code 'USS'" in msgs
    assert "section 'nowhere' is not declared" in msgs
    assert all(pr.line for pr in probs)


def test_min_greater_than_max(tmp_path):
    p = _broken(tmp_path, "findings:\n", """pay:
  - {id: p1, kind: pay, min: 5, max: 3, currency: USD, unit: per-set, section: abstract}
findings:
""")
    [prob] = _problem(p)
    assert "min 5 is larger than max 3" in prob.message and prob.field == "pay[0].min"


def test_csv_observations_join_their_case_file(tmp_path):
    csv = tmp_path / "obs.csv"
    csv.write_text("study,record,id,section,kind,payer,payee,tie,amount,currency,unit,year\n"
                   "lee-abstract,pay,p-csv,abstract,pay,amt,global-precariat,amt-to-workers,0.02,USD,per-task,2020\n",
                   encoding="utf-8")
    case, obs = load_paths([LEE, csv])
    assert obs.graph_iri == URIRef("https://w3id.org/datawork/id/graph/lee-abstract-obs")
    pay = URIRef("https://w3id.org/datawork/id/pay/lee-abstract-p-csv")
    assert (pay, DW.alongTie, URIRef("https://w3id.org/datawork/id/tie/lee-abstract-amt-to-workers")) in obs.graph
    assert (pay, DW.payer, URIRef("https://w3id.org/datawork/id/organisation/amazon-mechanical-turk")) in obs.graph


@pytest.mark.parametrize("row,needle", [
    ("lee-abstract,pay,p1,abstract,pay,amt,global-precariat,,\"1,500\",USD,per-month,2020", "thousands separators"),
    ("lee-abstract,pay,p1,abstract,pay,amt,nobody,,2,USD,per-month,2020", "reference to nothing"),
    ("lee-abstract,pay,p1,abstract,pay,amt,global-precariat,,2,ZZZ,per-month,2020", "unknown currency"),
    ("lee-abstract,pay,p1,abstract,pay,=HYPERLINK(\"http://x\"),global-precariat,,2,USD,per-month,2020", "formula"),
    ("other-study,pay,p1,abstract,pay,amt,global-precariat,,2,USD,per-month,2020", "no case file with study id"),
])
def test_bad_csv_rows(tmp_path, row, needle):
    csv = tmp_path / "obs.csv"
    csv.write_text("study,record,id,section,kind,payer,payee,tie,amount,currency,unit,year\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_paths([LEE, csv])
    probs = [p for p in exc.value.problems if p.file.endswith("obs.csv")]
    assert probs and probs[0].line == 2 and needle in str(exc.value)


def test_shared_organisations_have_one_kind_across_studies():
    """A node shared through global_id must not be a Platform in one paper and a Firm in another."""
    import yaml

    kinds: dict[str, set[str]] = {}
    for path in CASES:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for org in doc.get("organisations", []) or []:
            if org.get("global_id"):
                kinds.setdefault(org["global_id"], set()).add(org["kind"])
    mixed = {k: v for k, v in kinds.items() if len(v) > 1}
    assert mixed == {}


def _schema_mutations(data):
    """Copies of a valid case file with one field removed or given a value of another type."""
    import copy

    values = (123, 1.5, "x", "", [], {}, None, True, -1, [1], {"a": 1})
    for lst in ("study", "organisations", "workers", "tasks", "ties", "chains", "pay", "figures", "exclusions"):
        part = data.get(lst)
        item = part if isinstance(part, dict) else (part or [None])[0]
        if not isinstance(item, dict):
            continue
        for key in list(item):
            for v in ("<del>",) + values:
                d = copy.deepcopy(data)
                target = d[lst] if isinstance(d[lst], dict) else d[lst][0]
                if v == "<del>":
                    del target[key]
                else:
                    target[key] = v
                yield d
        d = copy.deepcopy(data)
        target = d[lst] if isinstance(d[lst], dict) else d[lst][0]
        target["no_such_field"] = 1
        yield d


def test_fast_schema_check_never_passes_what_jsonschema_fails():
    """fastjsonschema only decides whether jsonschema (which words the errors) needs to run: it must
    pass exactly the documents jsonschema passes, on every evidence file, every bad input and
    hundreds of one-field mutations of a valid file."""
    from datawork_kg.build import evidence_files
    from datawork_kg.errors import InputError
    from datawork_kg.loaders.schema import schema_valid_fast, schema_validator
    from datawork_kg.loaders.yamlsafe import load_yaml

    docs = []
    for f in sorted(Path(__file__).parent.glob("bad_inputs/**/*.y*ml")) + [
            f for f in evidence_files() if f.suffix == ".yaml"]:
        try:
            docs.append(load_yaml(f).data)
        except InputError:
            continue
    valid = load_yaml(next(f for f in evidence_files() if f.suffix == ".yaml")).data
    docs.extend(_schema_mutations(valid))
    assert len(docs) > 300
    n_invalid = 0
    for d in docs:
        slow_ok = not any(True for _ in schema_validator().iter_errors(d))
        assert schema_valid_fast(d) == slow_ok, d if len(str(d)) < 500 else str(d)[:500]
        n_invalid += not slow_ok
    assert n_invalid > 100  # the mutations do break the schema


def test_loading_in_a_pool_gives_what_loading_in_turn_gives(tmp_path):
    """Case files loaded in forked processes (what big builds do) give the same graphs, metadata,
    progress order and problems (a broken file, a study id used twice) as loading them one by one."""
    import shutil

    from datawork_kg.build import evidence_files
    from datawork_kg.errors import InputError
    from datawork_kg.loaders import load_paths

    files = [f for f in evidence_files() if f.suffix == ".yaml"]
    for f in files:
        shutil.copy(f, tmp_path / f.name)
    paths = sorted(tmp_path.glob("*.yaml"))

    def run(workers):
        seen = []
        out = load_paths(paths, workers=workers, progress=lambda p, lg: seen.append(p.name))
        return [(lg.graph_iri, lg.study, lg.source, lg.countries, lg.cities, lg.currencies, lg.organisations,
                 lg.counts, lg.n_triples, lg.nt) for lg in out], seen

    one, seen1 = run(1)
    two, seen2 = run(2)
    assert one == two and seen1 == seen2 and len(one) == len(files)
    # the triples survive the trip as text
    lg = load_paths(paths, workers=2)[0]
    assert lg._triples is None and set(lg.iter_triples()) == set(load_paths(paths[:1], workers=1)[0].iter_triples())

    # problems: a second file with the same study id, and a file with an unknown field
    text = paths[0].read_text(encoding="utf-8")
    (tmp_path / "zz-same-study.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "zz-broken.yaml").write_text(text.replace("study:\n", "study:\n  colour: red\n", 1), encoding="utf-8")
    paths = sorted(tmp_path.glob("*.yaml"))
    problems = []
    for workers in (1, 2):
        with pytest.raises(InputError) as exc:
            load_paths(paths, workers=workers)
        problems.append([(p.file, p.line, p.field, p.message) for p in exc.value.problems])
    assert problems[0] == problems[1]
    assert any("also used by" in p[3] and p[0].endswith("zz-same-study.yaml") and p[1] for p in problems[0])
    assert any("unknown field 'colour'" in p[3] for p in problems[0])


# ------------------------------------------------------------ YAML 1.2 values, dates, CSV quoting
def _lee_with(tmp_path, old: str, new: str) -> Path:
    text = LEE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "case.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_unquoted_valid_date_is_a_date(tmp_path):
    """A date written without quotes is read as the date it is (not refused as 'not text')."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    path = _lee_with(tmp_path, "organisations:\n", "methods:\n  - id: m1\n    kind: interview\n    section: abstract\n"
                     "    start_date: 2022-02-28\n    end_date: '2022-03-01'\n\norganisations:\n")
    g = load_file(path).graph
    m = URIRef("https://w3id.org/datawork/id/method/lee-abstract-m1")
    assert (m, DW.startDate, Literal("2022-02-28T00:00:00", datatype=XSD.dateTime)) in g
    assert (m, DW.endDate, Literal("2022-03-01T00:00:00", datatype=XSD.dateTime)) in g


@pytest.mark.parametrize("written", ["2022-02-30", "'2022-02-30'", "2023-02-29", "2022-13-01"])
def test_impossible_date_names_line_and_field(tmp_path, written):
    path = _lee_with(tmp_path, "organisations:\n", "methods:\n  - id: m1\n    kind: interview\n    section: abstract\n"
                     f"    start_date: {written}\n\norganisations:\n")
    with pytest.raises(InputError) as exc:
        load_file(path)
    p = exc.value.problems[0]
    assert (p.line, p.field) == (24, "methods[0].start_date") and "is not a date that exists" in p.message


def test_yaml_1_1_forms_are_text_not_numbers(tmp_path):
    """'country: NO' is Norway (PyYAML's YAML 1.1 reads False), 'name: 1:30' stays '1:30' (not 90)."""
    path = _lee_with(tmp_path, "    country: US\n    wikidata: Q1144623\n", "    country: NO\n    wikidata: Q1144623\n")
    lg = load_file(path)
    assert "NO" in lg.countries
    path = _lee_with(tmp_path, "    name: Amazon\n", "    name: 1:30\n")
    g = load_file(path).graph
    assert (URIRef("https://w3id.org/datawork/id/organisation/amazon"), URIRef("https://schema.org/name"), None) in g
    assert "1:30" in {str(o) for o in g.objects(URIRef("https://w3id.org/datawork/id/organisation/amazon"),
                                                  URIRef("https://schema.org/name"))}


def test_yaml_values_keep_their_meaning():
    """The YAML 1.2 reading changes no value of the bundled evidence: every scalar reads as PyYAML's
    safe loader reads it, except dates, which stay the text they are written as."""
    import datetime

    import yaml

    from datawork_kg.loaders.yamlsafe import load_yaml

    def same(a, b):
        if isinstance(b, dict):
            return isinstance(a, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in b)
        if isinstance(b, list):
            return isinstance(a, list) and len(a) == len(b) and all(map(same, a, b))
        if isinstance(b, datetime.date):
            return a == b.isoformat()
        return type(a) is type(b) and a == b

    for path in CASES:
        assert same(load_yaml(path).data, yaml.safe_load(path.read_text(encoding="utf-8"))), path.name


def test_csv_multi_line_note_and_negative_number_are_fine(tmp_path):
    csv = tmp_path / "obs.csv"
    csv.write_text("study,record,id,section,kind,payer,payee,tie,amount,currency,unit,note\n"
                   'lee-abstract,pay,p1,abstract,pay,amt,global-precariat,,2,USD,per-task,"a note\non two lines, with a comma"\n'
                   "lee-abstract,pay,p2,abstract,pay,amt,global-precariat,,2,USD,per-task,-5\n"
                   "lee-abstract,pay,p3,abstract,pay,amt,global-precariat,,2,USD,per-task,-1.5e3\n", encoding="utf-8")
    case, obs = load_paths([LEE, csv])
    assert obs.counts == {"pay": 3}


def test_part_of_cycle_of_three_is_reported_once(tmp_path):
    from datawork_kg.loaders.casefile import _cycles

    assert _cycles([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("e", "e"), ("f", None), ("g", "nothing")]) == [
        (2, ["c", "a", "b", "c"])]
    assert _cycles([("a", "b"), ("b", None)]) == []


def test_study_ids_that_meet_in_an_iri_are_refused_in_turn_and_in_a_pool(tmp_path):
    """'rt-base' + 'lead-x' and 'rt-base-lead' + 'x' mint one IRI: both files are named, whether the
    case files are loaded one after another or in a pool of processes."""
    data = ROOT / "tests" / "data"
    for workers in (1, 2):
        with pytest.raises(InputError) as exc:
            load_paths([data / "iri-clash-rt-base.yaml", ROOT / "tests" / "bad_inputs" / "iri-clash-study-ids.yaml"],
                       workers=workers)
        clash = [p for p in exc.value.problems if "is also minted by" in p.message]
        assert {Path(p.file).name for p in clash} == {"iri-clash-rt-base.yaml", "iri-clash-study-ids.yaml"}
        assert all(p.line == 39 and p.field == "organisations[2].id" for p in clash)
    # the bundled evidence mints no IRI twice
    load_paths(CASES)


def test_every_problem_of_a_file_in_one_run(tmp_path):
    """A schema error does not hide a broken reference: both come in the same run."""
    p = _broken(tmp_path, "    kind: firm\n", "    kind: frim\n")
    p.write_text(p.read_text(encoding="utf-8").replace("ties: [ai-firms-to-amt, amt-to-workers]",
                                                       "ties: [ai-firms-to-amt, amt-to-worker]"), encoding="utf-8")
    probs = _problem(p)
    assert [pr.field for pr in probs] == ["organisations[1].kind", "chains[0].ties[1]"], probs
    assert "unknown value 'frim'" in probs[0].message and "reference to nothing" in probs[1].message


def test_checks_read_every_schema_mutation_without_crashing():
    """The cross-reference checks run on files the schema refuses: every one-field mutation of a real case
    file gives problems (never an exception), the schema's among them."""
    import copy

    from datawork_kg.loaders.casefile import CaseFileLoader
    from datawork_kg.loaders.yamlsafe import Located, load_yaml

    doc = load_yaml(LEE, str(LEE))
    loader = CaseFileLoader()
    n = 0
    for data in _schema_mutations(copy.deepcopy(doc.data)):
        problems = loader.check(Located(data, doc.lines, doc.path))
        n += 1
        assert all(p.file == doc.path for p in problems)
    assert n > 100


def test_pay_items_say_who_states_them_and_what_is_not_stated():
    """olm-southeast-asia, Pattern 1 (Amy): the paper gives her Dubai salary only as double her earlier one,
    with no currency; the graph says so rather than guess one."""
    lg = load_file(ROOT / "evidence" / "olm-southeast-asia.yaml")
    dubai = URIRef("https://w3id.org/datawork/id/pay/olm-southeast-asia-p-amy-dubai-salary")
    assert (dubai, DW.currencyStated, None) in lg.graph
    assert lg.graph.value(dubai, DW.currencyStated).toPython() is False
    assert (dubai, DW.currency, None) not in lg.graph and (dubai, DW.currencyCode, None) not in lg.graph
    assert any(lg.graph.subjects(DW.payBasis, DW["basis-take-home"]))
    assert any(lg.graph.subjects(DW.account, None) and lg.graph.subjects(RDF.type, DW.Remuneration))


def test_an_unknown_party_named_once_joins_two_ties():
    """Tubaro et al. §Madagascar: the provider of the camera solution is not described; the chain from the
    French retail chains to the Malagasy workers runs through that one unknown party."""
    lg = load_file(ROOT / "evidence" / "tubaro-2025.yaml")
    vendor = URIRef("https://w3id.org/datawork/id/party/tubaro-2025-camera-vendor")
    assert (vendor, RDF.type, DW.UnknownParty) in lg.graph
    tie = "https://w3id.org/datawork/id/tie/tubaro-2025-"
    assert (URIRef(tie + "t-retail-vendor"), DW.supplier, vendor) in lg.graph
    assert (URIRef(tie + "t-vendor-cameraworkers"), DW.orderer, vendor) in lg.graph


def test_shared_organisation_with_two_countries_is_refused_in_turn_and_in_a_pool():
    """Two case files giving one global_id different countries: the node would get both. Refused with the
    file, line and field, whether the files are loaded one after another or in a pool of processes."""
    bad = ROOT / "tests" / "bad_inputs" / "shared-organisation-other-country.yaml"
    for workers in (1, 2):
        with pytest.raises(InputError) as exc:
            load_paths([LEE, bad], workers=workers)
        [prob] = exc.value.problems
        assert Path(prob.file).name == bad.name and prob.line == 25 and prob.field == "organisations[0].country"
        assert "'IE' here but 'US'" in prob.message
