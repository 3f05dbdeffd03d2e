"""CPU per built search page, in one warm process: where a /find or ORUK API page's time goes.

The load test (bench_directory_find.py) says how many pages a second the server answers; on a
machine shared with other jobs that figure mostly measures the neighbours. This one measures
what a page costs: it runs the production settings in this process (DEBUG off, the public page
and card caches on), asks for pages through Django's WSGI handler (every middleware, no
network) for postcodes drawn at random from all of Norfolk's and never asked for before, so
every page is built, and divides this process's CPU time (and PostgreSQL's, from /proc) by
the pages. With --profile it also prints a cProfile breakdown by part.

    DATABASE_URL=postgres://… uv run --group bench python benchmarks/bench_directory_page_cpu.py
    # Without DATABASE_URL it starts a throw-away PostgreSQL and builds the 50,000-service
    # directory of bench_directory_find.py first (a few minutes).

Options via environment: BENCH_PAGES (300 per URL), BENCH_URLS (numbers, from 1, as in
bench_directory_find.py), BENCH_PROFILE=1 (print the profile of each URL's pages).
"""

import cProfile
import io
import os
import pstats
import random
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

from measuring import cpu_seconds, load_average

ROOT = Path(__file__).resolve().parents[1]
PAGES = int(os.environ.get("BENCH_PAGES", "300"))


def production_environment() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "familyreach.config.settings.production"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("CONN_MAX_AGE", "60")
    for name, value in (
        ("NOTIFY_API_KEY", f"benchmark-{uuid.UUID(int=3)}-{uuid.UUID(int=4)}"),
        ("NOTIFY_EMAIL_TEMPLATE_ID", str(uuid.UUID(int=1))),
        ("NOTIFY_SMS_TEMPLATE_ID", str(uuid.UUID(int=2))),
        ("FAMILYREACH_DUTY_SAFEGUARDING_EMAIL", "duty@example.org"),
        ("FAMILYREACH_VOLUNTEER_COORDINATOR_EMAIL", "volunteers@example.org"),
        ("FAMILYREACH_SCHEDULER_REQUIRED", "false"),
    ):
        os.environ.setdefault(name, value)


# Where a function's own time is counted, by the file it is in (first match wins).
PARTS = (
    ("templates (Jinja2, GOV.UK macros, our .html)", (".html", "/jinja2/", "/markupsafe/")),
    ("database driver (psycopg, Django's backend)", ("/psycopg/", "/django/db/backends/")),
    ("ORM (query building, compiling, model instances)", ("/django/db/",)),
    ("DRF and JSON", ("/rest_framework/", "/json/", "orjson")),
    (
        "middleware and request handling",
        (
            "/django/middleware/",
            "/django/contrib/",
            "/django/core/handlers/",
            "/django/http/",
            "/django_otp/",
            "/axes/",
            "/auditlog/",
            "/whitenoise/",
            "/middleware.py",
            "/core/input.py",
            "/core/public_cache.py",
            "/core/db_routers.py",
            "/django/test/",
        ),
    ),
    ("forms", ("/django/forms/", "/directory/forms.py")),
    ("directory code (selectors, views, cards)", ("/familyreach/directory/",)),
    ("caches (pickling, local memory)", ("/django/core/cache/", "pickle")),
)


