"""geo: loading Norfolk, lookups, the travel-time matrix and the travel model's calibration.

Run: `uv run python benchmarks/bench_geo.py` (or `make bench`). Uses an in-memory SQLite
database, so it touches nothing else. Prints figures; docs/benchmarks.md records them.
"""

import os
import time

import numpy as np


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from familyreach.geo.models import Area, Venue
    from familyreach.geo.norfolk import load_norfolk, norfolk_data_dir
    from familyreach.geo.selectors import place_lookup
    from familyreach.geo.travel import calibrate, travel_times

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_norfolk()
    print(f"load-norfolk, empty database: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    load_norfolk()
    print(f"load-norfolk again (nothing changed): {time.perf_counter() - started:.2f} s")

    queries = ["NR30 1NE", "nr301ne", "NR30", "Thetford", "Breckland", "Thetford Library"] * 20
    started = time.perf_counter()
    for query in queries:
        place_lookup(query)
    elapsed = time.perf_counter() - started
    print(f"place_lookup: {1000 * elapsed / len(queries):.1f} ms per lookup (mixed kinds)")

    areas, venues = list(Area.objects.all()), list(Venue.objects.all())
    for mode in ("car", "public_transport", "walk"):
        started = time.perf_counter()
        result = travel_times(areas, venues, mode)
        print(
            f"travel_time_matrix {mode}: {result.minutes.shape[0]} × {result.minutes.shape[1]} "
            f"in {time.perf_counter() - started:.2f} s (median {float(np.median(result.minutes)):.0f} min)"
        )

    fit = calibrate(norfolk_data_dir())
    print(
        f"travel model: median APE {fit.median_ape_within_limit:.1%} (≤ 40 km, "
        f"{fit.pairs_fitted} pairs), {fit.median_ape:.1%} (all {fit.pairs} pairs)"
    )


if __name__ == "__main__":
    main()
