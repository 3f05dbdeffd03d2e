"""Mutation check of the authorisation matrix: remove one permission check at a time, and the
matrix (tests/web/test_authorisation_matrix.py) must then fail.

The permission checks are found, not listed by hand:
- every `raise PermissionDenied` in a module-level function of the service (views, selectors,
  services, rules), and every `raise Http404` in a `*_for_user` selector (a record the user
  may not know exists);
- every object-level rule registered with `rules` (replaced by "always allowed");
- the district scoping (`User.in_district_filter` keeping every row, and the families rule
  letting any signed-in account see every family).

Removing a `raise` (it becomes `pass`) changes only requests that reach it, so one ordinary
run of the matrix, with each raise and rule instrumented, records which cells reach which
check (a rule counts when it refused). Each mutant is then run against just those cells. A
check this role's matrix reaches must, once removed, make the matrix fail for this role;
checks no role reaches are listed by `make bench` (benchmarks/bench_authorisation_mutations.py),
which runs this for every role.

In `make test` two roles run (the district manager and the family worker, who between them
reach the family, delivery and request-for-support checks); FAMILYREACH_MUTATION_ROLES=all (or
a comma-separated list) runs more. FAMILYREACH_MUTATION_REPORT names a folder for each role's
findings (JSON), which the benchmark adds up.
"""

import ast
import copy
import importlib
import inspect
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FunctionType, ModuleType
from typing import Any, cast

import pytest
from django.db.models import Q
from rules.predicates import always_allow
from rules.rulesets import default_rules

import familyreach
from familyreach.accounts.models import User
from familyreach.families import rules as family_rules
from tests.web import test_authorisation_matrix as matrix
from tests.web.test_authorisation_matrix import (  # noqa: F401 (fixtures used by name)
    ROLES,
    World,
    _as_in_production,
    world,
)

pytestmark = pytest.mark.django_db

SOURCE = Path(familyreach.__file__).parent
# The engine has no Django and no users; migrations hold no checks.
LEFT_OUT = ("locate", "migrations")
RECORDER = "__authorisation_matrix_reached__"

# Mutants that change nothing a request can see, and why: another check refuses the same
# request the same way (defence in depth). Listed by role, as found by the mutation run.
# Checked by hand: each reason names the check that refuses first (the same roles, or the same
# predicate), or why no request can get there.
COORDINATOR_FIRST = "the view calls coordinator_required (the same test) before the service"
EQUIVALENT: dict[str, str] = {
    "familyreach.community.views.room_list#1 (PermissionDenied)": (
        "selectors.bookings_for_user refuses anyone but coordinators and group admins (403)"
    ),
    "familyreach.community.views.room_detail#1 (PermissionDenied)": (
        "selectors.group_list refuses anyone but coordinators and group admins (403)"
    ),
    # Services behind a view that checks the same thing first.
    "familyreach.community.services.rooms._booking_decide#1 (PermissionDenied)": COORDINATOR_FIRST,
    "familyreach.community.services.groups.startup_help_decide#1 (PermissionDenied)": (
        COORDINATOR_FIRST
    ),
    "familyreach.community.services.safeguarding.concern_decide#1 (PermissionDenied)": (
        "views.concern_detail refuses a POST from anyone without review_concerns first"
    ),
    "familyreach.community.services.safeguarding.concern_raise#1 (PermissionDenied)": (
        "views.concern_raise tests user_may_raise_concern (the same test) first"
    ),
    "familyreach.community.services.groups.group_editor_required#1 (PermissionDenied)": (
        "every caller passes a group fetched for the user (group_get_for_user, the user's own "
        "approved groups, booking_get_for_user), which holds a group admin to their own groups"
    ),
    "familyreach.community.services.rooms.room_create#1 (PermissionDenied)": (
        "no page creates rooms (the demo loader and the admin do)"
    ),
    "familyreach.directory.services._may_take_on#1 (PermissionDenied)": (
        "support_request_get_for_user, every caller's first step, returns requests to managers "
        "and family workers only (the same roles)"
    ),
    "familyreach.directory.services.advice_article_save#1 (PermissionDenied)": (
        "views.staff_advice_edit tests user_is_council_editor (the same test) first"
    ),
    "familyreach.directory.services.service_edit#1 (PermissionDenied)": (
        "views.staff_service_edit tests user_can_edit_organization (the same test) first"
    ),
    "familyreach.directory.services.service_edit#2 (PermissionDenied)": (
        "views.staff_service_edit passes the listing's own organisation"
    ),
    "familyreach.referrals.services._locked_for_answer#1 (PermissionDenied)": (
        "views.referral_detail refuses a POST unless user_answers_referral (the same test), and "
        "opens a referral only for those who answer it"
    ),
    "familyreach.referrals.services.referral_create#1 (PermissionDenied)": (
        "views.referral_new tests user_can_refer_to_service (the same test) first"
    ),
    "familyreach.referrals.services.referral_create#2 (PermissionDenied)": (
        "views.referral_new links only a family fetched with family_get_for_user (view_family)"
    ),
    "familyreach.referrals.services.referral_create#3 (PermissionDenied)": (
        "the referral form offers (and accepts) only referrer_organizations(user)"
    ),
    "familyreach.referrals.selectors.referral_get_for_user#1 (Http404)": (
        "views._user refuses accounts without a referral role (the same test) with 403 first"
    ),
    "familyreach.delivery.views.occurrence_cancel#1 (PermissionDenied)": (
        "delivery.change_session is runs_session, which occurrence_get_for_user tests first"
    ),
    "familyreach.insight.views.plan_outreach#1 (PermissionDenied)": (
        "insight_check_access, just before, admits the same roles (superuser, manager, planner)"
    ),
    "familyreach.insight.selectors.insight_check_access#2 (PermissionDenied)": (
        "every caller is login_required: anonymous visitors are sent to sign in first"
    ),
    "familyreach.families.selectors.family_export_for_user#1 (PermissionDenied)": (
        "families.export_family is can_see_family, which family_get_for_user tests first"
    ),
    "rule families.export_family": (
        "the same predicate as families.view_family, tested first by family_get_for_user"
    ),
}


