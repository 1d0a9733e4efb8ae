"""The shape of the code (issue 16): views only orchestrate.

Walks every module of provisions/ with `ast`, imports inside functions included, and fails when
- a module under provisions/views imports another provisions.views module (shared pieces live
  beside them: provisions/access.py, confirmation.py, sign_in.py, forms.py, queries/, services/);
- the context processor imports a view module (its counts come from provisions/queries/);
- a service or query module imports a view.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "provisions"
VIEWS = "provisions.views"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the app (migrations aside: they import no view and are generated)."""
    return {
        module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.relative_to(PACKAGE).parts
    }


def imported_names(name: str, source: str, *, is_package: bool = False) -> set[str]:
    """The dotted names a module's source imports, anywhere in it (inside functions too), with
    relative imports resolved: `from package import thing` gives `package.thing`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def imported_modules(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The app's modules `name` imports: a name that is not a module
    (`from provisions.services import annotation_create`) counts as the module or package
    that holds it. Parent packages, which Python runs first, are not counted."""
    found = set()
    for imported in imported_names(name, path.read_text(), is_package=path.name == "__init__.py"):
        while imported and imported not in known:
            imported = imported.rpartition(".")[0]
        if imported and imported != name:
            found.add(imported)
    return found


def is_view(name: str) -> bool:
    return name == VIEWS or name.startswith(VIEWS + ".")


def view_imports(name: str) -> list[str]:
    """The view modules `name` imports (a views module's own package `__init__` aside)."""
    known = modules()
    views = {other for other in imported_modules(name, known[name], known) if is_view(other)}
    return sorted(views - {VIEWS} if is_view(name) else views)


def test_the_walk_sees_every_kind_of_import():
    """The checks below would pass on a blind walk: show that it sees what they look for."""
    source = (
        "from provisions.views.public import home\n"
        "def f():\n"
        "    from . import review\n"
        "    from .workspace import news_count\n"
        "    import provisions.views.search\n"
    )
    assert imported_names("provisions.views.coverage", source) == {
        "provisions.views.public.home",
        "provisions.views.review",
        "provisions.views.workspace.news_count",
        "provisions.views.search",
    }
    assert imported_names("provisions.queries", "from .review import x", is_package=True) == {
        "provisions.queries.review.x"
    }
    found = modules()
    assert {"provisions.views.public", "provisions.context_processors"} <= set(found)
    assert any(name.startswith("provisions.services.") for name in found)
    assert any(name.startswith("provisions.queries.") for name in found)


@pytest.mark.parametrize(
    "name", [name for name in modules() if is_view(name) and name != VIEWS], ids=str
)
def test_a_view_module_imports_no_other_view_module(name):
    assert view_imports(name) == []


def test_the_context_processor_imports_no_view():
    name = "provisions.context_processors"
    assert view_imports(name) == []


@pytest.mark.parametrize(
    "name",
    [name for name in modules() if name.startswith(("provisions.services", "provisions.queries"))],
    ids=str,
)
def test_services_and_queries_import_no_view(name):
    assert view_imports(name) == []


# --- Import cycles ---------------------------------------------------------------------------


def import_graph() -> dict[str, set[str]]:
    """Module → the app's modules it imports (module level and inside functions)."""
    known = modules()
    return {name: imported_modules(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round about (Tarjan's
    strongly connected components of more than one module), each sorted."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                lowest[node] = min(lowest[node], lowest[target])
            elif target in stack:
                lowest[node] = min(lowest[node], index[target])
        if lowest[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    # A name imported from a package counts as that package; a module as itself.
    graph = import_graph()
    assert "provisions.services.annotations" in graph["provisions.services.demo"]
    assert {"provisions.access", "provisions.queries.articles"} <= graph["provisions.views.public"]
    assert "provisions.services" in graph["provisions.views.review"]


def test_no_import_cycle_among_the_apps_modules():
    """A cycle makes import order matter and hides which module rests on which: each module
    should stand on modules below it (models under queries and services, those under views)."""
    assert cycles(import_graph()) == []
