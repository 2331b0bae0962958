"""The dependency rules of the design: imports point one way and never in a circle.

Every `import` in every module of the five packages counts, wherever it stands (module top,
inside a function, under `TYPE_CHECKING`): a lazy or typing-only import still ties the two
modules together for a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "media", "storage", "sandbox", "agents")
LEAVES = ("media", "storage", "sandbox")  # import none of the other four
AGENTS_MAY_IMPORT = {"storage.vocabulary"}  # the one plain-constants module agents may share


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported_names(module: str, path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package upwards
                package = module.split(".")
                if path.name != "__init__.py":
                    package.pop()
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            for alias in node.names:  # `from pkg import mod` names the submodule, not pkg
                name = f"{base}.{alias.name}"
                yield name if name in MODULES else base


def _resolve(name: str) -> str | None:
    """The project module a dotted name lives in (None for the standard library and others)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_resolve(name) for name in _imported_names(module, path)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


GRAPH = _graph()


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_parser_sees_the_imports_we_know_of() -> None:
    assert len(MODULES) > 50
    assert "server.live.agent_io" in GRAPH["server.live.session"]
    assert "storage.queries.interviews" in GRAPH["server.live.record"]
    assert "media.fanout" in GRAPH["server.live.session"]


def test_no_import_cycles() -> None:
    """Among all modules of the five packages, so among those of server/ too."""
    try:
        tuple(TopologicalSorter(GRAPH).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def test_media_storage_and_sandbox_import_none_of_the_others() -> None:
    crossing = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if _top(m) in LEAVES
        for t in targets
        if _top(t) != _top(m)
    )
    assert crossing == []


def test_agents_import_only_the_shared_vocabulary_from_storage() -> None:
    crossing = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if _top(m) == "agents"
        for t in targets
        if _top(t) != "agents" and t not in AGENTS_MAY_IMPORT
    )
    assert crossing == []
