"""Seeded synthetic evidence for the scale benchmarks: YAML case files the real loader accepts.

The data are shaped like the bundled case files (``evidence/*.yaml``): each synthetic study has
sections, methods with samples, a few lead firms (shared across studies through ``global_id``, based in
a handful of countries), platforms of every organisational form (some global, some local, some with a
form history), chains of intermediaries 1 to 8 tiers deep ending at worker groups and individual
workers spread over ~110 countries, tasks of every AI function, a pay item at every link of every
chain (several currencies, amounts or ranges), figures, exclusions, legal actions and findings, and
provenance (section and method) on every item.

One study holds about 3,000 triples (like the real files), so a size of N triples is N / 3,000
files. The same ``seed`` and ``size`` always give the same bytes.

    python -m benchmarks.generate 100k /tmp/synth --seed 1
"""
from __future__ import annotations

import argparse
import random
import zlib
from pathlib import Path

import yaml

try:
    _Dumper = yaml.CSafeDumper  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper

# measured with the real loader on seed 1 (see tests/test_benchmarks_smoke.py): triples per study
TRIPLES_PER_STUDY = 3000

LEAD_COUNTRIES = ["US", "CN", "FR", "DE", "GB", "JP"]
COUNTRIES = [
    "US", "CN", "FR", "DE", "GB", "JP", "IN", "PH", "KE", "NG", "MG", "VE", "BR", "MX", "AR", "CO", "EG", "ES",
    "IT", "PL", "RO", "UA", "RU", "TR", "PK", "BD", "LK", "NP", "ID", "VN", "MY", "TH", "KH", "MM", "LA", "SG",
    "KR", "TW", "AU", "NZ", "CA", "CL", "PE", "EC", "BO", "UY", "PY", "CR", "PA", "GT", "HN", "SV", "NI", "DO",
    "CU", "JM", "HT", "TT", "ZA", "GH", "CI", "SN", "CM", "UG", "TZ", "RW", "ET", "MA", "TN", "DZ", "SD", "ZW",
    "ZM", "MW", "MZ", "AO", "BJ", "BF", "ML", "NE", "TG", "SL", "LR", "PT", "NL", "BE", "IE", "SE", "NO", "FI",
    "DK", "GR", "BG", "RS", "HR", "HU", "CZ", "SK", "LT", "LV", "EE", "GE", "AM", "KZ", "UZ", "IR", "IQ", "JO",
    "LB", "SA", "AE"]
LOCAL_CURRENCY = {
    "US": "USD", "CN": "CNY", "JP": "JPY", "GB": "GBP", "IN": "INR", "PH": "PHP", "KE": "KES", "NG": "NGN",
    "MG": "MGA", "VE": "VES", "BR": "BRL", "MX": "MXN", "AR": "ARS", "CO": "COP", "EG": "EGP", "ID": "IDR",
    "VN": "VND", "MY": "MYR", "PK": "PKR", "BD": "BDT", "ZA": "ZAR", "UG": "UGX", "SN": "XOF", "CI": "XOF",
    "BJ": "XOF", "BF": "XOF", "ML": "XOF", "NE": "XOF", "TG": "XOF", "FR": "EUR", "DE": "EUR", "ES": "EUR",
    "IT": "EUR", "PT": "EUR", "NL": "EUR", "BE": "EUR", "IE": "EUR", "FI": "EUR", "GR": "EUR"}
CITIES = {"MG": ["Antananarivo", "Toamasina"], "PH": ["Manila", "Cebu City", "Davao"], "KE": ["Nairobi", "Mombasa"],
          "IN": ["Bangalore", "Hyderabad", "Kolkata"], "VE": ["Caracas", "Maracaibo"], "EG": ["Cairo", "Alexandria"],
          "NG": ["Lagos", "Abuja"], "BR": ["Sao Paulo", "Recife"], "VN": ["Ho Chi Minh City", "Hanoi"],
          "FR": ["Paris", "Lyon"], "US": ["San Francisco", "Seattle"], "CN": ["Beijing", "Shenzhen"]}
FORMS = ["marketplace", "managed-service", "firm-like", "deep-labour", "bpo", "subsidiary", "informal-network",
         "in-house", "full-service-stack", "follower-factory", "direct-contract"]
FUNCTIONS = ["ai-preparation", "data-generation", "data-annotation", "ai-verification", "ai-impersonation",
             "not-ai", "unknown"]
