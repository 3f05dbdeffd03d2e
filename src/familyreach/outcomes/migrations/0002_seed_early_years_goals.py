"""Seed the outcome goals with the early years goals of the Supporting Families outcome
framework (Department for Levelling Up, Housing and Communities, 2022), each scored 1 to 10 as
family plans commonly are. A council changes them in the Django admin."""

from typing import Any

from django.db import migrations

FRAMEWORK = "Supporting Families outcome framework"
GOALS = (
    (
        "good-early-years-development",
        "Good early years development",
        "The child's development is on track for their age: talking, play, movement, "
        "getting ready for nursery and school; the family takes up early education.",
    ),
    (
        "improved-family-relationships",
        "Improved family relationships",
        "Less conflict at home; parents and carers feel confident in how they care for and "
        "respond to their children.",
    ),
    (
        "improved-mental-and-physical-health",
        "Improved mental and physical health",
        "Parents' and children's health needs are met: registered with services, perinatal "
        "mental health supported, immunisations and health checks up to date.",
    ),
    (
        "safe-from-domestic-abuse",
        "Safe from domestic abuse",
        "Everyone in the family is safe at home; support is in place where abuse happened.",
    ),
    (
        "secure-housing",
        "Secure housing",
        "The family has a safe, stable home suitable for young children.",
    ),
    (
        "financial-stability",
        "Financial stability",
        "The family has the income and benefits it is entitled to and manageable debts; adults "
        "move towards work where that is what they want.",
    ),
)


def seed(apps: Any, schema_editor: Any) -> None:
    goal = apps.get_model("outcomes", "OutcomeGoal")
    for position, (code, title, description) in enumerate(GOALS, start=1):
        goal.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "description": description,
                "framework": FRAMEWORK,
                "scale_min": 1,
                "scale_max": 10,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_family_plans_and_outcomes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
