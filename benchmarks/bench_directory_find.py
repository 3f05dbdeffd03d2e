"""Load test of the family front door on PostgreSQL: /find and the ORUK API near a postcode.

Builds a directory of 50,000 services at 50,000 locations spread over England (uniformly over
England's bounding box, land or sea: a synthetic spread, not real places) with 200,000 schedules,
loads the real Norfolk geography (for postcode lookup), serves it with Django's threaded
development server, and drives it with 50 concurrent users (threads, one request after another,
no think time) for a fixed time. Prints p50/p95/p99 latency and throughput per URL.

    scripts/with-postgres.sh uv run python benchmarks/bench_directory_find.py
    # or just `make bench`: without DATABASE_URL it starts a throw-away PostgreSQL itself.

Options via environment: BENCH_SERVICES (50000), BENCH_USERS (50), BENCH_SECONDS (30).
"""

import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = int(os.environ.get("BENCH_SERVICES", "50000"))
SCHEDULES_PER_SERVICE = 4
USERS = int(os.environ.get("BENCH_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
# England's bounding box (WGS84), roughly.
SOUTH, NORTH, WEST, EAST = 49.95, 55.8, -5.75, 1.77
URLS = {
    "/find (5 miles)": "/find?postcode=NR30+1NE&radius=5",
    "/find (20 miles, 2 filters)": "/find?postcode=NR2+1TN&radius=20&category=stay-and-play&day=MO",
    "/openreferral/services?postcode (10 km)": "/openreferral/services?postcode=NR30%201NE&proximity=10000",
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

    call_command("migrate", verbosity=0)
    if Service.objects.count() >= SERVICES:
        print(f"Directory already holds {Service.objects.count():,} services.")
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
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Built {Service.objects.count():,} services, {Schedule.objects.count():,} schedules at "
        f"{Location.objects.count():,} locations in {time.perf_counter() - started:.0f} s."
    )


def serve(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    server.kill()
    raise SystemExit("The server did not start")


def _load(base: str, path: str) -> tuple[list[float], int]:
    """USERS threads request `path` back to back for SECONDS; (sorted latencies, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def user() -> None:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=60) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                ok = False
            took = time.perf_counter() - began
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=user) for _ in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies), errors[0]


def _percentile_ms(latencies: list[float], p: float) -> float:
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000


def drive(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    for url in URLS.values():  # warm up, and check each URL answers 200
        with urllib.request.urlopen(base + url, timeout=60) as response:  # noqa: S310
            assert response.status == 200, url
    for label, url in URLS.items():
        latencies, errors = _load(base, url)
        if not latencies:
            print(f"{label}: no successful requests ({errors} errors)")
            continue
        print(
            f"{label}: {len(latencies):,} requests in {SECONDS:.0f} s with {USERS} users "
            f"({len(latencies) / SECONDS:.1f}/s), errors {errors}; latency ms "
            f"p50 {_percentile_ms(latencies, 0.5):.0f}, p95 {_percentile_ms(latencies, 0.95):.0f}, "
            f"p99 {_percentile_ms(latencies, 0.99):.0f}, mean {statistics.mean(latencies) * 1000:.0f}"
        )


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # Run again inside a throw-away PostgreSQL cluster.
        return subprocess.call(
            ["sh", "-c", f"scripts/with-postgres.sh {sys.executable} {__file__}"], cwd=ROOT
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    sys.path.insert(0, str(ROOT / "src"))
    build_directory()
    # A free port: another server on a fixed port would answer in our place.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve(port)
    try:
        drive(port)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
