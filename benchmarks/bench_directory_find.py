"""Load test of the family front door on PostgreSQL: /find and the ORUK API near a postcode.

Builds a directory of 50,000 services at 50,000 locations spread over England (uniformly over
England's bounding box, land or sea: a synthetic spread, not real places) with 200,000 schedules,
loads the real Norfolk geography (for postcode lookup), serves it as production does (gunicorn,
several sync worker processes, the production settings, the public page cache on) and drives
it with locust: 50 users, each searching near a postcode drawn at random from a pool of real
Norfolk postcodes, first back to back (no think time: a stress test whose latency is mostly
queueing), then with a think time between searches (people read the results). Two pools: 100
postcodes (popular searches: once warm, most answers are kept pages) and all 27,648 (nearly
every page is built). Prints p50/p95/p99 latency, throughput, the share of answers that came
from the page cache per URL, the server set-up and the machine's load average (it is shared).

    uv run --group bench python benchmarks/bench_directory_find.py
    # or `make bench`: without DATABASE_URL it starts a throw-away PostgreSQL itself.

Options via environment: BENCH_SERVICES (50000), BENCH_USERS (50), BENCH_SECONDS (60, per URL
back to back), BENCH_THINK_SECONDS (60, per URL with think time), BENCH_THINK ("5,15" seconds),
BENCH_WORKERS (gunicorn processes, 4), BENCH_POOLS ("popular" runs only the 100-postcode pool),
BENCH_POOLS ("every" runs only the every-postcode pool), BENCH_URLS (comma-separated
numbers of the URLs to run, from 1, e.g. "2,3"), FAMILYREACH_PUBLIC_CACHE_SECONDS (the
server's page cache, 60; 0 turns it off).

Each line also gives the CPU each answer cost: the gunicorn workers' and PostgreSQL's CPU time
over the run divided by the answers (a fairer figure than pages a second on a shared machine).
"""

import csv
import importlib.util
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import date
from datetime import time as clock
from pathlib import Path

from measuring import cpu_seconds, load_average

