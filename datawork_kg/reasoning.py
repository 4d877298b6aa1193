"""Check the ontology with an OWL 2 DL reasoner (HermiT, through owlready2).

The ontology modules are Turtle files in ``ontology/``. owlready2 reads RDF/XML but not
Turtle, so :func:`check_ontology` merges the modules with rdflib (dropping ``owl:imports``,
which would make owlready2 fetch the modules from the web), writes one RDF/XML file to a
temporary directory, and runs HermiT over it in a child process. The child runs in its own
process group, so that on a timeout the Java reasoner it started is killed with it.

:func:`dl_profile_violations` checks, with the OWL API bundled in owlready2's HermiT jar,
that the merged modules stay within OWL 2 DL (no punning between property kinds, no
non-simple property in a cardinality-like axiom...).

Reason over the ontology, not over instance data: HermiT does not scale to the full graph
(see the project's notes on pitfalls); the build materialises instance-level inferences
another way.

Example:
    >>> report = check_ontology()            # doctest: +SKIP
    >>> report.consistent, report.unsatisfiable
    (True, [])
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL

from .errors import ReasonerError

REASONER = "HermiT (owlready2)"


@dataclass
class ReasonerReport:
    """What the reasoner found.

    Attributes:
        consistent: False when the ontology has no model at all.
        unsatisfiable: IRIs of named classes that can have no member (empty when inconsistent,
            since every class is then trivially unsatisfiable).
        inferred_subclass_axioms: subclass links between named classes that the reasoner
            added to the asserted ones.
        seconds: wall-clock time of the whole check, loading included.
        reasoner: the reasoner used.
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_subclass_axioms: int = 0
    seconds: float = 0.0
    reasoner: str = REASONER

    @property
    def ok(self) -> bool:
        """True when the ontology is consistent and every named class is satisfiable."""
        return self.consistent and not self.unsatisfiable

    def summary(self) -> str:
        """A one-line, human-readable account of the report."""
        if not self.consistent:
            state = "INCONSISTENT"
        elif self.unsatisfiable:
            state = f"{len(self.unsatisfiable)} unsatisfiable class(es): " + ", ".join(self.unsatisfiable)
        else:
            state = "consistent, all classes satisfiable"
        return (f"{self.reasoner}: {state}; {self.inferred_subclass_axioms} inferred subclass axiom(s); "
                f"{self.seconds:.1f} s")


def ontology_files(root: Path | str | None = None) -> list[Path]:
    """List the ontology modules (``*.ttl``), sorted by name.

    Args:
        root: a repository checkout or an ``ontology`` directory. When omitted, the bundled
            ontology directory (:func:`datawork_kg.resources.ontology_dir`) is used.

    Returns:
        The Turtle files of the ontology directory.

    Raises:
        ReasonerError: when there is no ontology directory or it holds no Turtle file.
    """
    if root is None:
        try:
            from .resources import ontology_dir
        except ImportError:  # pragma: no cover - resources is part of the package
            directory = Path(__file__).resolve().parent.parent / "ontology"
        else:
            try:
                directory = ontology_dir()
            except FileNotFoundError as exc:
                raise ReasonerError(str(exc)) from exc
    else:
        root = Path(root)
        directory = root / "ontology" if (root / "ontology").is_dir() else root
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise ReasonerError(f"no ontology module (*.ttl) in {directory}", file=str(directory))
    return files


def merge_ontology(paths: list[Path] | None = None) -> Graph:
    """Parse the modules into one rdflib graph, without their ``owl:imports`` statements.

    Raises:
        ReasonerError: when a module is missing or is not valid Turtle.
    """
    graph = Graph()
    for path in paths if paths is not None else ontology_files():
        path = Path(path)
        try:
            graph.parse(path, format="turtle")
        except FileNotFoundError as exc:
            raise ReasonerError(f"ontology module not found: {path}", file=str(path)) from exc
        except Exception as exc:  # rdflib raises several parser exception types
            raise ReasonerError(f"cannot parse ontology module: {exc}", file=str(path),
                                hint="check the Turtle syntax, e.g. with `rapper -i turtle`") from exc
    graph.remove((None, OWL.imports, None))
    return graph


