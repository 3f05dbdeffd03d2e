"""The `familyreach` command: Django's management commands, grouped for a council's shell jobs.

    familyreach geo load-norfolk        runs the management command `geo_load_norfolk`
    familyreach plan run scenario.toml  runs `plan_run scenario.toml`
    familyreach geo --help              lists the geo commands, one line each
    familyreach migrate                 any Django command works as it is

The groups are read from the commands themselves: every management command of a familyreach app
named `<group>_<action>` is `familyreach <group> <action>` (underscores in the action become
hyphens), and its `help` is its line in the listings. A new command file is a new command here,
with no edit to this module. The commands stay plain Django commands (`call_command("plan_run")`
and `familyreach plan_run` work too); docs/decisions/0005-command-line.md says why this is not
django-typer.
"""

import difflib
import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

PROG = "familyreach"
# argparse's and click's exit status for a command line that names nothing runnable.
USAGE_ERROR = 2
HELP_FLAGS = ("-h", "--help")
# A full stop then a capital ends the summary; "e.g. nr.csv" does not.
FIRST_SENTENCE = re.compile(r"(?<=\.)\s+(?=[A-Z])")


@dataclass(frozen=True)
class Registry:
    """Every management command Django finds, with the project's own arranged in groups."""

    apps: dict[str, str]  # command name -> the app that holds it (Django's get_commands())
    groups: dict[str, dict[str, str]]  # group -> action -> command name
    ungrouped: tuple[str, ...]  # project commands with no `<group>_` prefix, e.g. `worker`

    @classmethod
    def from_commands(cls, apps: dict[str, str]) -> "Registry":
        groups: dict[str, dict[str, str]] = {}
        ungrouped = []
        for name, app in sorted(apps.items()):
            # Only our own apps form groups: third-party names such as `axes_reset` or
            # `db_worker` keep their Django spelling rather than inventing "groups" of one.
            if not app.startswith("familyreach."):
                continue
            if "_" in name:
                group, action = name.split("_", 1)
                groups.setdefault(group, {})[action.replace("_", "-")] = name
            else:
                ungrouped.append(name)
        return cls(apps=apps, groups=groups, ungrouped=tuple(ungrouped))

    @classmethod
    def load(cls) -> "Registry":
        from django.core.management import get_commands

        return cls.from_commands(dict(get_commands()))

    def is_group(self, word: str, following: Sequence[str]) -> bool:
        """Whether `familyreach <word> <following…>` means the group `word`.

        A Django command of the same name wins unless the next word is one of the group's actions.
        """
        if word not in self.groups:
            return False
        if word not in self.apps:
            return True
        return bool(following) and following[0] in self.groups[word]

    def summary(self, name: str) -> str:
        """The first sentence of a command's `help`: its line in the listings.

        The rest of `help` (columns, caveats) is in `familyreach <group> <action> --help`. Loading
        the class imports the command's module; nothing runs.
        """
        from django.core.management import load_command_class

        help_text = " ".join(str(load_command_class(self.apps[name], name).help).split())
        return FIRST_SENTENCE.split(help_text, maxsplit=1)[0]


def _fit(text: str, width: int) -> str:
    """Cut `text` at a word to fit `width` columns, as click cuts its short help."""
    if len(text) <= width:
        return text
    cut = text[: max(width - 1, 1)].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return f"{cut}…"


def _listing(registry: Registry, rows: Sequence[tuple[str, str]], indent: str = "  ") -> str:
    """`name  one line of help` rows, cut to the terminal's width (80 columns when piped)."""
    if not rows:
        return ""
    width = shutil.get_terminal_size().columns
    name_width = max(len(label) for label, _ in rows) + 2
    lines = []
    for label, name in rows:
        room = max(width - len(indent) - name_width - 1, 20)
        lines.append(f"{indent}{label:<{name_width}}{_fit(registry.summary(name), room)}")
    return "\n".join(lines)


def group_help(registry: Registry, group: str) -> str:
    actions = registry.groups[group]
    return (
        f"usage: {PROG} {group} <command> [options]\n\n"
        f"commands:\n{_listing(registry, sorted(actions.items()))}\n\n"
        f"'{PROG} {group} <command> --help' shows a command's options."
    )


def main_help(registry: Registry) -> str:
    sections = [
        f"usage: {PROG} <group> <command> [options]\n"
        f"       {PROG} <django command> [options]\n\n"
        "The jobs a council runs from a shell, by group. Django's own commands work as\n"
        f"they are ({PROG} migrate); '{PROG} help --commands' lists them all."
    ]
    for group, actions in sorted(registry.groups.items()):
        sections.append(f"{group}:\n{_listing(registry, sorted(actions.items()))}")
    if registry.ungrouped:
        rows = [(name, name) for name in registry.ungrouped]
        sections.append(f"other commands:\n{_listing(registry, rows)}")
    sections.append(
        f"'{PROG} <group> --help' lists a group's commands;\n"
        f"'{PROG} <group> <command> --help' shows a command's options."
    )
    return "\n\n".join(sections)


def _usage_error(message: str, listing: str) -> NoReturn:
    sys.stderr.write(f"{message}\n\n{listing}\n")
    raise SystemExit(USAGE_ERROR)


