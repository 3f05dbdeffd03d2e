"""What one machine answers at each layer of HTTP caching, and with reads on a replica, for
docs/scaling.md: measured with wrk against gunicorn on loopback, PostgreSQL on the same cores.

Builds the same directory as bench_directory_find.py (50,000 synthetic services over England
and the real Norfolk geography), on a throw-away PostgreSQL primary with a streaming replica
(scripts/with-postgres-replica.sh), serves it with gunicorn and the production settings, and
measures, each for BENCH_SECONDS:

1. a kept /find page answered 200 from the page cache (one URL, warm);
2. the same page answered 304 to If-None-Match (what a CDN's revalidation costs us);
3. a kept ORUK API page (/openreferral/services near a postcode);
then with the page cache off (FAMILYREACH_PUBLIC_CACHE_SECONDS=0, every page built):
4. /find near a postcode drawn at random from all 27,648 in Norfolk: uncached pages;
5. one /find URL answered 304 to If-None-Match from a fresh render (built, then compared);
6. as 4, with DATABASE_REPLICA_URL set: the same pages read from the standby (the replica's
   own transaction count says it answered).

Every line carries the load average before and after (`/proc/loadavg`): the machine is shared.

    scripts/with-postgres-replica.sh uv run --group bench python benchmarks/bench_http_caching.py
    # without DATABASE_URL it starts the primary and replica itself.

Options via environment: BENCH_SERVICES (50000), BENCH_WORKERS (gunicorn processes, 4),
BENCH_SECONDS (20 per run), BENCH_CONNECTIONS (32: wrk's open connections for kept pages),
BENCH_BUILT_CONNECTIONS (8, for built pages), BENCH_THREADS (2).
"""

import importlib.util
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from measuring import cpu_seconds, load_average, postmaster_pid

