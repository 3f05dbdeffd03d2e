"""Locust users for bench_directory_find.py (run by it; not a benchmark on its own).

Each user requests one URL pattern over and over, with a postcode drawn at random from a list
of real Norfolk postcodes, and waits a think time between requests (none by default).

Environment (set by bench_directory_find.py):
  DIRECTORY_BENCH_PATH       URL with a {postcode} slot, e.g. /find?postcode={postcode}&radius=5
  DIRECTORY_BENCH_LABEL      the name the figures are reported under
  DIRECTORY_BENCH_POSTCODES  comma-separated postcodes
  DIRECTORY_BENCH_THINK      "0" (back to back) or "low,high" seconds, drawn uniformly
"""

import os
import random
from urllib.parse import quote_plus

from locust import HttpUser, between, constant, task

PATH = os.environ.get("DIRECTORY_BENCH_PATH", "/find?postcode={postcode}&radius=5")
LABEL = os.environ.get("DIRECTORY_BENCH_LABEL", PATH)
POSTCODES = os.environ.get("DIRECTORY_BENCH_POSTCODES", "NR30 1NE").split(",")
THINK = os.environ.get("DIRECTORY_BENCH_THINK", "0")


def _wait_time() -> object:
    if THINK == "0":
        return constant(0)
    low, high = (float(part) for part in THINK.split(","))
    return between(low, high)


class FamilySearching(HttpUser):
    wait_time = _wait_time()

    @task
    def search(self) -> None:
        path = PATH.format(postcode=quote_plus(random.choice(POSTCODES)))
        with self.client.get(path, name=LABEL, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
