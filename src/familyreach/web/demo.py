"""What `familyreach demo setup` loads, in order. Each domain adds its step here.

A step is (app label, dotted path of a function taking `stdout`, what it does). Steps of apps
that are not installed are left out. Every step must be safe to run again (idempotent).
"""

from collections.abc import Callable
from importlib import import_module

from django.apps import apps

from familyreach.core.output import Output

DEMO_STEPS: tuple[tuple[str, str, str], ...] = (
    ("accounts", "familyreach.accounts.demo.load", "demo accounts"),
    ("geo", "familyreach.geo.demo.load", "Norfolk geography, need and venues (real open data)"),
    ("directory", "familyreach.directory.demo.load", "directory: taxonomy, advice, services"),
    ("delivery", "familyreach.delivery.demo.load", "bases, teams and sessions (simulated)"),
    (
        "directory",
        "familyreach.directory.demo.withdraw_duplicates",
        "directory: no simulated session where delivery publishes the venue's timetable",
    ),
    ("delivery", "familyreach.delivery.demo_families.load", "families and attendance (simulated)"),
    (
        "insight",
        "familyreach.insight.demo.load",
        "simulated families and contacts over the real areas, and the reach figures (simulated)",
    ),
    ("planning", "familyreach.planning.demo.load", "the four Norfolk planning scenarios"),
    (
        "community",
        "familyreach.community.demo.load",
        "community groups and peer supporters (simulated)",
    ),
    ("consult", "familyreach.consult.demo.load", "the consultation on the four options"),
    (
        "outcomes",
        "familyreach.outcomes.demo.load",
        "family plans with outcome scores on open and closed cases (simulated)",
    ),
    (
        "commissioning",
        "familyreach.commissioning.demo.load",
        "a provider's contract with four quarterly returns (simulated figures)",
    ),
)


def demo_steps() -> list[tuple[str, Callable[[Output], None]]]:
    steps = []
    for app_label, dotted, description in DEMO_STEPS:
        if not apps.is_installed(f"familyreach.{app_label}"):
            continue
        module_path, function_name = dotted.rsplit(".", 1)
        steps.append((description, getattr(import_module(module_path), function_name)))
    return steps
