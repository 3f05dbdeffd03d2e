"""Build the ahead-of-time compiled kernels (numba.pycc) next to their source.

    sh scripts/uv.sh run --locked --with setuptools python -m familyreach.locate.build_kernels

Writes ``_aot_branch`` and ``_aot_kernels`` extension modules into this package directory. With
them, `p_median` and the coverage tabu search run without importing numba (see `_jit` and
docs/decisions/0010-compiled-kernels.md); without them, or when the source has changed since the
build, the kernels are compiled by numba's JIT on first use as before. Needs numba, setuptools
and a C compiler; takes a minute or two. Each exported signature matches how the kernels are
called (C-contiguous 2-D lists, any 1-D layout); a call with other types falls back to the JIT.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from familyreach.locate import _jit

_INDEX = "int64[:, ::1]"
_COST = "float64[:, ::1]"
_F = "float64[:]"
_I = "int64[:]"
_B = "boolean[:]"
_S = "int8[:]"

SIGNATURES: dict[str, dict[str, str]] = {
    "familyreach.locate._branch": {
        "_objective": f"float64({_INDEX}, {_COST}, {_F}, {_B})",
        "_node_bound": (
            f"Tuple((float64, boolean, boolean))({_INDEX}, {_COST}, {_F}, {_S}, {_I}, {_I}, {_I}, "
            f"int64, {_F}, {_F}, float64, int64, int64, {_F}, {_F}, {_B}, boolean)"
        ),
        "_fix_by_reduced_cost": (
            f"int64({_INDEX}, {_COST}, {_F}, {_S}, {_I}, {_I}, {_I}, int64, {_F}, float64)"
        ),
        "_explore": (
            f"Tuple((int64, float64, int64))({_INDEX}, {_COST}, {_F}, {_I}, {_I}, {_I}, int64, "
            f"{_F}, int8[:, ::1], float64[:, ::1], {_F}, int64, float64, {_B}, int64, int64)"
        ),
    },
    "familyreach.locate._kernels": {
        "_coverage_tabu": (
            f"Tuple((float64, float64, int64))({_I}, {_I}, {_I}, {_I}, {_F}, {_B}, {_B}, float64, "
            f"{_B}, {_B}, {_I}, {_I}, {_I}, {_I}, int64, int64, int64, int64, int64)"
        ),
    },
}


def build(module_name: str, signatures: dict[str, str]) -> Path:
    """Compile one module's kernels into ``_aot_<module>`` beside it; returns the file."""
    import numba
    from numba.pycc import CC

    module = importlib.import_module(module_name)
    # Kernels call each other: swap every placeholder for a numba dispatcher first, so the
    # exported functions compile their callees in.
    _jit.jit_module(module_name)
    _, _, name = _jit.aot_name(module_name).rpartition(".")
    assert module.__file__ is not None
    output = Path(module.__file__).resolve().parent
    compiler = CC(name)
    compiler.output_dir = str(output)
    compiler.verbose = False
    for function, signature in signatures.items():
        compiler.export(function, signature)(module.__dict__[function].py_func)
    digest = int(_jit.source_digest(module_name), 16)

    def source_digest() -> int:
        return digest

    compiler.export("source_digest", "uint64()")(numba.njit(source_digest).py_func)
    compiler.compile()
    built = sorted(output.glob(f"{name}.*.so")) or sorted(output.glob(f"{name}.*"))
    return built[-1]


def main() -> int:
    for module_name, signatures in SIGNATURES.items():
        started = time.perf_counter()
        path = build(module_name, signatures)
        print(f"{path.name}: {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