ROOT = Path(__file__).resolve().parents[1]
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# Built pages take tens of milliseconds of CPU each: two connections per worker keep every
# worker busy without a queue that would only add waiting (and wrk time-outs, whose pages the
# server still builds, uncounted).
BUILT_CONNECTIONS = int(os.environ.get("BENCH_BUILT_CONNECTIONS", "8"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
FIND = "/find?postcode=NR30+1NE&radius=5"
API = "/openreferral/services?postcode=NR30%201NE&proximity=10000"

Headers = dict[str, str]

ROTATE_LUA = """
local postcodes = {}
for line in io.lines(os.getenv("BENCH_POSTCODES_FILE")) do postcodes[#postcodes + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
request = function()
  local postcode = postcodes[math.random(#postcodes)]
  return wrk.format("GET", "/find?postcode=" .. postcode .. "&radius=5")
end
"""


# What wrk's CPU accounting covers: the gunicorn tree and each PostgreSQL cluster.
PROCESSES: dict[str, int] = {}


def fetch(base: str, path: str, headers: Headers | None = None) -> tuple[int, Headers]:
    request = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as answer:  # urllib calls a 304 an error
        return answer.code, dict(answer.headers)


def wrk(
    base: str,
    label: str,
    path: str,
    *,
    headers: Headers | None = None,
    lua: str = "",
    connections: int = CONNECTIONS,
) -> None:
    command = [
        "wrk",
        *("-t", str(min(THREADS, connections)), "-c", str(connections)),
        *("-d", f"{SECONDS}s", "--timeout", "60s", "--latency"),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as folder:
        if lua:
            script = Path(folder) / "script.lua"
            script.write_text(lua)
            command += ["-s", str(script)]
        before = load_average()
        cpu_before = {name: cpu_seconds(pid) for name, pid in PROCESSES.items()}
        wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run(
            [*command, base + path], capture_output=True, text=True, check=False
        ).stdout
        wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in PROCESSES.items()}
        cpu["wrk"] = (wrk_after.ru_utime + wrk_after.ru_stime) - (
            wrk_before.ru_utime + wrk_before.ru_stime
        )
        after = load_average()
    figures = {}
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            figures["rate"] = words[1]
        elif words[:1] in (["50%"], ["99%"]):
            figures[words[0]] = words[1]
        elif "requests in" in line:
            figures["count"] = words[0]
            figures["requests"] = words[0]
        elif line.startswith("  Non-2xx or 3xx responses:"):
            figures["bad"] = words[-1]
        elif "Socket errors" in line:
            figures["socket"] = line.strip()
    print(
        f"{label}: {figures.get('rate', '?')} requests/s ({figures.get('count', '?')} in "
        f"{SECONDS} s, {connections} connections), latency p50 {figures.get('50%', '?')}, "
        f"p99 {figures.get('99%', '?')}, non-2xx/3xx {figures.get('bad', 0)}"
        f"{'; ' + figures['socket'] if 'socket' in figures else ''}; "
        f"load average before {before}, after {after}",
        flush=True,
    )
    # CPU time per request, by part: what capacity planning needs, and much less disturbed
    # by other jobs on a shared machine than requests/s.
    requests = int(figures.get("requests", "0") or 0)
    if requests:
        shares = ", ".join(
            f"{name} {1000 * seconds / requests:.2f}" for name, seconds in cpu.items()
        )
        print(f"  CPU ms per request: {shares}", flush=True)


def replica_transactions() -> int:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_REPLICA_URL"]) as connection:
        row = connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    if "--help" in sys.argv[1:] or "-h" in sys.argv[1:]:
        print(__doc__)
        return 0
    if not os.environ.get("DATABASE_REPLICA_URL"):
        return subprocess.call(
            ["sh", "-c", f"scripts/with-postgres-replica.sh {sys.executable} {__file__}"],
            cwd=ROOT,
        )
    if not shutil.which("wrk"):
        raise SystemExit("Needs wrk: apt-get install wrk")
    if not importlib.util.find_spec("gunicorn"):
        raise SystemExit("Needs the bench group: uv run --group bench python " + __file__)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(Path(__file__).parent))
    replica_url = os.environ.pop("DATABASE_REPLICA_URL")  # the build and tuning: primary only
    import bench_directory_find as directory

    directory.build_directory()
    directory.tune_database()
    postcodes = directory.sample_postcodes(None)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    print(
        f"Server: gunicorn, {directory.WORKERS} sync workers, production settings; PostgreSQL "
        f"primary and streaming replica and wrk ({THREADS} threads) on the same "
        f"{os.cpu_count()} cores, shared with other jobs (see the load averages).",
        flush=True,
    )

    # 1-3: the page cache on (60 s), warm.
    PROCESSES["primary"] = postmaster_pid(os.environ["DATABASE_URL"])
    PROCESSES["replica"] = postmaster_pid(replica_url)
    os.environ["FAMILYREACH_PUBLIC_CACHE_SECONDS"] = "60"
    server = directory.serve(port)
    PROCESSES["app"] = server.pid
    try:
        for _ in range(directory.WORKERS * 4):  # every worker keeps its own copy
            status, headers = fetch(base, FIND)
            fetch(base, API)
        assert status == 200, status
        etag = headers["ETag"]
        status, _ = fetch(base, FIND, {"If-None-Match": etag})
        assert status == 304, status
        wrk(base, "kept /find page, 200 from the page cache", FIND)
        wrk(base, "kept /find page, 304 to If-None-Match", FIND, headers={"If-None-Match": etag})
        wrk(base, "kept ORUK API page, 200 from the page cache", API)
    finally:
        server.terminate()
        server.wait(timeout=30)

    # 4-5: the page cache off: every answer is built.
    os.environ["FAMILYREACH_PUBLIC_CACHE_SECONDS"] = "0"
    with tempfile.TemporaryDirectory() as folder:
        postcodes_file = Path(folder) / "postcodes"
        postcodes_file.write_text("\n".join(p.replace(" ", "+") for p in postcodes) + "\n")
        os.environ["BENCH_POSTCODES_FILE"] = str(postcodes_file)
        server = directory.serve(port)
        PROCESSES["app"] = server.pid
        try:
            status, headers = fetch(base, FIND)
            assert status == 200, status
            assert fetch(base, FIND, {"If-None-Match": headers["ETag"]})[0] == 304
            wrk(
                base,
                "uncached /find, any of 27,648 postcodes, primary",
                "/",
                lua=ROTATE_LUA,
                connections=BUILT_CONNECTIONS,
            )
            wrk(
                base,
                "uncached /find, 304 to If-None-Match after a fresh render",
                FIND,
                headers={"If-None-Match": headers["ETag"]},
                connections=BUILT_CONNECTIONS,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)

        # 6: the same, reads on the replica.
        os.environ["DATABASE_REPLICA_URL"] = replica_url
        server = directory.serve(port)
        PROCESSES["app"] = server.pid
        try:
            fetch(base, FIND)
            before = replica_transactions()
            wrk(
                base,
                "uncached /find, any of 27,648 postcodes, replica",
                "/",
                lua=ROTATE_LUA,
                connections=BUILT_CONNECTIONS,
            )
            print(f"  the replica answered {replica_transactions() - before:,} transactions")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
