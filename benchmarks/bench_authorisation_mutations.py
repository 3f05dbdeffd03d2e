"""The authorisation matrix's mutation check for every role, added up (docs/runbooks/security.md).

`make test` runs tests/web/test_authorisation_mutations.py for two roles; this runs it for all
nine, then adds up each role's findings: how many permission checks there are, how many some
role's matrix reaches, how many of those are killed (removing the check makes the matrix fail),
and which checks no role reaches (a page or request the matrix does not yet exercise: a
candidate for a new row). Exits non-zero when a reached check survives.

    uv run python benchmarks/bench_authorisation_mutations.py
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="familyreach-mutations-") as folder:
        environment = {
            **os.environ,
            "FAMILYREACH_MUTATION_ROLES": os.environ.get("FAMILYREACH_MUTATION_ROLES", "all"),
            "FAMILYREACH_MUTATION_REPORT": folder,
        }
        started = time.monotonic()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/web/test_authorisation_mutations.py",
                "-p",
                "no:xdist",
                "-q",
                "--show-capture=no",
            ],
            cwd=ROOT,
            env=environment,
            check=False,
        )
        seconds = time.monotonic() - started
        reports = {path.stem: json.loads(path.read_text()) for path in Path(folder).glob("*.json")}
    if not reports:
        print("no role reported: see the pytest output above")
        return 1
    sites = set().union(*(set(r["sites"]) for r in reports.values()))
    rules = set().union(*(set(r["rules"]) for r in reports.values()))
    reached = set().union(*(set(r["reached"]) for r in reports.values()))
    killed = set().union(*(set(r["killed"]) for r in reports.values()))
    survived = set().union(*(set(r["survived"]) for r in reports.values())) - killed
    listed = set().union(*(set(r.get("listed_equivalent", [])) for r in reports.values()))
    checks = sites | {f"rule {name}" for name in rules}
    # Equivalent: a reached check whose removal no request notices, or one no request can
    # reach because another check refuses first (each with its reason in the test).
    equivalent = (
        set().union(*(set(r.get("equivalent", [])) for r in reports.values()))
        | (listed & checks) - reached
    ) - killed
    unreached = sorted(checks - reached - equivalent)
    print(f"roles: {', '.join(sorted(reports))} ({seconds:.0f} s)")
    print(f"permission checks: {len(sites)} raise sites, {len(rules)} rules, 2 district filters")
    print(f"reached by some role's matrix: {len(checks & reached)} of {len(checks)}")
    print(
        f"reached, or listed as equivalent: {len((checks & reached) | equivalent)} of {len(checks)}"
    )
    print(f"mutants killed: {len(killed)}; survived: {len(survived)}")
    for name in sorted(survived):
        print(f"  SURVIVED {name}")
    print(f"equivalent (another check refuses first; reasons in the test): {len(equivalent)}")
    for name in sorted(equivalent):
        print(f"  {name}")
    print(f"not reached by any role ({len(unreached)}):")
    for name in unreached:
        print(f"  {name}")
    return 1 if survived or unreached or run.returncode else 0


if __name__ == "__main__":
    raise SystemExit(main())
