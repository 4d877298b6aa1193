"""The ``datawork`` command line: a thin layer over the library.

Exit codes: 0 ok; 1 checks failed (SHACL violations, inconsistent ontology); 2 usage, input or
load error. Errors are printed to stderr without a traceback unless ``--debug`` is given.
"""
from __future__ import annotations

import errno
import functools
import json
import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .errors import DataworkError

_DEBUG = {"on": False}


def _err(msg: str) -> None:
    click.echo(msg, err=True)


def handled(fn):
    """Turn DataworkError into a clear message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DataworkError as exc:
            if _DEBUG["on"]:
                raise
            _err(f"error: {exc}")
            sys.exit(exc.exit_code)
        except click.ClickException:  # a usage error found by the command itself: exit 2 (see _Main)
            raise
        except KeyboardInterrupt:
            _err("interrupted; nothing was published")
            sys.exit(130)
        except OSError as exc:  # a full disk or a read-only target met after the early checks
            if _DEBUG["on"]:
                raise
            text = str(exc)
            if exc.errno == errno.ENOSPC or "No space left on device" in text:
                _err(f"error: the disk is full: {text}\n  fix: free some space or use --home / DATAWORK_HOME on "
                     "another disk (nothing was published; the previous graph is unchanged)")
                sys.exit(2)
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) or "Read-only file system" in text:
                _err(f"error: cannot write: {text}\n  fix: choose a writable directory with --home or DATAWORK_HOME "
                     "(nothing was published; the previous graph is unchanged)")
                sys.exit(2)
            _err(f"internal error: {type(exc).__name__}: {exc}\n  (run again with --debug for the traceback, and report it)")
            sys.exit(3)
        except Exception as exc:  # an unexpected bug: still no traceback unless --debug
            if _DEBUG["on"]:
                raise
            _err(f"internal error: {type(exc).__name__}: {exc}\n  (run again with --debug for the traceback, and report it)")
            sys.exit(3)

    return wrapper


class _Main(click.Group):
    """The command group, printing a usage error as one line that says what to fix (exit 2), not
    click's usage block."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "datawork"
            _err(f"error: {exc.format_message()} (see '{where} --help')")
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            _err("aborted")
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="datawork")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--home", type=click.Path(file_okay=False), envvar="DATAWORK_HOME",
              help="Build directory (default ./build, or $DATAWORK_HOME).")
@click.option("--base", envvar="DATAWORK_BASE", help="Base of data IRIs (default https://w3id.org/datawork/id/).")
@click.pass_context
def main(ctx: click.Context, debug: bool, home: str | None, base: str | None) -> None:
    """datawork-kg: an open knowledge graph of the human supply chains behind AI."""
    _DEBUG["on"] = debug
    ctx.ensure_object(dict)
    ctx.obj["home"] = home
    ctx.obj["base"] = base


# ----------------------------------------------------------------- build
@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "rudof"]), default="auto", show_default=True,
              help="SHACL engine (auto: pyrudof if installed, else pySHACL).")
