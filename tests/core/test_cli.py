import subprocess
import sys

from familyreach.cli import _translate


def test_two_word_commands_map_to_management_commands() -> None:
    known = {"geo_load_norfolk", "geo_summary", "migrate"}
    assert _translate(["familyreach", "geo", "load-norfolk", "--x"], known) == [
        "familyreach",
        "geo_load_norfolk",
        "--x",
    ]
    assert _translate(["familyreach", "migrate", "--noinput"], known) == [
        "familyreach",
        "migrate",
        "--noinput",
    ]
    assert _translate(["familyreach", "geo", "--json"], known) == ["familyreach", "geo", "--json"]


def test_familyreach_help_lists_usage() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "familyreach.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "familyreach geo load-norfolk" in result.stdout
