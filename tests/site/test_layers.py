"""The architecture, checked over every import (grimp reads imports inside functions too).

Every module of our packages belongs to one layer, from its dotted name (LAYERS below, lowest
first). A module imports only modules of its own layer or of layers below it; no import
cycle of any length exists between modules; and core imports no app (apps register with it
in their AppConfig.ready()).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

import grimp
import pytest

PACKAGES = ("accounts", "api", "config", "core", "goals", "mentorship", "notifications")
APPS = tuple(p for p in PACKAGES if p != "core")

# The layers, lowest first, each with the dotted names (fnmatch patterns) of its modules. A
# module belongs to the first layer with a matching pattern, in the order written here.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "core and models",
        (
            "core",
            "core.*",
            "*.models",
            "*.kinds",
            # Pure helpers: plain values in, plain values out; no queries of their own.
            "accounts.languages",
            "accounts.timezones",
            "goals.charts",
            "goals.progress",
            "goals.smart",
            "goals.templates_catalog",
            "goals.weeks",
            "notifications.links",
            "notifications.schedule",
            "notifications.unsubscribe",
            "api.pagination",
            "api.params",
        ),
    ),
    ("policy", ("*.policy",)),
    ("selectors", ("*.selectors", "mentorship.occasions", "mentorship.report")),
    (
        "services",
        (
            "*.services",
            "mentorship.csv_import",
            "mentorship.cohorts",
            "mentorship.meetings",
            "mentorship.nudges",
            "notifications.delivery",
            "notifications.digests",
            "notifications.dispatch",
            "notifications.email",
            "api.calendar",
            "api.export",
        ),
    ),
    ("forms and serializers", ("*.forms", "*.serializers", "api.filters")),
    (
        "views, tasks and template tags",
        (
            "*.views",
            "*.nav",
            "*.web.*",
            "api.*_views",
            "api.pages",
            "api.authentication",
            "api.exceptions",
            "api.parsers",
            "api.throttling",
            "*.tasks",
            "*.templatetags.*",
            "accounts.adapter",
            "*.middleware",
        ),
    ),
    (
        "wiring",
        (
            "config",
            "config.*",
            "*.urls",
            "*_urls",
            "*.apps",
            "*.admin",
            "*.management",
            "*.management.*",
            "*.demo*",
            "*.migrations",
            "*.migrations.*",
            "api.schema",
            # A package's own __init__ (mentorship.web's too): wiring if it imports anything.
            *APPS,
            "*.templatetags",
            "*.web",
        ),
    ),
]


def layer_of(module: str) -> int | None:
    """The index in LAYERS of `module`'s layer, None when no pattern names it."""
    for index, (_, patterns) in enumerate(LAYERS):
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            return index
    return None


def _line(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    return f" (line {details[0]['line_number']}: {details[0]['line_contents']})" if details else ""


def unclassified_modules(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if layer_of(m) is None)


def upward_imports(graph: grimp.ImportGraph) -> list[str]:
    """Every import of a module from a higher layer than the importer's."""
    found = []
    for importer in sorted(graph.modules):
        low = layer_of(importer)
        if low is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            high = layer_of(imported)
            if high is not None and high > low:
                found.append(
                    f"{importer} ({LAYERS[low][0]}) imports {imported} ({LAYERS[high][0]})"
                    + _line(graph, importer, imported)
                )
    return found


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm,
    iterative): each is a set of modules that import each other, directly or round a loop."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                index[node] = lowlink[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for position in range(next_edge, len(edges[node])):
                child = edges[node][position]
                if child not in index:
                    work.append((node, position + 1))
                    work.append((child, 0))
                    recurse = True
                    break
                if child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
            if recurse:
                continue
            if lowlink[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
    return sorted(components)


def describe_cycle(graph: grimp.ImportGraph, component: list[str]) -> str:
    """A component as its imports between members, e.g. "a -> b (line 3: ...); b -> a"."""
    members = set(component)
    arrows = [
        f"{importer} -> {imported}" + _line(graph, importer, imported)
        for importer in component
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members)
    ]
    return "; ".join(arrows)


