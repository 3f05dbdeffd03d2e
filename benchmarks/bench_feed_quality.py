"""The feed as DfE's Family Hubs importer reads it, over 50,000 services on PostgreSQL.

Generates a directory of BENCH_FEED_SERVICES (50,000) SIMULATED services shaped like a
council's (tests/fixtures/directory_feed.py), then reads the ORUK feed as DfE's importer does:
/openreferral/services page by page (500 a page), then every /openreferral/services/{id},
typing each record as DfE's entities (directory/dfe_reader.py) and applying the feed-quality
rules (directory/feed_quality.py). Prints how many pass, and the time taken (figures only:
nothing is asserted about time). Exits 1 if any service fails.

    uv run python benchmarks/bench_feed_quality.py      # or `make bench`
    BENCH_FEED_SERVICES=5000 uv run python benchmarks/bench_feed_quality.py

Without DATABASE_URL pointing at PostgreSQL it runs itself under scripts/with-postgres.sh.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = int(os.environ.get("BENCH_FEED_SERVICES", "50000"))


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return subprocess.call(
            ["sh", "-c", f"scripts/with-postgres.sh {sys.executable} {__file__}"], cwd=ROOT
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from tests.fixtures.directory_feed import SOURCE, build_feed_directory, judge, read_feed_paging

    from familyreach.directory.models import Service
    from measuring import load_average

    setup_test_environment()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    have = Service.objects.filter(source=SOURCE).count()
    if have < SERVICES:
        build_feed_directory(SERVICES - have, today=today, seed=have + 16)
    print(f"Directory: {SERVICES:,} generated services in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    client = Client(SERVER_NAME="localhost")
    read = passed = 0
    failures: dict[str, list[str]] = {}
    for record in read_feed_paging(client, per_page=500):
        read += 1
        problems = judge(record, today=today)
        if problems:
            failures[record["name"]] = problems
        else:
            passed += 1
    seconds = time.perf_counter() - started
    print(
        f"Read {read:,} services as DfE's importer does (500 a page, then each by id) in "
        f"{seconds:.0f} s ({read / seconds:.0f} a second); {passed:,}/{read:,} pass DfE's "
        f"typed reading and the feed-quality rules."
    )
    print(f"Load average: {load_average()}")
    for name, problems in list(failures.items())[:10]:
        print(f"  FAIL {name}: {', '.join(problems)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
