"""The shared cache a multi-machine deployment needs (CACHE_URL=redis://...), measured: what
one Redis process answers on loopback, and what Django's Redis cache backend costs per lookup
from one Python process (every kept-page request reads the generation once, and every public
form counts one rate-limit hit). For docs/scaling.md.

Starts Debian's redis-server on a free loopback port (no persistence), runs redis-benchmark
(GET and SET, 50 connections) and then BENCH_LOOKUPS (20,000) generation reads through
django.core.cache.backends.redis.RedisCache, printing operations a second, CPU time per
operation of the client and of the server, and the load average (the machine is shared).

    uv run python benchmarks/bench_shared_cache.py
"""

import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from measuring import cpu_seconds, load_average

LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "20000"))


def main() -> int:
    if "--help" in sys.argv[1:] or "-h" in sys.argv[1:]:
        print(__doc__)
        return 0
    if not (shutil.which("redis-server") and shutil.which("redis-benchmark")):
        raise SystemExit("Needs Debian's redis: apt-get install redis-server redis-tools")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tempfile.mkdtemp(prefix="familyreach-redis.")
    server = subprocess.Popen(
        [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            *("--dir", folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        before, server_before = load_average(), cpu_seconds(server.pid)
        output = subprocess.run(
            ["redis-benchmark", "-p", str(port), "-q", "-t", "get,set", "-n", "200000", "-c", "50"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        server_cpu = cpu_seconds(server.pid) - server_before
        print(
            "redis-benchmark, 50 connections, 200,000 of each: "
            + "; ".join(
                line.strip()
                for line in output.replace("\r", "\n").splitlines()
                if "requests per second" in line
            )
            + f"; redis-server CPU {1e6 * server_cpu / 400_000:.1f} µs per operation; "
            f"load average before {before}, after {load_average()}"
        )

        from django.conf import settings

        settings.configure(
            CACHES={
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": f"redis://127.0.0.1:{port}/0",
                }
            }
        )
        from django.core.cache import cache

        cache.set("public-cache:generation", secrets.token_hex(8), None)
        before, server_before = load_average(), cpu_seconds(server.pid)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        for _ in range(LOOKUPS):
            cache.get("public-cache:generation")
        elapsed = time.perf_counter() - started
        after_usage = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (after_usage.ru_utime + after_usage.ru_stime) - (
            usage.ru_utime + usage.ru_stime
        )
        server_cpu = cpu_seconds(server.pid) - server_before
        print(
            f"Django RedisCache get() of the generation, one process, one at a time: "
            f"{LOOKUPS / elapsed:,.0f} a second ({LOOKUPS:,} in {elapsed:.1f} s); CPU per "
            f"lookup: client {1e6 * client_cpu / LOOKUPS:.0f} µs, redis-server "
            f"{1e6 * server_cpu / LOOKUPS:.1f} µs; load average before {before}, after {load_average()}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
