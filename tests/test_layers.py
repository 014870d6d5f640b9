"""The web is the outer layer: rules, models and jobs import nothing of it, and no module imports
another that (directly or not) imports it back."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "casework"
WEB_MODULES = ("routes", "blueprint", "forms", "display")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> set[str]:
    """Every casework module that `name` imports, at the top or inside a function."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles_between_modules():
    assert _cycles() == []


def test_the_graph_sees_real_imports():
    """Guard for the walk itself: a module known to import another is found to."""
    assert "casework.cases.operations" in GRAPH["casework.cases.routes"]
    assert "casework.permissions" in GRAPH["casework.cases.operations"]


OPERATIONS = sorted(name for name in MODULES if name.endswith(".operations")) + ["casework.jobs", "casework.permissions"]


@pytest.mark.parametrize("module", OPERATIONS)
def test_operations_load_no_web_code(module):
    """Importing the rules loads no route, blueprint, form, template helper or chart library, so the
    command line, jobs and tests can use them without the web."""
    probe = (
        f"import sys, {module}\n"
        f"web = [m for m in sys.modules if m.startswith('casework.') and m.rsplit('.', 1)[-1] in {WEB_MODULES!r}]\n"
        "web += [m for m in sys.modules if m.split('.')[0] == 'matplotlib']\n"
        "print(','.join(sorted(web)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"{module} loads {loaded}"