WORK_KINDS = ["voice-recording", "transcription", "labelling", "image-tagging", "cv-anonymisation", "data-entry",
              "search-relevance", "clickfarm", "captcha-solving", "selfie-collection", "content-moderation",
              "seo-writing", "writing", "virtual-assistance", "software-development", "software-testing",
              "map-updating", "video-monitoring", "customer-service", "online-research", "graphic-design",
              "model-evaluation", "categorisation", "surveys"]
INTERMEDIARY_KINDS = ["intermediary", "bpo", "data-company", "firm", "intermediary", "data-company"]
ROLES = ["job-posting-site", "recruiter", "subcontractor", "day-to-day-manager", "reintermediator",
         "local-lengthening-boss", "individual-broker", "transformer", "gatekeeper", "vendor", "employer"]
UNITS = ["per-hour", "per-audio-hour", "per-1000-items", "per-item", "per-set", "per-task", "per-day", "per-month"]
PAY_KINDS = ["price", "pay", "fee", "salary", "earnings", "bid", "listed-price", "incentive"]
MECHANISMS = ["quota", "infrastructure", "reputation", "payment-channels", "currency-conversion", "confidentiality",
              "distance-from-lead-firm", "no-employment-tie", "work-permit", "language", "pay-discrimination",
              "volatility", "legal-engineering", "dispersion"]
EXCLUDED_FROM = ["tasks", "pay", "lead-firm-resources", "employment-rights", "job-security", "career-progression",
                 "collective-voice", "platform-access"]
CONTRACTS = ["employment-contract", "subcontract", "platform-terms", "informal", "direct-contract", "unknown"]
PATTERNS = ["bridging", "disintermediation", "reintermediation", "local-lengthening", "horizontal-collaboration"]
GENDERS = ["woman", "man", "mixed", "mostly-women", "mostly-men"]
STATUSES = ["micro-provider", "employee", "informal-helper", "freelancer", "apprentice", "student", "unknown"]
WORDS = ["data", "work", "platform", "annotation", "labour", "chain", "client", "vendor", "worker", "quality",
         "task", "payment", "outsourcing", "offshoring", "verification", "impersonation", "training", "model",
         "subcontracting", "recruitment", "broker", "community", "income", "contract", "supervision", "quota",
         "rating", "deadline"]
# organisations shared across studies (one node in the graph, many papers speak of it)
GLOBAL_LEADS = [(f"lead-{i:02d}", f"Synthetic Lead Firm {i:02d}", LEAD_COUNTRIES[i % len(LEAD_COUNTRIES)]) for i in range(24)]
GLOBAL_PLATFORMS = [(f"platform-{i:02d}", f"Synthetic Platform {i:02d}", FORMS[i % len(FORMS)],
                     ["US", "DE", "GB", "IN", "PH", "CN", "FR"][i % 7]) for i in range(44)]


def parse_size(text: str | int) -> int:
    """'10k' -> 10_000, '1M' -> 1_000_000, '250000' -> 250_000."""
    if isinstance(text, int):
        return text
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    return int(float(t) * mult)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def studies_for(size: int) -> int:
    return max(1, round(size / TRIPLES_PER_STUDY))