def check_ontology(paths: list[Path] | None = None, timeout: float = 300) -> ReasonerReport:
    """Run HermiT over the merged ontology modules.

    Args:
        paths: the Turtle modules to merge; by default every module of the ontology directory.
        timeout: seconds after which the reasoner (and its Java process) is killed.

    Returns:
        A :class:`ReasonerReport`. An inconsistent ontology or unsatisfiable classes are
        reported, not raised: see :attr:`ReasonerReport.ok`.

    Raises:
        ReasonerError: when a module cannot be read, the reasoner cannot run (no Java, a
            parse error in HermiT), or it runs past ``timeout``.
    """
    started = time.monotonic()
    graph = merge_ontology(paths)
    with tempfile.TemporaryDirectory(prefix="datawork-reasoner-") as tmp:
        owl_file = Path(tmp) / "ontology.owl"
        result_file = Path(tmp) / "result.json"
        graph.serialize(owl_file, format="xml")
        cmd = [sys.executable, "-m", "datawork_kg.reasoning", str(owl_file), str(result_file)]
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=tmp, env=env, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ReasonerError(f"the reasoner did not finish within {timeout:g} s and was stopped",
                                hint="raise the timeout, or reason over fewer modules") from None
        except BaseException:
            _kill_group(proc)
            raise
        if proc.returncode != 0 or not result_file.exists():
            detail = (err or out or "").strip().splitlines()
            raise ReasonerError("the reasoner failed: " + (" | ".join(detail[-5:]) or f"exit code {proc.returncode}"),
                                hint="HermiT needs a Java runtime (java on PATH); see docs/ontology.md")
        result = json.loads(result_file.read_text())
    if "error" in result:
        raise ReasonerError("the reasoner failed: " + result["error"])
    return ReasonerReport(consistent=result["consistent"], unsatisfiable=sorted(result["unsatisfiable"]),
                          inferred_subclass_axioms=result["inferred_subclass_axioms"],
                          seconds=round(time.monotonic() - started, 3), reasoner=REASONER)


_DL_PROFILE_JAVA = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class DLProfile {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            System.out.println("VIOLATION " + v.toString().replace('\\n', ' '));
        }
        System.out.println("DONE");
    }
}
"""


def dl_profile_violations(paths: list[Path] | None = None, timeout: float = 120) -> list[str]:
    """List the OWL 2 DL profile violations of the merged modules (empty when it is OWL 2 DL).

    Runs the OWL API's ``OWL2DLProfile`` checker, which ships inside owlready2's HermiT jar,
    through Java's single-file source launcher (so it needs a JDK, not just a JRE).

    Raises:
        ReasonerError: when Java cannot run the checker or it runs past ``timeout``.
    """
    import owlready2
    from owlready2 import reasoning as owl_reasoning

    graph = merge_ontology(paths)
    with tempfile.TemporaryDirectory(prefix="datawork-dl-profile-") as tmp:
        owl_file = Path(tmp) / "ontology.owl"
        graph.serialize(owl_file, format="xml")
        source = Path(tmp) / "DLProfile.java"
        source.write_text(_DL_PROFILE_JAVA)
        cmd = [owlready2.JAVA_EXE, "-cp", owl_reasoning._HERMIT_CLASSPATH, str(source), str(owl_file)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    cwd=tmp, start_new_session=True)
        except OSError as exc:
            raise ReasonerError(f"cannot run Java for the OWL 2 DL profile check: {exc}") from exc
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ReasonerError(f"the OWL 2 DL profile check did not finish within {timeout:g} s") from None
    if proc.returncode != 0 or "DONE" not in out:
        detail = " | ".join((err or out).strip().splitlines()[-5:])
        raise ReasonerError(f"the OWL 2 DL profile check failed: {detail}",
                            hint="it needs a Java Development Kit (the java launcher must compile source files)")
    return [line[len("VIOLATION "):] for line in out.splitlines() if line.startswith("VIOLATION ")]


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the child and everything it started (the Java reasoner), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=10)
    except Exception:  # pragma: no cover - the group is already dead
        pass


def _named_subclass_pairs(world) -> set[tuple[str, str]]:
    import owlready2

    pairs = set()
    for cls in world.classes():
        for parent in cls.is_a:
            if isinstance(parent, owlready2.ThingClass) and parent is not owlready2.Thing:
                pairs.add((cls.iri, parent.iri))
        for eq in cls.equivalent_to:
            if isinstance(eq, owlready2.ThingClass):
                pairs.add((cls.iri, eq.iri))
    return pairs


def _run_child(owl_file: str, result_file: str) -> int:
    """Child process: load the RDF/XML file with owlready2 and run HermiT."""
    import owlready2

    world = owlready2.World()
    try:
        onto = world.get_ontology(Path(owl_file).resolve().as_uri()).load()
        before = _named_subclass_pairs(world)
        consistent = True
        try:
            with onto:
                owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            consistent = False
        unsat = [] if not consistent else [c.iri for c in world.inconsistent_classes()
                                           if c is not owlready2.Nothing]
        inferred = len(_named_subclass_pairs(world) - before) if consistent else 0
        result = {"consistent": consistent, "unsatisfiable": unsat, "inferred_subclass_axioms": inferred}
    except Exception as exc:  # report any failure to the parent as data
        result = {"error": f"{type(exc).__name__}: {exc}"}
    Path(result_file).write_text(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process: ``python -m datawork_kg.reasoning FILE.owl RESULT.json``."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m datawork_kg.reasoning ONTOLOGY.owl RESULT.json", file=sys.stderr)
        return 2
    return _run_child(argv[0], argv[1])


__all__ = ["ReasonerReport", "check_ontology", "dl_profile_violations", "ontology_files", "merge_ontology"]

if __name__ == "__main__":
    sys.exit(main())
