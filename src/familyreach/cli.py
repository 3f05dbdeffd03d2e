"""The `familyreach` command: Django's management commands, grouped for a council's shell jobs.

    familyreach geo load-norfolk        runs the management command `geo_load_norfolk`
    familyreach plan run scenario.toml  runs `plan_run scenario.toml`
    familyreach migrate                 any Django command works as it is

A two-word command `<group> <action>` maps to the management command `<group>_<action>`
(hyphens become underscores) when one exists; anything else goes to Django unchanged.
"""

import os
import sys


def _translate(argv: list[str], known: set[str]) -> list[str]:
    if len(argv) >= 3 and not argv[1].startswith("-") and not argv[2].startswith("-"):
        combined = f"{argv[1]}_{argv[2]}".replace("-", "_")
        if combined in known:
            return [argv[0], combined, *argv[3:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.dev")
    import django
    from django.core.management import execute_from_command_line, get_commands

    django.setup()
    arguments = list(sys.argv if argv is None else argv)
    arguments[0] = "familyreach"
    if len(arguments) == 1 or arguments[1] in ("-h", "--help"):
        print(__doc__)
        groups: dict[str, list[str]] = {}
        for name in sorted(get_commands()):
            if "_" in name:
                group, action = name.split("_", 1)
                groups.setdefault(group, []).append(action.replace("_", "-"))
        print("Command groups:")
        for group in ("geo", "plan", "directory", "demo", "insight", "consult"):
            if group in groups:
                print(f"  familyreach {group} {{{','.join(groups[group])}}}")
        print("\nEvery Django command is also available: familyreach help --commands")
        return
    execute_from_command_line(_translate(arguments, set(get_commands())))


if __name__ == "__main__":
    main()
