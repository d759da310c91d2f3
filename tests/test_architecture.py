"""The library's layout rules: no import cycle, the CLI at the edge, each domain on its own.

These read the source (no import), so they hold for every module, lazy imports included.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIE = ROOT / "pie"
DOMAINS = ("programme", "financing", "incubation", "companies", "leadership", "quality", "reporting")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PIE.rglob("*.py"))}


def _imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """The pie modules `path` imports (`from pie import x` counts as pie.x when x is a module,
    as pie otherwise); imports only for type checkers are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                 and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                 for node in ast.walk(block)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from pie.x import y`: the module pie.x.y, else pie.x itself
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in modules else node.module)
    return {name for name in names if name in modules and name != _module_name(path)}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_the_library_has_no_import_cycle():
    """Test that no pie module imports, directly or through others, a module importing it."""
    assert _cycle(_graph()) is None


def test_cycle_finder_finds_a_cycle():
    """Test that the finder above reports a cycle when there is one (so the test above can fail)."""
    assert _cycle({"pie.a": {"pie.b"}, "pie.b": {"pie.c"}, "pie.c": {"pie.a"}}) == ["pie.a", "pie.b", "pie.c", "pie.a"]
    assert _cycle({"pie.a": {"pie.a.x"}, "pie.a.x": set()}) is None
    assert _cycle({"pie.a": {"pie.a.x"}, "pie.a.x": {"pie.a"}}) == ["pie.a", "pie.a.x", "pie.a"]


def test_only_the_entry_point_imports_the_cli():
    """Test that nothing in the library imports pie.cli but pie/__main__.py (the CLI is an edge)."""
    offenders = sorted(name for name, targets in _graph().items()
                       if name != "pie.__main__" and not name.startswith("pie.cli")
                       and any(t == "pie.cli" or t.startswith("pie.cli.") for t in targets))
    assert offenders == []


def test_domains_do_not_reach_into_each_other():
    """Test that a domain package imports the core and its own modules, never another domain's
    (leadership, which summarises the programme for directors, may read the programme's charts)."""
    allowed = {("leadership", "programme")}
    offenders = []
    for name, targets in _graph().items():
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in DOMAINS:
            continue
        for target in targets:
            other = target.split(".")
            if len(other) > 1 and other[1] in DOMAINS and other[1] != parts[1] and (parts[1], other[1]) not in allowed:
                offenders.append(f"{name} -> {target}")
    assert offenders == []
