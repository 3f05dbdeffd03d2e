"""Locust users for bench_directory_find.py (run by it; not a benchmark on its own).

Each user requests one URL pattern over and over, with a postcode drawn at random from a list
of real Norfolk postcodes, and waits a think time between requests (none by default). Users
are FastHttpUser (geventhttpclient): the load generator shares the machine with the server,
and the plain HttpUser (requests) spends several times more of its CPU per request.

Environment (set by bench_directory_find.py):
  DIRECTORY_BENCH_PATH       URL with a {postcode} slot, e.g. /find?postcode={postcode}&radius=5
  DIRECTORY_BENCH_LABEL      the name the figures are reported under
  DIRECTORY_BENCH_POSTCODES_FILE  a file of comma-separated postcodes (27,648 are too many for
                             an environment variable); or DIRECTORY_BENCH_POSTCODES, the list
  DIRECTORY_BENCH_THINK      "0" (back to back) or "low,high" seconds, drawn uniformly
  DIRECTORY_BENCH_COUNTS     a file to write "kept built" into at the end: how many answers
                             came from the public page cache and how many were built
"""

import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("DIRECTORY_BENCH_PATH", "/find?postcode={postcode}&radius=5")
LABEL = os.environ.get("DIRECTORY_BENCH_LABEL", PATH)
_POSTCODES_FILE = os.environ.get("DIRECTORY_BENCH_POSTCODES_FILE")
POSTCODES = (
    Path(_POSTCODES_FILE).read_text()
    if _POSTCODES_FILE
    else os.environ.get("DIRECTORY_BENCH_POSTCODES", "NR30 1NE")
).split(",")
THINK = os.environ.get("DIRECTORY_BENCH_THINK", "0")
COUNTS = {"kept": 0, "built": 0}


def _wait_time() -> Callable[..., float]:
    if THINK == "0":
        return constant(0)
    low, high = (float(part) for part in THINK.split(","))
    return between(low, high)


class FamilySearching(FastHttpUser):
    wait_time = _wait_time()

    @task
    def search(self) -> None:
        path = PATH.format(postcode=quote_plus(random.choice(POSTCODES)))
        with self.client.get(path, name=LABEL, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            kept = response.headers.get("X-Familyreach-Cache") == "hit"
            COUNTS["kept" if kept else "built"] += 1


@events.test_stop.add_listener
def _write_counts(**kwargs: Any) -> None:
    target = os.environ.get("DIRECTORY_BENCH_COUNTS")
    if target:
        with open(target, "w") as counts_file:
            counts_file.write(f"{COUNTS['kept']} {COUNTS['built']}\n")