def _suggestion(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def _unknown_command(registry: Registry, word: str) -> NoReturn:
    known = [*registry.groups, *registry.apps, "help"]
    groups = ", ".join(sorted(registry.groups))
    other = ", ".join(registry.ungrouped)
    _usage_error(
        f"{PROG}: unknown command '{word}'.{_suggestion(word, known)}",
        f"groups: {groups}\n"
        + (f"other commands: {other}\n" if other else "")
        + f"'{PROG} --help' lists each group's commands; "
        f"'{PROG} help --commands' lists Django's too.",
    )


def _action(registry: Registry, group: str, words: Sequence[str]) -> str:
    """The command name for `familyreach <group> <words[0]>`, or a usage error listing the group."""
    actions = registry.groups[group]
    if not words or words[0].startswith("-"):
        problem = f"unknown option '{words[0]}'" if words else "which command?"
        _usage_error(f"{PROG} {group}: {problem}", group_help(registry, group))
    if words[0] not in actions:
        _usage_error(
            f"{PROG} {group}: unknown command '{words[0]}'.{_suggestion(words[0], list(actions))}",
            group_help(registry, group),
        )
    return actions[words[0]]


def invocation(registry: Registry, words: Sequence[str]) -> tuple[str, str, list[str]]:
    """What `familyreach <words…>` runs: (management command, the words naming it, its arguments).

    Usage errors (an unknown group, action or command) end the process with status 2.
    """
    if registry.is_group(words[0], words[1:]):
        name = _action(registry, words[0], words[1:])
        return name, f"{words[0]} {words[1]}", list(words[2:])
    if words[0] not in registry.apps:
        _unknown_command(registry, words[0])
    return words[0], words[0], list(words[1:])


def _run_in_group(registry: Registry, words: Sequence[str]) -> None:
    from django.core.management import load_command_class

    name, prog, arguments = invocation(registry, words)
    command = load_command_class(registry.apps[name], name)
    # `prog` becomes argparse's prog after "familyreach", so usage lines and errors read
    # "familyreach geo load-norfolk", the words the user typed, not the module's name.
    command.run_from_argv([PROG, prog, *arguments])


def _help(registry: Registry, words: Sequence[str]) -> None:
    """`familyreach help [<group> [<action>]]`; Django answers for its own commands."""
    from django.core.management import execute_from_command_line, load_command_class

    if not words:
        print(main_help(registry))
    elif len(words) == 1 and registry.is_group(words[0], []):
        print(group_help(registry, words[0]))
    elif registry.is_group(words[0], words[1:]):
        name, prog, _ = invocation(registry, words)
        load_command_class(registry.apps[name], name).print_help(PROG, prog)
    elif words[0] in registry.apps or words[0].startswith("-"):
        execute_from_command_line([PROG, "help", *words])
    else:
        _unknown_command(registry, words[0])


def _set_up_django(arguments: Sequence[str]) -> None:
    """Read --settings and --pythonpath before set-up, as Django's own front door does."""
    from django.core.management.base import CommandError, CommandParser, handle_default_options

    parser = CommandParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    try:
        options, _ = parser.parse_known_args(arguments)
        handle_default_options(options)
    except CommandError:
        pass  # the command's own parser reports it, as Django's front door leaves it to do
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.dev")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> None:
    try:
        _dispatch(list(sys.argv[1:] if argv is None else argv[1:]))
    except BrokenPipeError:
        # The reader stopped early (`familyreach --help | head`): end quietly, as git does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None


def _dispatch(words: list[str]) -> None:
    from django.core.management import execute_from_command_line

    _set_up_django(words)
    registry = Registry.load()
    if os.environ.get("DJANGO_AUTO_COMPLETE"):
        autocomplete(registry)
    if not words or words[0] in HELP_FLAGS:
        print(main_help(registry))
    elif words[0] == "help":
        _help(registry, words[1:])
    elif registry.is_group(words[0], words[1:]):
        if words[1:] and words[1] in HELP_FLAGS:
            print(group_help(registry, words[0]))
        else:
            _run_in_group(registry, words)
    elif words[0] in registry.apps or words[0].startswith("-"):
        execute_from_command_line([PROG, *words])
    else:
        _unknown_command(registry, words[0])


def autocomplete(registry: Registry) -> NoReturn:
    """Bash completion through Django's protocol (COMP_WORDS, COMP_CWORD, DJANGO_AUTO_COMPLETE).

    Groups and their actions are completed here; a command's options by Django, given the words
    rewritten to the command's own name.
    """
    from django.core.management import ManagementUtility

    words = os.environ.get("COMP_WORDS", "").split()[1:]
    position = int(os.environ.get("COMP_CWORD", "0"))
    current = words[position - 1] if 0 < position <= len(words) else ""
    if words[:1] == ["help"]:
        # `familyreach help <group> <action>` takes the same words as running the command.
        words, position = words[1:], position - 1
    if position == 1:
        grouped = {name for actions in registry.groups.values() for name in actions.values()}
        choices = {*registry.groups, *(set(registry.apps) - grouped), "help"}
    elif position == 2 and words[0] in registry.groups:
        choices = set(registry.groups[words[0]])
    elif position > 2 and words[0] in registry.groups and words[1] in registry.groups[words[0]]:
        name = registry.groups[words[0]][words[1]]
        os.environ["COMP_WORDS"] = " ".join([PROG, name, *words[2:]])
        os.environ["COMP_CWORD"] = str(position - 1)
        ManagementUtility([PROG, name, *words[2:]]).autocomplete()
        raise SystemExit(0)
    else:
        ManagementUtility([PROG, *words]).autocomplete()
        raise SystemExit(0)
    print(" ".join(sorted(choice for choice in choices if choice.startswith(current))))
    raise SystemExit(0)


if __name__ == "__main__":
    main()