ROOT = Path(__file__).resolve().parents[1]
SERVICES = int(os.environ.get("BENCH_SERVICES", "50000"))
SCHEDULES_PER_SERVICE = 4
USERS = int(os.environ.get("BENCH_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
THINK_SECONDS = int(os.environ.get("BENCH_THINK_SECONDS", "60"))
THINK = os.environ.get("BENCH_THINK", "5,15")
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
# England's bounding box (WGS84), roughly.
SOUTH, NORTH, WEST, EAST = 49.95, 55.8, -5.75, 1.77
URLS = {
    "/find (5 miles)": "/find?postcode={postcode}&radius=5",
    "/find (20 miles, 2 filters)": "/find?postcode={postcode}&radius=20&category=stay-and-play&day=MO",
    "/openreferral/services?postcode (10 km)": "/openreferral/services?postcode={postcode}&proximity=10000",
}


def build_directory() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from familyreach.directory import services
    from familyreach.directory.models import (
        Address,
        Location,
        Schedule,
        Service,
        ServiceAtLocation,
        ServiceAttribute,
        TaxonomyTerm,
    )
    from familyreach.directory.search_columns import services_venue_flags_refresh

    call_command("migrate", verbosity=0)
    if Service.objects.count() >= SERVICES:
        print(f"Directory already holds {Service.objects.count():,} services.")
        services_venue_flags_refresh()
        return
    started = time.perf_counter()
    call_command("geo_load_norfolk", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    services.taxonomy_ensure()
    council = services.council_organization_ensure()
    categories = list(TaxonomyTerm.objects.filter(taxonomy__code="early-years"))
    in_person = TaxonomyTerm.objects.get(taxonomy__code="delivery-method", code="in-person")
    rng = random.Random(42)
    days = ["MO", "TU", "WE", "TH", "FR", "SA"]
    batch = 5000
    for start in range(0, SERVICES, batch):
        size = min(batch, SERVICES - start)
        locations, addresses, listings, links, schedules, attributes = [], [], [], [], [], []
        for number in range(start, start + size):
            location = Location(
                id=uuid.uuid4(),
                name=f"Benchmark venue {number}",
                latitude=rng.uniform(SOUTH, NORTH),
                longitude=rng.uniform(WEST, EAST),
                source="benchmark",
                source_reference=str(number),
            )
            locations.append(location)
            addresses.append(
                Address(
                    location=location,
                    address_1=f"{number} High Street",
                    city="Town",
                    state_province="England",
                    postal_code="",
                )
            )
            service = Service(
                id=uuid.uuid4(),
                organization=council,
                name=f"Benchmark session {number}",
                description="Synthetic listing for the load test.",
                minimum_age=0,
                maximum_age=rng.choice([1, 4, 5]),
                assured_date=date(2026, 1, 1),
                source="benchmark",
                source_reference=str(number),
                is_simulated=True,
            )
            listings.append(service)
            link = ServiceAtLocation(id=uuid.uuid4(), service=service, location=location)
            links.append(link)
            for _ in range(SCHEDULES_PER_SERVICE):
                hour = rng.choice([9, 10, 13, 15, 18])
                schedules.append(
                    Schedule(
                        service=service,
                        service_at_location=link,
                        freq="WEEKLY",
                        interval=1,
                        byday=rng.choice(days),
                        dtstart=date(2026, 1, 5),
                        opens_at=clock(hour),
                        closes_at=clock(hour + 1, 30),
                    )
                )
            attributes.append(
                ServiceAttribute(service=service, taxonomy_term=rng.choice(categories))
            )
            attributes.append(ServiceAttribute(service=service, taxonomy_term=in_person))
        Location.objects.bulk_create(locations)
        Address.objects.bulk_create(addresses)
        Service.objects.bulk_create(listings)
        ServiceAtLocation.objects.bulk_create(links)
        Schedule.objects.bulk_create(schedules)
        ServiceAttribute.objects.bulk_create(attributes)
    # bulk_create sends no signals: set the denormalised search column in one pass.
    services_venue_flags_refresh()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Built {Service.objects.count():,} services, {Schedule.objects.count():,} schedules at "
        f"{Location.objects.count():,} locations in {time.perf_counter() - started:.0f} s."
    )


def tune_database() -> None:
    """The planner's cost of a random page read: 4 assumes spinning disks; 1.1 is the usual
    setting on SSD (as here and on any current server). With 4 the planner scanned every
    service-at-location for the bounding-box search instead of using the location index
    (45 ms against 18 ms for a 20-mile search with filters, measured)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        cursor.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')


def sample_postcodes(count: int | None = 100) -> list[str]:
    """`count` real Norfolk postcodes drawn at random (all of them when None)."""
    from familyreach.geo.models import Postcode

    postcodes = sorted(
        Postcode.objects.filter(latitude__isnull=False).values_list("postcode", flat=True)
    )
    if count is None:
        return postcodes
    return random.Random(7).sample(postcodes, min(count, len(postcodes)))


def serve(port: int) -> subprocess.Popen[bytes]:
    """gunicorn with the production settings, as README "Running in production" describes."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
    }
    # Required by the production settings; nothing is sent during the run.
    for name, value in (
        ("NOTIFY_API_KEY", f"benchmark-{uuid.UUID(int=3)}-{uuid.UUID(int=4)}"),
        ("NOTIFY_EMAIL_TEMPLATE_ID", str(uuid.UUID(int=1))),
        ("NOTIFY_SMS_TEMPLATE_ID", str(uuid.UUID(int=2))),
        ("FAMILYREACH_DUTY_SAFEGUARDING_EMAIL", "duty@example.org"),
        ("FAMILYREACH_VOLUNTEER_COORDINATOR_EMAIL", "volunteers@example.org"),
        # No `familyreach worker` runs beside the load test: /healthz must not wait for one.
        ("FAMILYREACH_SCHEDULER_REQUIRED", "false"),
    ):
        environment.setdefault(name, value)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "familyreach.config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read()
            return server
        except OSError:  # refused while starting, or timed out while workers load Django
            time.sleep(0.5)
    server.kill()
    raise SystemExit("The server did not start")


def postgres_pid() -> int | None:
    """The PostgreSQL server of DATABASE_URL (its postmaster: its children are the backends),
    found by its port among the processes named postgres; None when it is not on this machine."""
    port = os.environ["DATABASE_URL"].rsplit(":", 1)[-1].split("/", 1)[0]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (
            command
            and command[0].endswith(b"postgres")
            and f"-p {port}".encode() in b" ".join(command)
        ):
            return int(entry.name)
    return None


def locust(
    base: str,
    label: str,
    path: str,
    postcodes: list[str],
    think: str,
    seconds: int,
    *,
    server_pid: int,
) -> None:
    """One locust run (headless) against one URL pattern; prints its figures."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "run")
        counts_path = Path(folder) / "counts"
        postcodes_path = Path(folder) / "postcodes"
        postcodes_path.write_text(",".join(postcodes))
        before = load_average()
        database_pid = postgres_pid()
        app_cpu = cpu_seconds(server_pid)
        database_cpu = cpu_seconds(database_pid) if database_pid else 0.0
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(Path(__file__).parent / "locustfile_directory.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                # Back to back: everyone at once. With think time: ramp over 10 s, as people
                # arrive one by one rather than all in the same second.
                str(USERS if think == "0" else max(1, USERS // 10)),
                "--run-time",
                f"{seconds}s",
                "--host",
                base,
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **os.environ,
                "DIRECTORY_BENCH_PATH": path,
                "DIRECTORY_BENCH_LABEL": label,
                "DIRECTORY_BENCH_POSTCODES_FILE": str(postcodes_path),
                "DIRECTORY_BENCH_THINK": think,
                "DIRECTORY_BENCH_COUNTS": str(counts_path),
            },
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        after = load_average()
        app_cpu = cpu_seconds(server_pid) - app_cpu
        database_cpu = (cpu_seconds(database_pid) - database_cpu) if database_pid else 0.0
        with open(f"{prefix}_stats.csv", newline="") as stats_file:
            rows = [row for row in csv.DictReader(stats_file) if row["Name"] == label]
        kept, built = (
            (int(n) for n in counts_path.read_text().split()) if counts_path.exists() else (0, 0)
        )
    if not rows:
        print(f"{label}: locust reported nothing")
        return
    row = rows[0]
    waiting = "no think time" if think == "0" else f"think time {think.replace(',', '–')} s"
    share = f"{100 * kept / (kept + built):.0f} %" if kept + built else "n/a"
    answers = max(1, int(row["Request Count"]))
    cpu = f"CPU per answer: app {1000 * app_cpu / answers:.1f} ms" + (
        f", PostgreSQL {1000 * database_cpu / answers:.1f} ms" if database_pid else ""
    )
    print(
        f"{label}, {len(postcodes):,} postcodes, {USERS} users, {waiting}: "
        f"{int(row['Request Count']):,} requests in "
        f"{seconds} s ({float(row['Requests/s']):.1f}/s), failures {row['Failure Count']}; "
        f"latency ms p50 {row['50%']}, p95 {row['95%']}, p99 {row['99%']}, "
        f"mean {float(row['Average Response Time']):.0f}; from the page cache {share} "
        f"({kept:,} kept, {built:,} built); {cpu}; load average before {before}, "
        f"after {after}"
    )


def drive(port: int, pools: dict[str, list[str]], *, server_pid: int) -> None:
    base = f"http://127.0.0.1:{port}"
    first = next(iter(pools.values()))
    for path in URLS.values():  # load each worker's code, and check each URL answers
        warm(base, path, first[: WORKERS * 2], passes=1)
    print(
        f"Server: gunicorn, {WORKERS} sync worker processes, production settings, "
        f"PostgreSQL on the same {os.cpu_count()}-core machine; locust on it too. "
        f"Public page cache: {os.environ.get('FAMILYREACH_PUBLIC_CACHE_SECONDS', '60')} s "
        "(FAMILYREACH_PUBLIC_CACHE_SECONDS), pages and result cards in each worker's memory."
    )
    for pool, postcodes in pools.items():
        print(f"-- searches near {pool}")
        for think, seconds in (("0", SECONDS), (THINK, THINK_SECONDS)):
            for label, path in chosen_urls().items():
                if len(postcodes) <= 1000:
                    warm(base, path, postcodes, passes=WORKERS)
                locust(base, label, path, postcodes, think, seconds, server_pid=server_pid)


def chosen_urls() -> dict[str, str]:
    wanted = os.environ.get("BENCH_URLS")
    if not wanted:
        return URLS
    numbers = {int(number) for number in wanted.split(",")}
    return {label: path for n, (label, path) in enumerate(URLS.items(), 1) if n in numbers}


def warm(base: str, path: str, postcodes: list[str], *, passes: int) -> None:
    """Ask for every page of a small pool once per worker (not measured), as on a server that
    has been answering these searches: the runs then measure the steady state, in which each
    kept page still expires and is rebuilt every FAMILYREACH_PUBLIC_CACHE_SECONDS (a run lasts
    at least as long, so the rebuilds fall inside it). Connections go to whichever worker is
    free, so this warms most, not all, of each worker's pages. urlopen raises on any answer
    but a success, so this also checks that every URL works."""
    for _ in range(passes):
        for postcode in postcodes:
            url = base + path.format(postcode=postcode.replace(" ", "+"))
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
                response.read()


def main() -> int:
    if "--help" in sys.argv[1:] or "-h" in sys.argv[1:]:
        print(__doc__)
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # Run again inside a throw-away PostgreSQL cluster.
        return subprocess.call(
            ["sh", "-c", f"scripts/with-postgres.sh {sys.executable} {__file__}"], cwd=ROOT
        )
    # Found, not imported: importing locust would monkey-patch this process with gevent.
    if not (importlib.util.find_spec("gunicorn") and importlib.util.find_spec("locust")):
        raise SystemExit("Needs the bench group: uv run --group bench python " + __file__)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    sys.path.insert(0, str(ROOT / "src"))
    build_directory()
    tune_database()
    # Popular searches (a few postcodes, so most answers come from the page cache once it
    # is warm) and the worst case (any postcode in the county, so nearly every page is built).
    pools = {
        "100 postcodes": sample_postcodes(100),
        "every Norfolk postcode": sample_postcodes(None),
    }
    if os.environ.get("BENCH_POOLS") == "popular":
        pools.pop("every Norfolk postcode")
    elif os.environ.get("BENCH_POOLS") == "every":
        pools.pop("100 postcodes")
    # A free port: another server on a fixed port would answer in our place.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve(port)
    try:
        drive(port, pools, server_pid=server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
