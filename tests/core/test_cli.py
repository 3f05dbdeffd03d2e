"""The `familyreach` command line: groups listed from the commands themselves, Django's commands
unchanged. Users meet it as a console script, so the main paths run the installed entry point in
a subprocess; the for-every-group checks call `main` in-process (the same code, without ~2 s of
Django start-up per case)."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import load_command_class

from familyreach.cli import Registry, group_help, invocation, main, main_help

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.executable).parent / "familyreach"
REGISTRY = Registry.load()
GROUPS = sorted(REGISTRY.groups)
PROJECT_COMMANDS = sorted(
    name for name, app in REGISTRY.apps.items() if app.startswith("familyreach.")
)
GROUPED_COMMANDS = [
    (group, action, name)
    for group, actions in sorted(REGISTRY.groups.items())
    for action, name in sorted(actions.items())
]


def run_in_shell(
    command: list[str], *, environment: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`command` run from the repository as a shell would, its output captured as text."""
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        env=environment,
        cwd=REPO,
    )


def familyreach(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.test",
        "COLUMNS": "80",
        **environment,
    }
    return run_in_shell([str(ENTRY_POINT), *arguments], environment=env)


def without_test_settings() -> dict[str, str]:
    """The environment of a council's shell: no DJANGO_SETTINGS_MODULE, so the command's own
    default (development) settings apply."""
    environment = {**os.environ}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return environment