def _roles_to_run() -> list[str]:
    chosen = os.environ.get("FAMILYREACH_MUTATION_ROLES", "manager,family_worker")
    return list(ROLES) if chosen == "all" else [r.strip() for r in chosen.split(",") if r]


@dataclass(frozen=True)
class Site:
    """One `raise` in a module-level function, named by its place among the function's checks
    (the first, second...), not its line, so an edit elsewhere in the file does not rename it."""

    module: str
    function: str
    line: int
    kind: str
    ordinal: int

    def __str__(self) -> str:
        return f"{self.module}.{self.function}#{self.ordinal} ({self.kind})"


def _is_check(node: ast.Raise, function: str) -> str | None:
    exception = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    name = exception.id if isinstance(exception, ast.Name) else None
    if name == "PermissionDenied":
        return "PermissionDenied"
    if name == "Http404" and "_for_user" in function:
        return "Http404"
    return None


def permission_sites() -> list[Site]:
    sites = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE.parent)
        if any(part in LEFT_OUT for part in relative.parts):
            continue
        module = ".".join(relative.with_suffix("").parts)
        tree = ast.parse(path.read_text())
        for function in tree.body:
            if not isinstance(function, ast.FunctionDef):
                continue
            ordinal = 0
            for node in ast.walk(function):
                if isinstance(node, ast.Raise) and (kind := _is_check(node, function.name)):
                    ordinal += 1
                    sites.append(Site(module, function.name, node.lineno, kind, ordinal))
    return sites


def _target(module: ModuleType, name: str) -> FunctionType:
    """The function object whose code runs: under its decorators (login_required and the
    like keep it as __wrapped__), or inside a rules predicate."""
    found: Any = inspect.unwrap(getattr(module, name))
    if hasattr(found, "fn") and not isinstance(found, FunctionType):
        found = found.fn  # a rules.Predicate
    assert isinstance(found, FunctionType), f"{module.__name__}.{name} is not a function"
    return found


class _Rewrite(ast.NodeTransformer):
    def __init__(self, replace: Callable[[ast.Raise], list[ast.stmt]], lines: set[int]) -> None:
        self.replace = replace
        self.lines = lines

    def visit_Raise(self, node: ast.Raise) -> Any:
        return self.replace(node) if node.lineno in self.lines else node