def core_imports_of_apps(graph: grimp.ImportGraph) -> list[str]:
    """Imports from core (the package every app uses) of any other package."""
    found = []
    for importer in sorted(graph.modules):
        if importer != "core" and not importer.startswith("core."):
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.split(".")[0] != "core":
                found.append(f"{importer} imports {imported}" + _line(graph, importer, imported))
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # No cache directory: nothing is written into the checkout.
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def _report(problems: list[str]) -> str:
    return "\n" + "\n".join(problems)


def test_every_module_has_a_layer(graph):
    missing = unclassified_modules(graph)
    assert not missing, "add these modules to LAYERS:" + _report(missing)


def test_no_module_imports_a_higher_layer(graph):
    upward = upward_imports(graph)
    assert not upward, _report(upward)


def test_no_import_cycles(graph):
    cycles = [describe_cycle(graph, c) for c in import_cycles(graph)]
    assert not cycles, _report(cycles)


def test_core_imports_no_app(graph):
    found = core_imports_of_apps(graph)
    assert not found, _report(found)


# --- The checkers themselves, on a small graph made by hand ------------------------------------


def fake_graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    fake = grimp.ImportGraph()
    for importer, imported in imports:
        fake.add_import(importer=importer, imported=imported)
    return fake


def test_layers_read_as_the_architecture():
    expected = {
        "core.viewer": "core and models",
        "goals.models": "core and models",
        "goals.progress": "core and models",
        "goals.policy": "policy",
        "mentorship.selectors": "selectors",
        "notifications.dispatch": "services",
        "goals.forms": "forms and serializers",
        "api.serializers": "forms and serializers",
        "goals.views": "views, tasks and template tags",
        "mentorship.web.programs": "views, tasks and template tags",
        "api.goal_views": "views, tasks and template tags",
        "mentorship.tasks": "views, tasks and template tags",
        "notifications.templatetags.notifications_tags": "views, tasks and template tags",
        "goals.urls": "wiring",
        "mentorship.apps": "wiring",
        "mentorship.demo_scale": "wiring",
        "mentorship.management.commands.seed_demo": "wiring",
        "config.settings": "wiring",
    }
    assert {m: LAYERS[layer_of(m)][0] for m in expected} == expected
    assert layer_of("goals.something_new") is None


def test_an_upward_import_is_found():
    fake = fake_graph(
        ("goals.models", "goals.policy"),  # up: models know no policy
        ("goals.services", "goals.models"),  # down: fine
        ("goals.selectors", "goals.policy"),  # down: fine
        ("notifications.dispatch", "notifications.services"),  # same layer: fine
        ("mentorship.services", "mentorship.tasks"),  # up: services know no tasks
    )
    assert [v.split(" (line")[0] for v in upward_imports(fake)] == [
        "goals.models (core and models) imports goals.policy (policy)",
        "mentorship.services (services) imports mentorship.tasks (views, tasks and template tags)",
    ]


def test_modules_importing_each_other_and_longer_cycles_are_found():
    fake = fake_graph(
        ("goals.models", "goals.progress"),
        ("goals.progress", "goals.models"),  # a pair
        ("notifications.dispatch", "notifications.services"),
        ("notifications.services", "notifications.tasks"),
        ("notifications.tasks", "notifications.dispatch"),  # a loop of three
        ("goals.views", "goals.services"),  # not in any cycle
        ("goals.services", "goals.models"),
    )
    assert import_cycles(fake) == [
        ["goals.models", "goals.progress"],
        ["notifications.dispatch", "notifications.services", "notifications.tasks"],
    ]
    assert describe_cycle(fake, ["goals.models", "goals.progress"]) == (
        "goals.models -> goals.progress; goals.progress -> goals.models"
    )
    assert import_cycles(fake_graph(("goals.views", "goals.models"))) == []


def test_core_importing_an_app_is_found():
    fake = fake_graph(
        ("core.viewer", "mentorship.selectors"),
        ("core.middleware", "core.viewer"),
        ("mentorship.selectors", "core.viewer"),
        ("core.views", "config.settings"),
    )
    assert core_imports_of_apps(fake) == [
        "core.viewer imports mentorship.selectors",
        "core.views imports config.settings",
    ]