def run_main(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """`main` in this process: (exit status, stdout, stderr)."""
    try:
        main(["familyreach", *arguments])
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def listed_lines(text: str, heading: str) -> list[str]:
    """The indented lines under `heading:` up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(f"{heading}:") + 1
    listed = []
    for line in lines[start:]:
        if not line.strip():
            break
        listed.append(line)
    return listed


def assert_lists_actions(listed: list[str], group: str) -> None:
    actions = REGISTRY.groups[group]
    assert len(listed) == len(actions), listed
    for line, (action, name) in zip(listed, sorted(actions.items()), strict=True):
        label, _, summary = line.strip().partition("  ")
        assert label == action
        assert summary.strip() == REGISTRY.summary(name)


def test_the_project_has_the_groups_users_know() -> None:
    assert {"geo", "plan", "directory", "demo", "insight", "families", "delivery", "community"} <= (
        set(GROUPS)
    )
    assert REGISTRY.groups["geo"]["load-norfolk"] == "geo_load_norfolk"
    assert REGISTRY.groups["demo"]["accounts"] == "demo_accounts"


def test_familyreach_help_lists_every_group_with_its_commands_one_line_each() -> None:
    result = familyreach("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: familyreach <group> <command> [options]")
    for group in GROUPS:
        assert_lists_actions(listed_lines(result.stdout, group), group)
    # 80 columns fit every line whole. A summary cut short ends in "…": shorten the first
    # sentence of that command's `help` (the rest still shows in its own --help).
    assert [line for line in result.stdout.splitlines() if "…" in line] == []
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_no_words_help_and_h_all_give_the_main_listing(capsys: pytest.CaptureFixture[str]) -> None:
    expected = main_help(REGISTRY) + "\n"
    for arguments in ((), ("-h",), ("help",)):
        assert run_main(capsys, *arguments) == (0, expected, ""), arguments


def test_familyreach_plan_help_lists_the_plan_commands() -> None:
    """The issue's example: this answered "Unknown command: 'plan'"."""
    result = familyreach("plan", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: familyreach plan <command> [options]")
    assert_lists_actions(listed_lines(result.stdout, "commands"), "plan")


@pytest.mark.parametrize("group", GROUPS)
def test_every_group_lists_its_commands_three_ways(
    capsys: pytest.CaptureFixture[str], group: str
) -> None:
    outputs = []
    for arguments in ((group, "--help"), (group, "-h"), ("help", group)):
        status, out, err = run_main(capsys, *arguments)
        assert (status, err) == (0, ""), arguments
        outputs.append(out)
    assert outputs[0] == outputs[1] == outputs[2] == group_help(REGISTRY, group) + "\n"
    assert_lists_actions(listed_lines(outputs[0], "commands"), group)


def test_an_unknown_group_is_a_usage_error_listing_the_groups() -> None:
    result = familyreach("plna", "run", "x.toml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("familyreach: unknown command 'plna'. Did you mean 'plan'?")
    assert f"groups: {', '.join(GROUPS)}" in result.stderr


def test_an_unknown_action_is_a_usage_error_listing_the_group() -> None:
    result = familyreach("geo", "frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("familyreach geo: unknown command 'frobnicate'.")
    assert_lists_actions(listed_lines(result.stderr, "commands"), "geo")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("geo",), "familyreach geo: which command?"),
        (("geo", "--json"), "familyreach geo: unknown option '--json'"),
        (("plan", "runn"), "familyreach plan: unknown command 'runn'. Did you mean 'run'?"),
        (("help", "plan", "runn"), "familyreach plan: unknown command 'runn'."),
        (("help", "nothing-here"), "familyreach: unknown command 'nothing-here'."),
    ],
)
def test_usage_errors_exit_2_with_the_list(
    capsys: pytest.CaptureFixture[str], arguments: tuple[str, ...], message: str
) -> None:
    status, out, err = run_main(capsys, *arguments)
    assert status == 2
    assert out == ""
    assert err.startswith(message)
    assert "commands:" in err or "groups:" in err


def test_a_command_help_shows_its_own_options_under_the_words_typed() -> None:
    result = familyreach("geo", "load-norfolk", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "usage: familyreach geo load-norfolk [-h] [--data-dir DATA_DIR]"
    )
    assert "Load Norfolk's open data from data/norfolk/." in result.stdout


@pytest.mark.parametrize(("group", "action", "name"), GROUPED_COMMANDS)
def test_every_command_help_works_both_ways(
    capsys: pytest.CaptureFixture[str], group: str, action: str, name: str
) -> None:
    usage = f"usage: familyreach {group} {action} "
    status, out, _ = run_main(capsys, group, action, "--help")
    assert status == 0
    assert out.startswith(usage)
    status, out, _ = run_main(capsys, "help", group, action)
    assert status == 0
    assert out.startswith(usage)


def test_a_command_argument_error_names_the_words_typed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run_main(capsys, "plan", "run")
    assert status == 2
    assert "familyreach plan run: error: the following arguments are required" in err


# Synopses name values in capitals; these stand for numbers and dates the parsers check.
PLACEHOLDERS = {"N": "1", "M": "1", "S": "1", "DATE": "2026-06-30", "YYYY-MM-DD": "2026-06-30"}


def documented_invocations() -> list[tuple[str, list[str]]]:
    """Every `familyreach …` a reader is told to type, in README.md and docs/ (code spans and
    code blocks), as (where, words): optional [brackets] opened, shell variables dropped."""
    found = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        in_block = False
        lines = iter(enumerate(path.read_text().splitlines(), 1))
        for number, first_line in lines:
            line = first_line
            while line.endswith("\\"):  # a shell line continued
                line = line[:-1] + next(lines, (0, ""))[1]
            if line.lstrip().startswith("```"):
                in_block = not in_block
                continue
            spans = [line.split("#", 1)[0]] if in_block else re.findall(r"`([^`]+)`", line)
            for span in spans:
                match = re.match(r"\s*(?:uv run )?familyreach (\S.*)", span)
                # `--help` alone and synopses such as `<group> --help` name no command.
                if match is None or match.group(1).startswith("-") or "<" in match.group(1):
                    continue
                words = shlex.split(match.group(1).replace("[", " ").replace("]", " "))
                words = [PLACEHOLDERS.get(word, word) for word in words if not word.startswith("$")]
                found.append((f"{path.relative_to(REPO)}:{number}", words))
    return found


def test_the_docs_document_commands() -> None:
    documented = documented_invocations()
    assert {place.split(":")[0] for place, _ in documented} >= {"README.md", "docs/geo.md"}
    assert len(documented) >= 30
    # The finder reads the README's inline and fenced commands, wherever they stand.
    assert ["geo", "load-norfolk"] in [
        words for place, words in documented if place.startswith("README.md:")
    ]


# Parses each invocation with the command's own parser, as running it would, without running it.
PARSE_EACH = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.dev")
import django
django.setup()
from django.core.management import load_command_class
from familyreach.cli import Registry, invocation
registry = Registry.load()
failures = []
for where, words in json.load(sys.stdin):
    try:
        explain = words[0] == "help"  # `help` names a group, a command or --commands
        if explain:
            words = words[1:]
        group_listing = [[], ["-h"], ["--help"]] if explain else [["-h"], ["--help"]]
        if explain and words[:1] == ["--commands"]:
            continue
        if words[0] in registry.groups and words[1:] in group_listing:
            continue
        name, prog, arguments = invocation(registry, words)
        command = load_command_class(registry.apps[name], name)
        if not explain and not {"-h", "--help"} & set(arguments):  # help: named is enough
            command.create_parser("familyreach", prog).parse_args(arguments)
    except (Exception, SystemExit) as error:
        failures.append(f"{where}: familyreach {' '.join(words)}: {error!r}")
print(json.dumps(failures))
"""


def test_every_documented_invocation_parses() -> None:
    """With the default (development) settings a council's shell has: the test settings' eager
    task backend would refuse `db_worker`'s default --backend, which production accepts."""
    result = run_in_shell(
        [sys.executable, "-c", PARSE_EACH],
        environment=without_test_settings(),
        stdin=json.dumps(documented_invocations()),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_django_commands_and_group_commands_run(tmp_path: Path) -> None:
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    check = familyreach("check", **database)
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues" in check.stdout
    # Only geo's migrations: the whole set takes a minute of CPU, and proves nothing more here.
    migrate = familyreach("migrate", "geo", "--noinput", **database)
    assert migrate.returncode == 0, migrate.stderr
    assert "Applying geo.0001_initial... OK" in migrate.stdout
    summary = familyreach("geo", "summary", "--json", **database)
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["districts"] == 0
    unknown = familyreach("geo", "postcode", "NR30 1NE", **database)
    assert unknown.returncode == 1  # the command's CommandError, reported without a traceback
    assert "Traceback" not in unknown.stderr
    assert unknown.stderr.strip()


def test_settings_on_the_command_line_are_honoured() -> None:
    """Read before Django starts, as `manage.py --settings` is (the old front door ignored it)."""
    result = run_in_shell(
        [str(ENTRY_POINT), "diffsettings", "--settings=familyreach.config.settings.test"],
        environment=without_test_settings(),
    )
    assert result.returncode == 0, result.stderr
    # Only the test settings hash passwords with MD5 (whatever DATABASE_URL says).
    assert "MD5PasswordHasher" in result.stdout


def test_new_commands_join_their_group_without_edits() -> None:
    registry = Registry.from_commands(
        {
            "geo_load_norfolk": "familyreach.geo",
            "outbox_send_pending": "familyreach.core",
            "worker": "familyreach.core",
            "axes_reset": "axes",
            "migrate": "django.core",
        }
    )
    assert registry.groups == {
        "geo": {"load-norfolk": "geo_load_norfolk"},
        "outbox": {"send-pending": "outbox_send_pending"},
    }
    assert registry.ungrouped == ("worker",)
    # A third-party command keeps its Django name and forms no group.
    assert invocation(registry, ["axes_reset", "--help"]) == (
        "axes_reset",
        "axes_reset",
        ["--help"],
    )
    assert invocation(registry, ["outbox", "send-pending", "--limit", "5"]) == (
        "outbox_send_pending",
        "outbox send-pending",
        ["--limit", "5"],
    )


def test_a_group_named_like_a_django_command_leaves_that_command_alone() -> None:
    registry = Registry.from_commands({"check": "django.core", "check_venues": "familyreach.geo"})
    assert invocation(registry, ["check", "--deploy"]) == ("check", "check", ["--deploy"])
    assert invocation(registry, ["check", "venues"]) == ("check_venues", "check venues", [])


@pytest.mark.parametrize("name", PROJECT_COMMANDS)
def test_every_project_command_has_a_one_line_help(name: str) -> None:
    help_text = str(load_command_class(REGISTRY.apps[name], name).help)
    assert help_text.strip(), f"{name} has no help"
    assert "\n" not in help_text


def completions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, line: str
) -> list[str]:
    """What `familyreach` answers to Django's completion protocol for the words typed so far."""
    words = line.split(" ")
    monkeypatch.setenv("DJANGO_AUTO_COMPLETE", "1")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    status, out, _ = run_main(capsys, *words[1:])
    assert status == 0
    return out.split()


def test_completion_offers_groups_then_their_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert completions(capsys, monkeypatch, "familyreach pl") == ["plan"]
    first_words = completions(capsys, monkeypatch, "familyreach ")
    assert {*GROUPS, "help", "migrate", "check"} <= set(first_words)
    assert "geo_load_norfolk" not in first_words  # offered as `geo load-norfolk`
    plan = sorted(REGISTRY.groups["plan"])
    assert completions(capsys, monkeypatch, "familyreach plan ") == plan
    assert completions(capsys, monkeypatch, "familyreach help plan ") == plan
    assert completions(capsys, monkeypatch, "familyreach plan run --o") == ["--output="]
    assert completions(capsys, monkeypatch, "familyreach migrate --fake") == [
        "--fake",
        "--fake-initial",
    ]


def test_the_bash_completion_script_completes_a_command_option() -> None:
    """The documented script in real bash, calling the installed `familyreach`."""
    script = (
        ". scripts/familyreach-completion.bash\n"
        "COMP_WORDS=(familyreach geo load-norfolk --da)\n"
        "COMP_CWORD=3\n"
        "_familyreach_completion familyreach\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = run_in_shell(
        ["bash", "-c", script],
        environment={
            **os.environ,
            "PATH": f"{ENTRY_POINT.parent}{os.pathsep}{os.environ['PATH']}",
            "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.test",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["--data-dir="]
