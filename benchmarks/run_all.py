"""Run every benchmark script in this folder (files named `bench_*.py` or listed here)."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS: list[str] = []


def main() -> int:
    scripts = SCRIPTS or sorted(p.name for p in HERE.glob("bench_*.py"))
    if not scripts:
        print("No benchmarks yet.")
        return 0
    for name in scripts:
        print(f"=== {name}")
        sys.argv = [name]
        runpy.run_path(str(HERE / name), run_name="__main__")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