class _Study:
    """One synthetic study (one case file)."""

    def __init__(self, rng: random.Random, index: int) -> None:
        self.r = rng
        self.i = index
        self.sid = f"synth-{index:05d}"
        self.orgs: list[dict] = []
        self.workers: list[dict] = []
        self.tasks: list[dict] = []
        self.ties: list[dict] = []
        self.chains: list[dict] = []
        self.pay: list[dict] = []
        self.figures: list[dict] = []
        self.exclusions: list[dict] = []
        self.legal: list[dict] = []
        self.findings: list[dict] = []
        self.methods: list[dict] = []
        self.n = 0

    def text(self, k: int) -> str:
        return " ".join(self.r.choice(WORDS) for _ in range(k)).capitalize() + "."

    def nid(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.n}"

    def build(self) -> dict:
        r = self.r
        countries = r.sample(COUNTRIES[6:], r.randint(2, 6))
        sections = {"abstract": "Abstract", "methods": "Methods and data", "results": "Results",
                    "discussion": "Discussion", "conclusions": "Conclusions"}
        for c in countries:
            sections[f"case-{c.lower()}"] = f"Case study: {c}"
        case_secs = [k for k in sections if k.startswith("case-")]
        start = r.randint(2008, 2022)
        # methods: a case study with a questionnaire and interviews per country
        self.methods.append({"id": "m-case-study", "label": "Multi-sited case study of data work", "kind": "case-study",
                             "mode": "mixed", "countries": list(countries), "start": start, "end": start + 2,
                             "section": "methods"})
        for c in countries:
            for kind in ("questionnaire", "interview"):
                m = {"id": f"m-{c.lower()}-{kind}", "label": f"{kind.capitalize()} of data workers in {c}", "kind": kind,
                     "mode": r.choice(["in-person", "online", "videoconference", "mixed"]),
                     "sample_size": r.randint(5, 3000), "population": "data workers", "countries": [c],
                     "start": start, "end": start + r.randint(0, 2), "part_of": "m-case-study",
                     "section": ["methods", f"case-{c.lower()}"]}
                if c in CITIES and r.random() < 0.5:
                    m["cities"] = [r.choice(CITIES[c])]
                self.methods.append(m)
        method_ids = [m["id"] for m in self.methods]

        def prov(item: dict, secs: list[str] | str | None = None) -> dict:
            item["section"] = secs if secs is not None else r.choice(case_secs + ["results"])
            item["method"] = r.choice(method_ids)
            if r.random() < 0.3:
                item["note"] = self.text(r.randint(6, 18))
            return item

        # lead firms (global) and platforms (global and local, every form)
        leads = []
        for gid, name, country in r.sample(GLOBAL_LEADS, r.randint(1, 3)):
            o = prov({"id": gid, "global_id": gid, "name": name, "kind": "lead-firm", "country": country,
                      "roles": ["lead-firm", "end-client"]}, "results")
            if r.random() < 0.5:
                o["wikidata"] = f"Q{1000 + GLOBAL_LEADS.index((gid, name, country))}"
            self.orgs.append(o)
            leads.append(gid)
        platforms = []
        for gid, name, form, country in r.sample(GLOBAL_PLATFORMS, r.randint(1, 3)):
            o = prov({"id": gid, "global_id": gid, "name": name, "kind": "platform", "form": form, "country": country,
                      "countries": r.sample(COUNTRIES, 3)})
            if r.random() < 0.4:
                o["form_history"] = [{"order": 1, "form": "marketplace", "from": 2005, "until": 2014, "section": "results"},
                                     {"order": 2, "form": form, "from": 2015, "section": "results"}]
            self.orgs.append(o)
            platforms.append(gid)
        for form in r.sample(FORMS, r.randint(2, 4)):
            c = r.choice(countries)
            pid = self.nid("local-platform")
            o = prov({"id": pid, "name": f"Local {form} platform of {self.sid} ({c})", "kind": "platform", "form": form,
                      "country": c, "unnamed": True})
            if c in CITIES:
                o["city"] = r.choice(CITIES[c])
            self.orgs.append(o)
            platforms.append(pid)
        # tasks of every function
        task_ids = []
        for fn in FUNCTIONS:
            for _ in range(r.randint(1, 2)):
                tid = self.nid("task")
                self.tasks.append(prov({"id": tid, "label": f"{fn.replace('-', ' ')} task {tid}", "function": fn,
                                        "function_source": r.choice(["stated", "coder", "unconfirmed"]),
                                        "work_kinds": r.sample(WORK_KINDS, r.randint(1, 3)),
                                        "platforms": [r.choice(platforms)],
                                        "countries": r.sample(countries, 1)}))
                task_ids.append(tid)
        # chains: lead -> platform -> intermediaries (1..8 tiers) -> workers
        for k in range(r.randint(6, 9)):
            lead = r.choice(leads)
            platform = r.choice(platforms)
            depth = r.randint(1, 8)
            c_workers = r.choice(countries)
            tiers = []
            for t in range(depth):
                c = c_workers if t >= depth // 2 else r.choice(COUNTRIES)
                oid = self.nid("int")
                kind = r.choice(INTERMEDIARY_KINDS)
                o = prov({"id": oid, "name": f"Tier {t + 1} {kind} {oid} of {self.sid}", "kind": kind, "country": c,
                          "unnamed": r.random() < 0.6, "roles": r.sample(ROLES, r.randint(1, 2))})
                if kind in ("bpo", "data-company", "firm") and r.random() < 0.5:
                    o["form"] = r.choice(["firm-like", "bpo", "subsidiary", "informal-network"])
                if r.random() < 0.3:
                    o["founded"] = r.randint(1995, 2022)
                self.orgs.append(o)
                tiers.append(oid)
            grp = self.nid("workers")
            gw = prov({"id": grp, "kind": "group", "label": f"Data workers in {c_workers} ({grp})", "country": c_workers,
                       "count_min": r.randint(1, 50), "gender": r.choice(GENDERS), "status": r.choice(STATUSES),
                       "platforms": [platform], "languages": r.sample(["en", "fr", "es", "pt", "ar", "hi", "sw", "mg"], 2)})
            gw["count_max"] = gw["count_min"] + r.randint(0, 5000)
            if c_workers in CITIES and r.random() < 0.5:
                gw["city"] = r.choice(CITIES[c_workers])
            self.workers.append(gw)
            for _ in range(r.randint(0, 2)):
                wid = self.nid("worker")
                self.workers.append(prov({"id": wid, "kind": "individual", "label": f"Worker {wid}", "pseudonym": True,
                                          "country": c_workers, "age": r.randint(18, 70), "gender": r.choice(["woman", "man"]),
                                          "hours_per_week": r.randint(1, 60), "member_of": [grp],
                                          "dependence": r.choice(["high", "medium", "low", "sole-income", "supplementary"]),
                                          "platforms": [platform],
                                          **({"worker_type": r.choice(["precariot", "dependant", "casual"])}
                                             if r.random() < 0.7 else {})}))
            parties = [lead, platform] + tiers + [grp]
            task = r.choice(task_ids)
            tie_ids = []
            for a, b in zip(parties, parties[1:]):
                tid = self.nid("tie")
                tie = prov({"id": tid, "from": a, "to": b, "flow": "work",
                            "embeddedness": r.choice(["arms-length", "embedded", "mixed"]),
                            "direction": "vertical", "form": r.choice(CONTRACTS), "tasks": [task],
                            "upstream_aware": r.random() < 0.5, "start": start})
                if b != platform:
                    tie["via"] = [platform]
                if r.random() < 0.2:
                    tie["patterns"] = [r.choice(PATTERNS)]
                if b not in (platform, lead) and r.random() < 0.1:
                    tie["off_platform"] = True  # the parties took the work off the platform
                self.ties.append(tie)
                tie_ids.append(tid)
                # a price at every link, in the payee's currency or a global one
                org_country = next((o.get("country") for o in self.orgs if o["id"] == b), c_workers)
                cur = LOCAL_CURRENCY.get(org_country) if r.random() < 0.6 else None
                cur = cur or r.choice(["USD", "EUR", "USD", "GBP"])
                p = prov({"id": self.nid("pay"), "kind": r.choice(PAY_KINDS), "payer": a, "payee": b, "tie": tid,
                          "task": task, "currency": cur, "unit": r.choice(UNITS), "year": start + r.randint(0, 2)})
                base = round(r.uniform(0.01, 500.0) / (1 + len(tie_ids)), 2)
                if r.random() < 0.3:
                    p["min"], p["max"] = base, round(base * r.uniform(1.0, 3.0), 2)
                else:
                    p["amount"] = base
                if r.random() < 0.2:
                    p["approximate"] = True
                if zlib.crc32(p["id"].encode()) % 4 == 0:
                    # like some of the papers' items: the tie only (the build infers payer and payee);
                    # decided from the id, so that the random sequence, and the rest of the file, is
                    # the same as before this was added
                    del p["payer"], p["payee"]
                if len(tie_ids) == 1:
                    top = p
                elif b == grp and (p["currency"], p["unit"]) == (top["currency"], top["unit"]):
                    # the workers' pay comes out of the price paid at the top (the loader checks it): capped
                    # without drawing, so that the random sequence, and the rest of the file, stays the same
                    high = top.get("amount", top.get("max"))
                    if p.get("amount", p.get("min")) > high:
                        if "amount" in p:
                            p["amount"] = high
                        else:
                            p["min"], p["max"] = high, max(p["max"], high)
                self.pay.append(p)
            self.chains.append(prov({"id": self.nid("chain"), "label": f"Chain {k + 1} of {self.sid} ({depth} tiers)",
                                     "lead": lead, "ties": tie_ids, "tasks": [task],
                                     "geography": r.choice(["relocalisation", "dispersal"])}))
        # a payment tie and a tie to an unknown party (outside chains)
        fin = self.nid("fin")
        self.orgs.append(prov({"id": fin, "name": f"Payment service {fin}", "kind": "financial-intermediary",
                               "country": r.choice(["US", "GB", "NL"]), "roles": ["payment-processor"]}))
        self.ties.append(prov({"id": self.nid("tie"), "from": fin, "to": self.workers[0]["id"], "flow": "payment",
                               "form": "payment-service"}))
        self.ties.append(prov({"id": self.nid("tie"), "from": "unknown", "to": r.choice(platforms),
                               "form": "unknown", "upstream_aware": False}))
        # figures about countries and platforms
        for c in countries:
            self.figures.append(prov({"id": self.nid("fig"), "about": c, "indicator": "share of respondents",
                                      "value": round(r.uniform(0, 100), 1), "unit": "percent", "qualifier": "approximate",
                                      "year": start}))
        for pid in platforms[:3]:
            self.figures.append(prov({"id": self.nid("fig"), "about": pid, "indicator": "registered workers",
                                      "value": r.randint(100, 5_000_000), "unit": "count",
                                      "country": r.choice(countries), "cited_source": "Synthetic report"}))
        # findings, exclusions, legal actions
        finding_ids = []
        for _ in range(r.randint(4, 8)):
            fid = self.nid("finding")
            self.findings.append(prov({"id": fid, "statement": self.text(r.randint(12, 30)),
                                       "kind": r.choice(["finding", "hypothesis", "claim"]),
                                       "account": r.choice(["authors", "worker", "manager"]),
                                       "about": [r.choice(platforms), r.choice(countries),
                                                 r.choice([w["id"] for w in self.workers])]}))
            finding_ids.append(fid)
        group_ids = [w["id"] for w in self.workers if w["kind"] == "group"]
        for _ in range(r.randint(2, 4)):
            self.exclusions.append(prov({"id": self.nid("excl"), "mechanism": r.choice(MECHANISMS),
                                         "affects": r.sample(group_ids, 1), "imposed_by": [r.choice(platforms)],
                                         "excluded_from": r.sample(EXCLUDED_FROM, 2), "countries": r.sample(countries, 1),
                                         "findings": [r.choice(finding_ids)]}))
        if r.random() < 0.3:
            self.legal.append(prov({"id": self.nid("legal"), "label": "Collective claim against a platform",
                                    "kind": r.choice(["class-action", "lawsuit", "petition", "campaign"]),
                                    "against": [r.choice(platforms)], "by": r.sample(group_ids, 1),
                                    "country": r.choice(countries), "year": start + 1, "outcome": self.text(6)}))
        doc = {
            "format": "datawork-case/1",
            "study": {"id": self.sid, "title": f"Synthetic study {self.i}: {self.text(6)[:-1]}",
                      "authors": [f"Author {self.i}-{j}" for j in range(r.randint(1, 4))], "authorship": "stated",
                      "year": start + 3, "year_status": "stated", "venue": "Journal of Synthetic Data Work",
                      "doi": f"10.5555/synth.{self.i}", "kind": "journal-article", "fieldwork_start": start,
                      "fieldwork_end": start + 2, "note": self.text(20), "sections": sections},
            "methods": self.methods, "organisations": self.orgs, "workers": self.workers, "tasks": self.tasks,
            "ties": self.ties, "chains": self.chains, "pay": self.pay, "figures": self.figures,
            "exclusions": self.exclusions, "findings": self.findings,
        }
        if self.legal:
            doc["legal_actions"] = self.legal
        return doc


HEADER = "# yaml-language-server: $schema=../datawork_kg/schemas/case-file.schema.json\n" \
         "# Synthetic benchmark case file (benchmarks/generate.py): not evidence.\n"


def study_text(seed: int, index: int) -> str:
    """The YAML text of study ``index`` for ``seed`` (independent of the other studies)."""
    rng = random.Random(f"{seed}:{index}")
    doc = _Study(rng, index).build()
    return HEADER + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def generate(size: int | str, out: Path | str, *, seed: int = 1) -> list[Path]:
    """Write the case files of about ``size`` triples into ``out``; return their paths."""
    n = studies_for(parse_size(size))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = out / f"synth-{i:05d}.yaml"
        p.write_text(study_text(seed, i), encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("size", help="about how many triples: 10k, 100k, 1M, 5M or a number")
    ap.add_argument("out", help="folder to write the case files into")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    paths = generate(a.size, a.out, seed=a.seed)
    print(f"wrote {len(paths)} case files to {a.out}")


if __name__ == "__main__":
    main()