def _code(module: ModuleType, name: str, rewrite: _Rewrite) -> CodeType:
    """The function's code with its raises rewritten (line numbers kept)."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text())
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    function = copy.deepcopy(function)
    function.decorator_list = []
    rewritten = ast.fix_missing_locations(
        ast.Module(body=[rewrite.visit(function)], type_ignores=[])
    )
    compiled = compile(rewritten, module.__file__, "exec")
    return next(c for c in compiled.co_consts if isinstance(c, CodeType) and c.co_name == name)


@contextmanager
def _swapped(codes: dict[FunctionType, CodeType]) -> Iterator[None]:
    originals = {function: function.__code__ for function in codes}
    for function, code in codes.items():
        function.__code__ = code
    try:
        yield
    finally:
        for function, code in originals.items():
            function.__code__ = code


class Reached:
    """Which cells reached which check, in one instrumented run."""

    def __init__(self) -> None:
        self.cells: dict[str, set[str]] = defaultdict(set)

    def __call__(self, key: str) -> None:
        self.cells[key].add(matrix.CURRENT["cell"])


class _RecordingRule:
    """A rule that answers as before and notes the cell when it refuses."""

    def __init__(self, name: str, rule: Any, reached: Reached) -> None:
        self.name, self.rule, self.reached = name, rule, reached

    def test(self, *args: Any, **kwargs: Any) -> bool:
        allowed = bool(self.rule.test(*args, **kwargs))
        if not allowed:
            self.reached(f"rule {self.name}")
        return allowed


@contextmanager
def _rules_replaced(replacements: dict[str, Any]) -> Iterator[None]:
    originals = {name: default_rules[name] for name in replacements}
    for name, rule in replacements.items():
        dict.__setitem__(default_rules, name, rule)  # as is: RuleSet would wrap it
    try:
        yield
    finally:
        for name, rule in originals.items():
            dict.__setitem__(default_rules, name, rule)


def _by_function(sites: list[Site]) -> dict[tuple[str, str], list[Site]]:
    grouped: dict[tuple[str, str], list[Site]] = defaultdict(list)
    for site in sites:
        grouped[(site.module, site.function)].append(site)
    return grouped


@contextmanager
def _instrumented(sites: list[Site], reached: Reached) -> Iterator[None]:
    """Every check site calls the recorder just before it raises; every rule records its
    refusals."""
    codes = {}
    modules: dict[str, ModuleType] = {}
    for (module_name, name), here in _by_function(sites).items():
        module = importlib.import_module(module_name)
        keys = {site.line: str(site) for site in here}

        def record_then_raise(node: ast.Raise, keys: dict[int, str] = keys) -> list[ast.stmt]:
            call = ast.Call(ast.Name(RECORDER, ast.Load()), [ast.Constant(keys[node.lineno])], [])
            return [ast.copy_location(ast.Expr(call), node), node]

        codes[_target(module, name)] = _code(module, name, _Rewrite(record_then_raise, set(keys)))
        modules[module_name] = module
    modules[family_rules.__name__] = family_rules
    for module in modules.values():
        setattr(module, RECORDER, reached)
    recording = {name: _RecordingRule(name, rule, reached) for name, rule in default_rules.items()}
    try:
        with _swapped(codes), _rules_replaced(recording), _scoping_recorded(reached):
            yield
    finally:
        for module in modules.values():
            delattr(module, RECORDER)


def _everything(*_args: Any, **_kwargs: Any) -> Q:
    return Q()


def _every_family_for_anyone_signed_in(user: Any) -> Q | None:
    return Q() if user is not None and user.is_authenticated else None


IN_DISTRICT = "scope User.in_district_filter"
VISIBLE_FAMILIES = "scope families.rules.visible_families_filter"
ORIGINAL = "__authorisation_matrix_original__"


def _recording_visible_families_filter(user: Any) -> Q | None:
    # Runs as families.rules.visible_families_filter (its code swapped in): the names below
    # are looked up in that module, where _instrumented puts them.
    condition = __authorisation_matrix_original__(user)  # type: ignore[name-defined]  # noqa: F821
    if user is not None and user.is_authenticated and condition != Q():
        __authorisation_matrix_reached__(  # type: ignore[name-defined]  # noqa: F821
            "scope families.rules.visible_families_filter"
        )
    return condition


@contextmanager
def _scoping_recorded(reached: Reached) -> Iterator[None]:
    """The district filter and the families rule note each cell where they hold something
    back (so a mutant letting everything through is replayed there)."""
    in_district = User.in_district_filter

    def recording_in_district(self: User, district_path: str) -> Q:
        condition = in_district(self, district_path)
        if condition != Q():
            reached(IN_DISTRICT)
        return condition

    visible = cast(FunctionType, family_rules.visible_families_filter)
    original = FunctionType(visible.__code__, visible.__globals__, visible.__name__)
    setattr(family_rules, ORIGINAL, original)
    try:
        with (
            _attribute(User, "in_district_filter", recording_in_district),
            _swapped({visible: _recording_visible_families_filter.__code__}),
        ):
            yield
    finally:
        delattr(family_rules, ORIGINAL)


@dataclass(frozen=True)
class Mutant:
    name: str
    apply: Callable[[], Any]  # a context manager


def _raise_removed(site: Site) -> Mutant:
    def apply() -> Any:
        module = importlib.import_module(site.module)
        code = _code(module, site.function, _Rewrite(lambda node: [ast.Pass()], {site.line}))
        return _swapped({_target(module, site.function): code})

    return Mutant(str(site), apply)


def _rule_removed(name: str) -> Mutant:
    return Mutant(f"rule {name}", lambda: _rules_replaced({name: always_allow}))


@contextmanager
def _attribute(owner: Any, name: str, value: Any) -> Iterator[None]:
    original = owner.__dict__[name]
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


# Checks that are not a `raise` or a rule: what they let through is decided by a filter.
SCOPING = {
    IN_DISTRICT: lambda: _attribute(User, "in_district_filter", _everything),
    # Its code is swapped, not the module attribute: selectors hold their own reference.
    VISIBLE_FAMILIES: lambda: _swapped(
        {
            cast(FunctionType, family_rules.visible_families_filter): (
                _every_family_for_anyone_signed_in.__code__
            )
        }
    ),
}


def _report(role: str, findings: dict[str, Any]) -> None:
    folder = os.environ.get("FAMILYREACH_MUTATION_REPORT")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{role}.json").write_text(json.dumps(findings, indent=1, sort_keys=True))


def test_the_checks_are_found() -> None:
    """The finder sees the checks this file is about (so an empty list cannot pass)."""
    found = {str(site) for site in permission_sites()}
    assert len(found) > 60
    assert any("families.selectors.family_get_for_user" in site for site in found)
    assert any("operations.views._require_manager" in site for site in found)
    assert "families.view_family" in default_rules
    # Every mutant listed as equivalent is a check that exists (no stale reasons).
    rules_found = {f"rule {name}" for name in default_rules}
    assert sorted(set(EQUIVALENT) - found - rules_found) == []


@pytest.mark.parametrize("role", _roles_to_run())
def test_removing_any_check_the_matrix_reaches_makes_it_fail(
    role: str, request: pytest.FixtureRequest
) -> None:
    built: World = request.getfixturevalue("world")  # the matrix's world for this role
    sites = permission_sites()
    reached = Reached()
    with _instrumented(sites, reached):
        checked, problems = matrix.matrix_problems(role, built)
    assert problems == [], "the matrix must pass before anything is removed"
    assert checked > 50

    mutants: list[tuple[Mutant, set[str] | None]] = [
        (Mutant(name, apply), reached.cells[name])
        for name, apply in SCOPING.items()
        if name in reached.cells
    ]
    for site in sites:
        if str(site) in reached.cells:
            mutants.append((_raise_removed(site), reached.cells[str(site)]))
    for name in list(default_rules):
        if f"rule {name}" in reached.cells:
            mutants.append((_rule_removed(name), reached.cells[f"rule {name}"]))

    survivors: list[str] = []
    killed: list[str] = []
    for mutant, cells in mutants:
        with mutant.apply():
            try:
                _checked, found = matrix.matrix_problems(
                    role, built, stop_at_first=True, only=cells
                )
            except Exception as error:
                found = [f"{type(error).__name__}: {error}"]
        (killed if found else survivors).append(mutant.name)
    _report(
        role,
        {
            "reached": sorted(reached.cells),
            "killed": sorted(killed),
            "survived": sorted(set(survivors) - set(EQUIVALENT)),
            "equivalent": sorted(set(survivors) & set(EQUIVALENT)),
            "listed_equivalent": sorted(EQUIVALENT),
            "sites": sorted(str(site) for site in sites),
            "rules": sorted(default_rules),
        },
    )
    unexplained = sorted(set(survivors) - set(EQUIVALENT))
    assert unexplained == [], "Removing these checks goes unnoticed by the matrix:\n" + "\n".join(
        unexplained
    )
    # Signed in, every role runs into some check (anonymous visitors are sent to sign in
    # before any view's own check).
    assert killed or role == "anonymous"