@click.option("--no-reason", is_flag=True, help="Skip the HermiT check of the ontology.")
@click.option("--no-dumps", is_flag=True, help="Do not write the dumps.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
@click.pass_context
@handled
def build(ctx, paths, engine, no_reason, no_dumps, quiet):
    """Build the graph from evidence files or folders (default: the bundled evidence).

    Loads, links, reasons, stores, materialises, validates and writes dumps; publishes the
    result only if every step succeeds (the previous graph stays otherwise).
    """
    from .build import build as run_build

    say = (lambda m: None) if quiet else (lambda m: _err(m))
    res = run_build(paths or None, home=ctx.obj["home"], base=ctx.obj["base"], progress=say, reason=not no_reason,
                    engine=engine, dumps=not no_dumps)
    s = res.summary
    click.echo(f"built {s['triples']:,} triples in {len(s['graphs'])} graphs -> {res.release}")
    click.echo("sources:")
    for name, info in sorted(s["sources"].items()):
        items = ", ".join(f"{k} {v}" for k, v in sorted(info["items"].items()))
        click.echo(f"  {name:40} {info['triples']:>7,} triples  ({items})")
    click.echo("classes: " + ", ".join(f"{k} {v}" for k, v in sorted(s["classes"].items())))
    click.echo("parties per country: " + ", ".join(f"{k} {v}" for k, v in sorted(s["parties_per_country"].items())))
    click.echo(f"violations: {len(s['violations'])}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "rudof"]), default="auto", show_default=True,
              help="SHACL engine (auto: pyrudof if installed, else pySHACL).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@handled
def validate(ctx, files, engine, fmt):
    """Check case files or CSV files without building (for contributors).

    CSV files are checked against the case files given with them (or the bundled evidence).
    """

    from .build import violations_table
    from .check import check_files
    from .errors import InputError

    try:
        result = check_files(files, base=ctx.obj["base"], engine=engine)
    except InputError as exc:
        if fmt == "json":
            click.echo(json.dumps({"ok": False, "problems": [p.__dict__ for p in exc.problems]}, indent=1))
            sys.exit(2)
        raise
    loaded, violations = result.loaded, result.violations
    if fmt == "json":
        click.echo(json.dumps({"ok": not violations, "files": [lg.source for lg in loaded],
                               "violations": [v.as_dict() if hasattr(v, "as_dict") else str(v) for v in violations]},
                              indent=1, default=str))
    else:
        for lg in loaded:
            click.echo(f"{lg.source}: {len(lg.graph):,} triples, loaded")
        if violations:
            click.echo(violations_table(violations))
    if violations:
        if fmt != "json":
            _err(f"{len(violations)} SHACL violation(s)")
        sys.exit(1)
    if fmt != "json":
        click.echo("ok: no problems found")


# ----------------------------------------------------------------- queries
def _parse_params(items) -> dict:
    out = {}
    for item in items:
        if "=" not in item:
            raise click.BadParameter(f"'{item}' is not NAME=VALUE (write it as {item}=VALUE)", param_hint="'-p' / '--param'")
        k, v = item.split("=", 1)
        out[k.strip()] = v
    return out


@main.command()
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the library's queries.")
@click.option("--all", "all_", is_flag=True, help="Run every query of the library (with defaults).")
@click.option("-p", "--param", "params", multiple=True, help="NAME=VALUE (repeatable).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--endpoint", help="Run against this remote SPARQL endpoint instead of the embedded store.")
@click.option("-o", "--out", type=click.Path(), help="Write to this file (with --all: this folder, one CSV per query).")
@click.option("--show", is_flag=True, help="Print the query text with its parameters bound, and exit.")
@click.option("--allow-service", is_flag=True, help="Allow federated queries (SERVICE); off by default.")
@click.pass_context
@handled
def query(ctx, name, list_, all_, params, fmt, endpoint, out, show, allow_service):
    """Run a library query by NAME (see --list)."""
    from . import queries as Q

    if list_:
        lib = Q.library()
        width = max(len(n) for n in lib)
        for n, q in lib.items():
            ps = " ".join(f"{p.name}={p.default}" if p.default is not None else f"{p.name}=?" for p in q.params.values())
            click.echo(f"{n:{width}}  {q.summary}" + (f"  [{ps}]" if ps else ""))
        return
    if not name and not all_:
        raise click.UsageError("give a query NAME, --list or --all")
    bound = _parse_params(params)
    store = None
    if not endpoint:
        from .store import open_store

        store = open_store(ctx.obj["home"])
    if all_:
        lib = Q.library()
        outdir = Path(out) if out else None
        if outdir:
            outdir.mkdir(parents=True, exist_ok=True)
        total = len(lib)
        for i, (n, q) in enumerate(lib.items(), 1):
            t = time.perf_counter()
            text = Q.bind(q)
            if Q.uses_service(text) and not allow_service:
                _err(f"[{i}/{total}] {n}: skipped (federated query; run it with --allow-service)")
                continue
            res = Q.run_endpoint(endpoint, text) if endpoint else Q.run_store(store, text, allow_service=allow_service)
            ms = (time.perf_counter() - t) * 1000
            _err(f"[{i}/{total}] {n}: {len(res)} rows in {ms:.0f} ms")
            if outdir:
                (outdir / f"{n}.csv").write_text(Q.to_csv(res), encoding="utf-8")
            else:
                click.echo(f"\n## {n}: {q.summary}")
                click.echo(Q.render(res, fmt))
        if outdir:
            click.echo(f"wrote {total} CSV files to {outdir}")
        return
    q = Q.get(name)
    text = Q.bind(q, bound)
    if show:
        click.echo(text)
        return
    if store is not None:
        Q.check_iri_params(store, q, bound)
    res = Q.run_endpoint(endpoint, text) if endpoint else Q.run_store(store, text, allow_service=allow_service)
    output = Q.render(res, fmt)
    if out:
        Path(out).write_text(output, encoding="utf-8")
        _err(f"wrote {len(res)} rows to {out}")
    else:
        click.echo(output)


@main.command()
@click.argument("query_or_file")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--endpoint", help="Run against this remote SPARQL endpoint.")
@click.option("--allow-service", is_flag=True, help="Allow federated queries (SERVICE); off by default.")
@click.pass_context
@handled
def sparql(ctx, query_or_file, fmt, endpoint, allow_service):
    """Run an ad-hoc SPARQL query (text, a file, or - for stdin)."""
    from . import queries as Q

    from .errors import QueryError
    from .namespace import PREFIXES

    if query_or_file == "-":
        text = sys.stdin.read()
    elif os.path.exists(query_or_file):
        text = Path(query_or_file).read_text(encoding="utf-8")
    elif not any(c.isspace() or c in "{<" for c in query_or_file):  # a name, not a query: every query has one
        raise QueryError(f"no such file: {query_or_file}",
                         hint="check the path; a query given as text is written in quotes, e.g. "
                              "datawork sparql 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'")
    else:
        text = query_or_file
    if endpoint:
        res = Q.run_endpoint(endpoint, text, add_prefixes=True)
    else:
        from .store import open_store

        # the usual prefixes go to the parser, not on top of the text: error lines are the text's own
        res = Q.run_store(open_store(ctx.obj["home"]), text, allow_service=allow_service, prefixes=PREFIXES)
    if res.triples is not None:
        import pyoxigraph as ox

        click.echo(ox.serialize(res.triples, format=ox.RdfFormat.TURTLE).decode())
        return
    click.echo(Q.render(res, fmt))


# ----------------------------------------------------------------- figures and docs
@main.command()
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the figures.")
@click.option("-p", "--param", "params", multiple=True, help="NAME=VALUE, e.g. chain=IRI.")
@click.option("-o", "--out", type=click.Path(), help="Output file (.svg or .png); default figures/NAME.svg")
@click.pass_context
@handled
def figure(ctx, name, list_, params, out):
    """Draw a figure from the graph (chain diagram, value at each link, Figure 1, patterns)."""
    from . import figures

    if list_ or not name:
        for n, f in figures.FIGURES.items():
            click.echo(f"{n:16} {f.__doc__.strip().splitlines()[0]}")
        return
    from .store import open_store

    path = figures.draw(name, open_store(ctx.obj["home"]), out=Path(out) if out else None, **_parse_params(params))
    click.echo(f"wrote {path}")


@main.command()
@click.option("-o", "--out", type=click.Path(), default="build/docs", show_default=True)
@handled
def docs(out):
    """Write the HTML documentation of the ontology (pyLODE) and the query catalogue."""
    from .docs import write_docs

    for p in write_docs(Path(out)):
        click.echo(f"wrote {p}")


# ----------------------------------------------------------------- links
@main.group()
def link():
    """Links to external datasets (Wikidata, GeoNames, ISO, World Bank)."""


@link.command("refresh")
@click.option("--endpoint", default="https://query.wikidata.org/sparql", show_default=True)
@click.option("--yes", is_flag=True, help="Write the new snapshot without asking.")
@click.option("--timeout", type=float, default=60, show_default=True)
@handled
def link_refresh(endpoint, yes, timeout):
    """Re-fetch the reference snapshot from Wikidata, show what changed, write it if accepted."""
    from .linking import refresh

    result = refresh(endpoint, yes=yes, timeout=timeout, out=click.echo,
                     confirm=lambda: click.confirm("write the new snapshot?", default=False))
    click.echo(str(result) if result is not None else "done")


# ----------------------------------------------------------------- publication
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--allow-service", is_flag=True, help="Allow SERVICE (federated) queries.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Query timeout in seconds.")
@click.option("--max-rows", type=int, default=10000, show_default=True, help="Row cap for SPARQL results.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes of each HTTP process (each query runs in one, killed at the timeout).")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="HTTP processes answering requests, each on one core  [default: the machine's cores, at most 4]")
@click.pass_context
@handled
def serve(ctx, host, port, allow_service, timeout, max_rows, workers, processes):
    """Serve the graph as linked data with a SPARQL endpoint (read-only)."""
    from .web.app import serve as run

    _check_can_listen(host, port)

    run(home=ctx.obj["home"], host=host, port=port, allow_service=allow_service, timeout=timeout, max_rows=max_rows,
        base=ctx.obj["base"], workers=workers, processes=processes)


def _check_can_listen(host: str, port: int) -> None:
    """A clear error (exit 2) before anything starts when ``host:port`` cannot be listened on (in use,
    privileged, or not an address of this machine), instead of the web server's log and traceback."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DataworkError(f"cannot listen on {host}:{port}: unknown host ({exc.strerror})",
                            hint="give --host an address of this machine, e.g. 127.0.0.1") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            sock.bind(addr)
        except OSError as exc:
            hint = {errno.EADDRINUSE: "another program is listening there: choose another --port or stop it",
                    errno.EACCES: "ports below 1024 need administrator rights: choose a --port above 1024",
                    errno.EADDRNOTAVAIL: "give --host an address of this machine, e.g. 127.0.0.1"}.get(exc.errno)
            raise DataworkError(f"cannot listen on {host}:{port}: {exc.strerror}", hint=hint) from None


@main.command()
@click.option("--static", "static_dir", type=click.Path(file_okay=False), required=True,
              help="Write every resource in every format as files to this folder.")
@click.pass_context
@handled
def publish(ctx, static_dir):
    """Publish the graph as static files (with Apache/nginx content negotiation and w3id rules)."""
    from .publish import publish_static

    report = publish_static(Path(static_dir), home=ctx.obj["home"], progress=_err)
    click.echo(str(report))


@main.command()
@click.option("--endpoint", required=True, help="Graph Store Protocol URL of the target store.")
@click.option("--query-endpoint", help="SPARQL query URL used to check counts (default: guessed).")
@click.option("--user", help="User name for HTTP auth.")
@click.option("--password", envvar="DATAWORK_PUSH_PASSWORD", help="Password (or $DATAWORK_PUSH_PASSWORD).")
@click.option("--update-endpoint", help="SPARQL Update URL used for the switch (default: guessed).")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True)
@click.pass_context
@handled
def push(ctx, endpoint, query_endpoint, user, password, update_endpoint, auth):
    """Push every named graph to a production triple store, all or nothing (Graph Store Protocol, then
    one SPARQL Update that switches the target to the new graphs)."""
    from .publish import push as run

    report = run(endpoint, home=ctx.obj["home"], query_endpoint=query_endpoint, user=user, password=password,
                 auth=auth, progress=_err, update_endpoint=update_endpoint)
    click.echo(str(report))


# ----------------------------------------------------------------- citation and releases
@main.command()
@click.option("--write", "write_dir", type=click.Path(file_okay=False),
              help="Write CITATION.cff, codemeta.json and .zenodo.json to this folder (else print the citation).")
@handled
def citation(write_dir):
    """How to cite datawork-kg; --write . regenerates the citation files from pyproject.toml and the VoID."""
    from .citation import citation_text, dataset, software, write_citation_files

    if write_dir:
        for p in write_citation_files(Path(write_dir)):
            click.echo(f"wrote {p}")
        return
    click.echo(citation_text(dataset(software().version)))


@main.command("release")
@click.argument("version")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--out", type=click.Path(file_okay=False), default="releases", show_default=True,
              help="Folder for datawork-kg-VERSION/ and datawork-kg-VERSION.tar.gz.")
@click.option("--previous", type=click.Path(file_okay=False), help="The previous release's bundle (for CHANGES.md and the ontology checks).")
@click.option("--date", help="Release date, YYYY-MM-DD (default: $SOURCE_DATE_EPOCH, else today).")
@click.option("--changes", "changes_file", type=click.Path(dir_okay=False), help="Also add the section to this CHANGES.md.")
@click.option("--no-reason", is_flag=True, help="Skip the HermiT check of the ontology.")
@click.pass_context
@handled
def release_cmd(ctx, version, paths, out, previous, date, changes_file, no_reason):
    """Build release VERSION from evidence (default: the bundled evidence) and write its citable bundle."""
    from .release import release

    report = release(version, Path(out), paths=paths or None, home=ctx.obj["home"], previous=previous, date=date,
                     reason=not no_reason, progress=_err, changes_file=changes_file)
    click.echo(str(report))


@main.command("diff")
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "rdf", "markdown"]), default="text", show_default=True)
@click.option("--version", "version", default="NEXT", help="Section title for --format markdown.")
@handled
def diff_cmd(old, new, fmt, version):
    """Statements added and removed between two releases or builds, per source, class and resource.

    Exit code 0 when they hold the same statements, 1 when they differ (like diff)."""
    from . import diff as D
    from .release import release_date

    d = D.diff(old, new)
    render = {"text": D.to_text, "json": D.to_json, "rdf": D.to_rdf,
              "markdown": lambda x: D.to_markdown(x, version, release_date(None), str(old))}[fmt]
    click.echo(render(d))
    sys.exit(1 if d.differ else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