def print_breakdown(profiler: cProfile.Profile, pages: int) -> None:
    """CPU ms per page by part, then the heaviest functions. A function's own time counts to
    the part its file belongs to; built-ins and the standard library (str.join, copy,
    isinstance...) count to the parts of their callers, in proportion to the time each caller
    spent in them. Waiting for PostgreSQL's answer is left out (it is PostgreSQL's CPU)."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def own_part(function: tuple[str, int, str]) -> str | None:
        filename, _line, name = function
        if "wait" in name and ("psycopg" in filename or (filename == "~" and "poll" in name)):
            return "waiting for PostgreSQL (left out)"
        return next((part for part, marks in PARTS if any(m in filename for m in marks)), None)

    shares: dict[tuple[str, int, str], dict[str, float]] = {}

    def share_of(function: tuple[str, int, str], depth: int = 0) -> dict[str, float]:
        """The parts a function's time counts to, as fractions (memoised; cycles cut)."""
        if function in shares:
            return shares[function]
        part = own_part(function)
        callers = stats.get(function, (0, 0, 0, 0, {}))[4]
        if part is not None or not callers or depth > 20:
            result = {part or "other": 1.0}
        else:
            shares[function] = {"other": 1.0}  # a cycle back here counts as "other"
            spent = sum(timing[2] for timing in callers.values()) or 1.0
            result = {}
            for caller, timing in callers.items():
                for name, fraction in share_of(caller, depth + 1).items():
                    result[name] = result.get(name, 0.0) + fraction * timing[2] / spent
        shares[function] = result
        return result

    totals: dict[str, float] = {}
    for function, (_calls, _primitive, own, _cumulative, _callers) in stats.items():
        for part, fraction in share_of(function).items():
            totals[part] = totals.get(part, 0.0) + own * fraction
    totals.pop("waiting for PostgreSQL (left out)", None)
    whole = sum(totals.values())
    print(f"  profiled CPU {1000 * whole / pages:.1f} ms a page (cProfile adds its own cost):")
    for part, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"    {1000 * seconds / pages:5.1f} ms  {100 * seconds / whole:4.1f} %  {part}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    print(out.getvalue())


def main() -> int:
    if "--help" in sys.argv[1:] or "-h" in sys.argv[1:]:
        print(__doc__)
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return subprocess.call(
            ["sh", "-c", f"scripts/with-postgres.sh {sys.executable} {__file__}"], cwd=ROOT
        )
    # The directory (a no-op when it is there already), built with the test settings in a
    # process of its own: this one runs the production settings from the start.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import bench_directory_find as b; b.build_directory(); b.tune_database()",
        ],
        cwd=Path(__file__).parent,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.test",
        },
        check=True,
    )
    sys.path.insert(0, str(ROOT / "src"))
    production_environment()
    import django

    django.setup()
    from django.db import connections
    from django.test import Client

    import bench_directory_find as load_test

    for connection in connections.all():
        connection.close()
    postcodes = load_test.sample_postcodes(None)
    random.Random(11).shuffle(postcodes)
    client = Client()
    database_pid = load_test.postgres_pid()
    profile = os.environ.get("BENCH_PROFILE") == "1"
    print(f"CPU per built page, {PAGES} pages per URL, production settings, one process")
    used = 0
    for label, path in load_test.chosen_urls().items():
        # Warm-up: imports, template compilation, connections (not measured).
        for postcode in postcodes[used : used + 20]:
            assert client.get(path.format(postcode=postcode)).status_code == 200
        used += 20
        batch = postcodes[used : used + PAGES]
        used += PAGES
        before = load_average()
        profiler = cProfile.Profile() if profile else None
        app = time.process_time()
        database = cpu_seconds(database_pid) if database_pid else 0.0
        wall = time.perf_counter()
        if profiler:
            profiler.enable()
        for postcode in batch:
            response = client.get(path.format(postcode=postcode))
            assert response.status_code == 200, response.status_code
            assert response.headers.get("X-Familyreach-Cache") != "hit"
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - wall
        app = time.process_time() - app
        database = (cpu_seconds(database_pid) - database) if database_pid else 0.0
        print(
            f"{label}: app {1000 * app / len(batch):.1f} ms CPU per page, PostgreSQL "
            f"{1000 * database / len(batch):.1f} ms, wall {1000 * wall / len(batch):.1f} ms"
            f"{' (profiled: slower)' if profiler else ''}; load average before {before}, "
            f"after {load_average()}"
        )
        if profiler:
            print_breakdown(profiler, len(batch))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
