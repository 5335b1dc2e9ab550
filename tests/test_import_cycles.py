"""No import cycles in ``src/jwtflow``, function-local imports included.

The detector is written here (an AST walk and Tarjan's strongly connected components) so the
check needs nothing outside the test suite. Imports under ``if TYPE_CHECKING:`` do not count:
they never run. A cycle is any group of modules that reach each other through imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

SRC_PACKAGE = Path(__file__).resolve().parent.parent / "src" / "jwtflow"


def module_names(package: Path) -> dict[str, Path]:
    """Map each module's dotted name (a package is named by its ``__init__``) to its file."""
    names: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _executed_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that may run, skipping the bodies of ``if TYPE_CHECKING:`` (not the else)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The known modules one import statement names (``from p import m`` names ``p.m``)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if not isinstance(node, ast.ImportFrom):
        return set()
    base = node.module or ""
    if node.level:
        # A package's own __init__ is the anchor of ``.``; a plain module's anchor is its parent.
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    found = set()
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        found.add(candidate if candidate in known else base)
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """Map each module of ``package`` to the modules of ``package`` it imports."""
    files = module_names(package)
    known = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _executed_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets |= _imported(node, name, is_package, known)
        graph[name] = {target for target in targets if target in known and target != name}
    return graph


def strongly_connected(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components with more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            on_stack.difference_update(component)
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def import_cycles(package: Path) -> list[list[str]]:
    """The import cycles among the modules of ``package`` (empty when there are none)."""
    return strongly_connected(import_graph(package))


def test_jwtflow_has_no_import_cycles() -> None:
    graph = import_graph(SRC_PACKAGE)
    # Guard against a walker that silently finds nothing: the core imports are known.
    assert "jwtflow.errors" in graph["jwtflow.tokens"]
    assert "jwtflow.drf.urls" in graph["jwtflow.urls"]
    assert strongly_connected(graph) == []


# -- the detector on synthetic packages ------------------------------------------------------


def write_package(root: Path, modules: Mapping[str, str]) -> Path:
    """Write ``pkg`` under ``root`` with ``{"a": source, "sub/__init__": source, ...}``."""
    package = root / "pkg"
    for name, source in {"__init__": "", **modules}.items():
        path = package / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return package


@pytest.mark.parametrize(
    "modules",
    [
        {"a": "import pkg.b\n", "b": "from pkg.a import thing\n"},
        {"a": "from pkg import b\n", "b": "def f():\n    from pkg import a\n"},
        {"a": "from . import b\n", "b": "from .a import thing\n"},
        {"a": "from .sub import c\n", "sub/__init__": "", "sub/c": "from ..a import x\n"},
        {"a": "from . import b\n", "b": "from . import c\n", "c": "import pkg.a\n"},
        {"a": "import typing\nif typing.TYPE_CHECKING:\n    pass\nelse:\n    import pkg.b\n"}
        | {"b": "import pkg.a\n"},
        {"a": "class A:\n    def m(self):\n        import pkg.b\n", "b": "import pkg.a\n"},
    ],
    ids=["absolute", "function-local", "relative", "subpackage", "three", "else", "method"],
)
def test_the_detector_finds_a_cycle(tmp_path: Path, modules: dict[str, str]) -> None:
    cycles = import_cycles(write_package(tmp_path, modules))
    assert len(cycles) == 1
    assert "pkg.a" in cycles[0]


def test_the_detector_names_the_members_of_each_cycle(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {
            "a": "import pkg.b\n",
            "b": "import pkg.a\n",
            "c": "from pkg import d\n",
            "d": "from pkg import c, a\n",
        },
    )
    assert import_cycles(package) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]


@pytest.mark.parametrize(
    "modules",
    [
        {"a": "import pkg.b\n", "b": "import os\nimport pkg.c\n", "c": ""},
        {
            "a": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
            "b": "from pkg.a import thing\n",
        },
        {"a": "import pkg.a\nfrom . import a\n"},
        {"__init__": "from pkg.a import x\n", "a": "x = 1\n"},
    ],
    ids=["chain", "type-checking", "self", "package-init"],
)
def test_the_detector_accepts_acyclic_packages(tmp_path: Path, modules: dict[str, str]) -> None:
    assert import_cycles(write_package(tmp_path, modules)) == []
