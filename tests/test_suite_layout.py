"""The suite keeps one definition of each shared thing (issue 16, "one rule in one place").

Fixtures are defined in tests/conftest.py, or in the one test module that uses them, and each
fixture name only once: two modules with their own `art24` drift apart, and a reader cannot tell
which one a test gets. Plain helpers live in tests/helpers.py (and the topic modules beside it);
a test module never imports from another test module or from conftest.py, which pytest loads
itself.
"""

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def modules() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text()) for path in sorted(TESTS.glob("*.py"))}


def is_fixture(decorator: ast.expr) -> bool:
    """`@pytest.fixture`, `@pytest.fixture(...)` or `@fixture`."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "fixture"


def fixture_name(function: ast.FunctionDef, decorator: ast.expr) -> str:
    """The name tests ask for: `@pytest.fixture(name="x")` overrides the function's name."""
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                return keyword.value.value
    return function.name


def fixtures_defined(tree: ast.Module) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if is_fixture(decorator):
                    found.append((fixture_name(node, decorator), node.lineno))
    return found


def imported_modules(tree: ast.Module) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.append(("." * node.level + (node.module or ""), node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
    return found


def is_test_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_module_imports_a_test_module_or_conftest():
    offending = [
        f"tests/{name}:{line} imports {module}"
        for name, tree in modules().items()
        for module, line in imported_modules(tree)
        if is_test_or_conftest(module)
    ]
    assert offending == [], "Import shared helpers from tests/helpers.py:\n" + "\n".join(offending)


def test_each_fixture_is_defined_once():
    places = defaultdict(list)
    for name, tree in modules().items():
        for fixture, line in fixtures_defined(tree):
            places[fixture].append(f"tests/{name}:{line}")
    repeated = {fixture: where for fixture, where in places.items() if len(where) > 1}
    assert repeated == {}, "Define a shared fixture once, in tests/conftest.py: " + str(repeated)


def test_the_checks_see_what_they_look_for():
    """The walk finds conftest's fixtures and both kinds of import, so an empty list above
    means the rule holds, not that nothing was read."""
    conftest = dict(fixtures_defined(modules()["conftest.py"]))
    assert {"analyst", "editor", "art24", "client"} <= set(conftest)
    sample = ast.parse(
        "import tests.test_api\nfrom .test_review import x\nfrom tests.conftest import y\n"
        "from tests.helpers import z\n@pytest.fixture(name='alias')\ndef f(): pass\n"
    )
    flagged = [m for m, _ in imported_modules(sample) if is_test_or_conftest(m)]
    assert flagged == ["tests.test_api", ".test_review", "tests.conftest"]
    assert fixtures_defined(sample) == [("alias", 6)]
