"""What the benchmarks measure beside their own figures: the machine's load, and CPU time per
process tree (so a figure says what each part cost, whatever else the machine was doing).

Not a benchmark itself (run_all.py runs files named bench_*.py)."""

import os
from pathlib import Path


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, for the line beside each figure."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants, live or reaped (utime, stime, cutime,
    cstime of each live process in the tree: a reaped child's time is in its parent's c*)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    own: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        child = int(entry.name)
        children.setdefault(int(fields[1]), []).append(child)
        own[child] = sum(int(value) for value in fields[11:15])
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += own.get(current, 0)
        stack.extend(children.get(current, []))
    return total / ticks


def postmaster_pid(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW data_directory").fetchone()
    assert row is not None
    return int((Path(row[0]) / "postmaster.pid").read_text().split()[0])
