"""Mutation testing of the rules (``templates/``) and the runtime (``s2s/runtime/``): cosmic-ray.

    pip install -e ".[test,mutation]"
    python tools/mutation.py run          # init a session, mutate, test every mutant, report
    python tools/mutation.py run --workers 2   # the same, two mutants at a time
    python tools/mutation.py report       # the score and every surviving mutant, again
    python tools/mutation.py retest --workers 2   # survivors again, with their module's every test

``run`` works in the checkout it is started from: cosmic-ray writes each mutant into the file
on disk, runs ``python tools/mutation.py test`` and restores the file, so leave the tree alone
while it runs (or run it in a clone: ``git clone . /tmp/s2s-mut``). The session and its config
live in ``.mutation/`` (git-ignored); a second ``run`` resumes an unfinished session (delete
``.mutation/`` to start afresh). The configuration, the operators left out and why are in
``[tool.cosmic-ray]`` of pyproject.toml. cosmic-ray mutates files on disk rather than switching
mutants in memory: s2s reads each rule's source text, so a mutant must be in the file.

With ``--workers N`` the mutants are tested N at a time, each worker in its own clone of the
checkout's last commit under ``.mutation/`` (so commit first: uncommitted changes are not
tested), through cosmic-ray's http distributor on ports 9870 and up.

``test`` (cosmic-ray's test command) runs only the tests that can see the mutant, first failure
stopping the run: the rows of the rules whose template is the mutated function, or calls the
mutated runtime function (with the runtime's unit tests); a mutant outside such a function
runs its module's rows (or, for the runtime's core, every rule row and the semantics and
construct tests). ``retest`` gives each survivor that wider selection.
The ``mutation`` extra pins cosmic-ray.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
CONFIG = WORK / "config.toml"
SESSION = WORK / "session.sqlite"
PORT = 9870

# Tests that see every rule module (conventions, constructs) and the runtime's own tests.
RULE_TESTS = ["tests/test_semantics.py", "tests/test_construct_modes.py"]
# What else the runtime's core serves (messages, buffers, writes, containers, calls to the
# user's functions): its retest.
CORE_TESTS = [
    "tests/test_errors.py",
    "tests/test_buffers.py",
    "tests/test_mutation.py",
    "tests/test_tuples_and_lists.py",
    "tests/test_aliased_writes.py",
    "tests/test_api.py",
    "tests/test_calls.py",
]
RUNTIME_UNIT_TESTS = ["tests/test_runtime_helpers.py", "tests/test_runtime_decompositions.py"]
# The rule modules whose generated code calls each runtime module; the runtime's core, kinds,
# masks and __init__ serve every rule (their mutants run every rule row and RULE_TESTS).
RUNTIME_CALLERS = {
    "ufuncs": ["ufuncs"],
    "products": ["products"],
    "reductions": ["reductions", "linalg"],
    "shapes": ["shapes", "multi"],
    "sorting": ["sorting", "reductions"],
    "linalg": ["linalg", "decompositions"],
    "decompositions": ["decompositions", "linalg"],
}


def _config_text(workers: int = 1) -> str:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["cosmic-ray"]
    lines = ["[cosmic-ray]"]
    for key in ("module-path", "timeout", "excluded-modules", "test-command"):
        lines.append(f"{key} = {_toml(settings[key])}")
    if workers > 1:
        urls = [f"http://localhost:{PORT + k}" for k in range(workers)]
        lines += ["", "[cosmic-ray.distributor]", 'name = "http"', ""]
        lines += ["[cosmic-ray.distributor.http]", f"worker-urls = {_toml(urls)}"]
    else:
        lines += ["", "[cosmic-ray.distributor]", 'name = "local"']
    lines += ["", "[cosmic-ray.filters.operators-filter]"]
    lines.append(f"exclude-operators = {_toml(settings['exclude-operators'])}")
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _cosmic(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cosmic_ray.cli", *args], cwd=ROOT, check=True)


def run(workers: int = 1) -> int:
    """Create (or resume) the session, filter it, execute it and report."""
    WORK.mkdir(exist_ok=True)
    CONFIG.write_text(_config_text(workers))
    if not SESSION.exists():
        _cosmic("init", str(CONFIG), str(SESSION))
        filters = ("operators_filter", "pragma_no_mutate")
        for module in (f"cosmic_ray.tools.filters.{f}" for f in filters):
            args = [str(SESSION), str(CONFIG)] if "operators" in module else [str(SESSION)]
            subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, check=True)
    servers = [_worker(k) for k in range(workers)] if workers > 1 else []
    try:
        _cosmic("exec", str(CONFIG), str(SESSION))
    finally:
        for server in servers:
            server.terminate()
            server.wait()
    return report()


def _worker(k: int) -> subprocess.Popen:
    """An http worker in a fresh clone ``.mutation/worker-k`` of the last commit."""
    clone = WORK / f"worker-{k}"
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    log = open(WORK / f"worker-{k}.log", "w")  # noqa: SIM115  (kept open while it runs)
    command = [sys.executable, "-m", "cosmic_ray.cli", "http-worker", "--port", str(PORT + k)]
    server = subprocess.Popen(command, cwd=clone, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):  # until it listens
        try:
            socket.create_connection(("localhost", PORT + k), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the mutation worker on port {PORT + k} did not start")


def _rows() -> list[tuple]:
    with sqlite3.connect(SESSION) as db:
        return db.execute(
            "SELECT m.module_path, m.operator_name, m.occurrence, m.start_pos_row, "
            "r.test_outcome, r.worker_outcome FROM mutation_specs m "
            "LEFT JOIN work_results r ON m.job_id = r.job_id"
        ).fetchall()


def report() -> int:
    """Print the score and each survivor as ``file:line operator occurrence``."""
    if not SESSION.exists():
        print(f"no session at {SESSION}: run `python tools/mutation.py run` first")
        return 1
    rows = _rows()
    tested = [r for r in rows if r[5] == "NORMAL"]
    killed = [r for r in tested if r[4] == "KILLED"]
    survivors = sorted((r for r in tested if r[4] == "SURVIVED"), key=lambda r: (r[0], r[3]))
    skipped = sum(r[5] == "SKIPPED" for r in rows)
    other = len(rows) - len(tested) - skipped
    for path, operator, occurrence, line, *_ in survivors:
        print(f"SURVIVED {path}:{line} {operator} {occurrence}")
    score = 100.0 * len(killed) / max(len(tested), 1)
    print(
        f"{len(rows)} mutants: {len(tested)} tested, {len(killed)} killed, "
        f"{len(survivors)} survived ({score:.1f}% killed); {skipped} skipped by the operator "
        f"filter or a pragma; {other} not run or not finished"
    )
    return 0


def _mutated() -> list[str]:
    out = subprocess.run(
        ["git", "diff", "--name-only", "--", "templates", "s2s/runtime"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line.endswith(".py")]


def _selection(path: str, broad: bool = False) -> list[str]:
    """pytest arguments for the tests that can see a mutant of ``path``.

    First pass: the rows of the rules whose template holds (or calls) the mutated function;
    else the float64 rows of the module's rules; else (the runtime's core) the construct and
    semantics tests and every float64 rule row. ``broad`` (``retest``): every dtype's rows of
    the module's rules with the semantics and construct tests, or for the core every test of
    the rules, semantics and constructs.
    """
    module = Path(path).stem
    unit = [] if path.startswith("templates/") else RUNTIME_UNIT_TESTS
    units = [Path(t).stem for t in unit]
    rows = [] if broad else _rule_rows(path, _mutated_functions(path))
    if rows:
        return [*unit, "tests/test_rules.py", "-k", " or ".join(rows + units)]
    if path.startswith("templates/"):
        modules = [module] if module != "__init__" else []
    else:
        modules = RUNTIME_CALLERS.get(module, [])
    dtype = "" if broad else " and float64"
    if not modules:  # a module every rule may reach
        if broad:
            return [*unit, *RULE_TESTS, *CORE_TESTS, "tests/test_rules.py"]
        others = units + [Path(t).stem for t in RULE_TESTS]
        keywords = " or ".join(["(test_rule and float64)", "every_rule", *others])
        return [*unit, *RULE_TESTS, "tests/test_rules.py", "-k", keywords]
    chosen = "(" + " or ".join(f"{m}/" for m in modules) + ")" + dtype
    if broad:  # the conventions and constructs too
        others = units + [Path(t).stem for t in RULE_TESTS]
        keywords = " or ".join([chosen, "every_rule", *others])
        return [*unit, *RULE_TESTS, "tests/test_rules.py", "-k", keywords]
    return [*unit, "tests/test_rules.py", "-k", " or ".join([chosen, "every_rule", *units])]


def _mutated_functions(path: str) -> set[str]:
    """The module-level functions (decorators included) holding a line the mutant changed;
    empty when a change is outside every function."""
    diff = subprocess.run(
        ["git", "diff", "-U0", "--", path], cwd=ROOT, capture_output=True, text=True
    ).stdout
    lines = set()
    for start, count in re.findall(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", diff, re.M):
        first = int(start)
        lines.update(range(first, first + max(int(count or 1), 1)))
    tree = ast.parse((ROOT / path).read_text())
    names = set()
    for line in lines:
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                top = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if top <= line <= node.end_lineno:
                    names.add(node.name)
                    break
        else:
            return set()
    return names


def _rule_rows(path: str, functions: set[str]) -> list[str]:
    """``-k`` keywords (``module/rule:``) for the rule rows that exercise ``functions``: the
    rules whose template is one of them (``templates/``), or calls one of them (runtime)."""
    if not functions or any(f.startswith("_") for f in functions):
        return []
    try:
        sys.path.insert(0, str(ROOT))
        from s2s import registry

        rules = registry.builtin_rules()
    except Exception:  # the mutant breaks the import: the module's rows will say so
        return []
    keywords = set()
    for key, rule in rules.items():
        template = rule.template
        if template is None:  # a piecewise-constant function: no template
            continue
        if path.startswith("templates/"):
            hit = Path(template.__code__.co_filename) == ROOT / path
            hit = hit and template.__name__ in functions
        else:
            text = inspect.getsource(template)
            hit = any(re.search(rf"\b{f}\(", text) for f in functions)
        if hit:
            module = rule.origin.rpartition(".")[2]
            keywords.add(f"{module}/{registry.qualified_name(key)}")
    return sorted(keywords)


def test() -> int:
    """cosmic-ray's test command: one pytest run of the tests that can see the mutated file
    (unit tests first); the first failure ends it (the mutant is killed)."""
    selection: list[str] = []
    for path in _mutated():
        stale = (ROOT / path).parent / "__pycache__"  # never run a stale compiled copy
        shutil.rmtree(stale, ignore_errors=True)
        selection = _selection(path, broad=os.environ.get("S2S_MUTATION_BROAD") == "1")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    command += ["-n", "0", "-p", "no:hypothesispytest", *(selection or ["tests/test_rules.py"])]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


HELD = "held back during a retest"


def retest(workers: int = 1) -> int:
    """Test the survivors again, each with its module's whole selection (``S2S_MUTATION_BROAD``):
    a mutant the first pass's narrow selection missed may die there; then report. Mutants not
    run yet stay pending (a later ``run`` takes them)."""
    with sqlite3.connect(SESSION) as db:
        survivors = db.execute(
            "SELECT job_id FROM work_results WHERE test_outcome = 'SURVIVED'"
        ).fetchall()
        db.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
        db.execute("CREATE TEMP TABLE again (job_id TEXT)")
        db.executemany("INSERT INTO again VALUES (?)", survivors)
        db.execute(
            "INSERT INTO work_results (job_id, worker_outcome, output) SELECT job_id, "
            "'SKIPPED', ? FROM work_items WHERE job_id NOT IN (SELECT job_id FROM "
            "work_results) AND job_id NOT IN (SELECT job_id FROM again)",
            (HELD,),
        )
    os.environ["S2S_MUTATION_BROAD"] = "1"  # the workers inherit it
    try:
        return run(workers)
    finally:
        with sqlite3.connect(SESSION) as db:
            db.execute("DELETE FROM work_results WHERE output = ?", (HELD,))


def main(argv: list[str]) -> int:
    command, options = (argv[0] if argv else ""), argv[1:]
    workers = 1
    if options[:1] == ["--workers"] and len(options) == 2 and options[1].isdigit():
        workers, options = int(options[1]), []
    if command == "run" and not options:
        return run(workers)
    if command == "retest" and not options:
        return retest(workers)
    commands = {"report": report, "test": test}
    if command not in commands or options:
        print(__doc__)
        return 2
    return commands[command]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
