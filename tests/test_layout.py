"""The package layout holds: imports run one way, no import circles, no borrowed private names,
``__init__`` files that only re-export, templates that see only the registry and the runtime,
and modules of a readable size (DESIGN 13)."""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "s2s"
TEMPLATES = ROOT / "templates"
MAX_LINES = 600

needs_checkout = pytest.mark.skipif(
    not (ROOT / "pyproject.toml").exists() or not PACKAGE.is_dir(),
    reason="layout checks read the source checkout (not an installed wheel)",
)


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] == "templates":
        parts = ["s2s", *parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> list[pathlib.Path]:
    return sorted([*PACKAGE.rglob("*.py"), *TEMPLATES.rglob("*.py")])


def _imports(path: pathlib.Path) -> list[tuple[str, list[str], int]]:
    """``(module, names, line)`` for each import in ``path``, relative ones resolved."""
    found = []
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found.append((base, [a.name for a in node.names], node.lineno))
    return found


@needs_checkout
def test_import_contracts_hold():
    """``lint-imports``: the layers contract and no import circle among sibling modules."""
    importlinter_cli = pytest.importorskip("importlinter.cli")
    status = importlinter_cli.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    assert status == 0, "lint-imports found a broken contract (run `lint-imports` to see it)"


@needs_checkout
def test_no_module_imports_another_modules_private_name():
    borrowed = []
    for path in _sources():
        me = _module_name(path)
        for module, names, line in _imports(path):
            if not module.startswith("s2s") or module == me:
                continue
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    borrowed.append(f"{path.relative_to(ROOT)}:{line} imports {module}.{name}")
    assert not borrowed, "make the name public, or move it to its user:\n" + "\n".join(borrowed)


@needs_checkout
@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("__init__.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_init_files_only_re_export(path):
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), "each package says what it takes and gives"
    for node in tree.body[1:]:
        is_all = isinstance(node, (ast.Assign, ast.AnnAssign)) and "__all__" in ast.unparse(node)
        assert isinstance(node, (ast.Import, ast.ImportFrom)) or is_all, (
            f"{path.relative_to(ROOT)}:{node.lineno} does more than re-export"
        )


@needs_checkout
def test_templates_import_only_the_registry_and_the_runtime():
    allowed = ("s2s.registry", "s2s.proven", "s2s.runtime", "s2s.templates")  # (proven: rules'
    # plainer adjoints for proven shapes, registered beside their templates)
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted(TEMPLATES.rglob("*.py"))
        for module, _, line in _imports(path)
        if module.startswith("s2s") and not module.startswith(allowed)
    ]
    assert not wrong, "rules are data for the passes: they may not import a pass\n" + "\n".join(
        wrong
    )


@needs_checkout
def test_runtime_runs_without_any_pass():
    """Generated code runs with the runtime alone: it imports only itself and the errors."""
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((PACKAGE / "runtime").rglob("*.py"))
        for module, _, line in _imports(path)
        if module.startswith("s2s") and not module.startswith(("s2s.runtime", "s2s.errors"))
    ]
    assert not wrong, "\n".join(wrong)


@needs_checkout
def test_no_module_is_over_the_size_limit():
    long = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for path in _sources()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, f"split modules over {MAX_LINES} lines by job:\n" + "\n".join(long)


@needs_checkout
def test_design_references_resolve():
    """Every ``DESIGN n`` a comment, docstring or doc cites is a section of docs/design.md."""
    design = (ROOT / "docs" / "design.md").read_text()
    sections = {int(m) for m in re.findall(r"^## (\d+)\. ", design, re.M)}
    cited = []
    for path in [
        *_sources(),
        *sorted((ROOT / "tests").rglob("*.py")),
        *(ROOT / "docs").glob("*.md"),
    ]:
        for match in re.finditer(r"DESIGN(?: section)? (\d+)", path.read_text()):
            cited.append((path.relative_to(ROOT), int(match.group(1))))
    assert cited, "the code cites the design"
    missing = [f"{path}: DESIGN {n}" for path, n in cited if n not in sections]
    assert not missing, "cited sections missing from docs/design.md:\n" + "\n".join(missing)


def test_tests_import_their_helpers_as_plain_pytest_finds_them():
    """README's `pytest` (not `python -m pytest`) puts tests/ on the path, not the checkout:
    `from tests.gradcheck import ...` (or `from benchmarks import ...`) fails at collection
    there."""
    root = pathlib.Path(__file__).resolve().parent
    offenders = [p.name for p in root.glob("test_*.py")
                 if re.search(r"^\s*(from|import) (tests|benchmarks)[.\s]", p.read_text(),
                              re.M)]  # fmt: skip
    assert not offenders, offenders
