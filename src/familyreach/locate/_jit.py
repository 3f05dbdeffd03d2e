"""Compiled kernels without paying for numba at import: ahead-of-time modules, else lazy JIT.

A function decorated with `kernel` is resolved on its first call:

1. If the ahead-of-time module built by ``python -m familyreach.locate.build_kernels`` is present
   (``_aot_<module>`` next to the source, e.g. ``_aot_branch.cpython-313-x86_64-linux-gnu.so``)
   and exports the function, that is used. It needs only numpy: no numba import, no LLVM, no
   cache to load, so a command-line process starts in a fraction of a second
   (docs/decisions/0010-compiled-kernels.md).
2. Otherwise numba is imported then, and every kernel of that source module is compiled with
   ``numba.njit(cache=True, nogil=True)`` (loaded from numba's cache when it is warm) and put in
   place of its placeholder in the module, so kernels that call each other compile as one.

``FAMILYREACH_LOCATE_JIT=1`` ignores the ahead-of-time modules.

An ahead-of-time module built from older source would silently run old code, so it records a
digest of the source it was built from and is ignored when the source has changed since.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Kernels by source module name, in definition order.
_REGISTRY: dict[str, list[Kernel]] = {}
_AOT_PREFIX = "_aot_"


class Kernel:
    """A placeholder for a compiled function; calling it resolves and calls the compiled one."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.py_func = function
        self.__name__ = function.__name__
        self.__doc__ = function.__doc__
        self.__module__ = function.__module__
        self.implementation: Callable[..., Any] | None = None
        self.ahead_of_time = False

    def __call__(self, *args: Any) -> Any:
        implementation = self.implementation
        if implementation is None:
            implementation = _resolve(self)
        if not self.ahead_of_time:
            return implementation(*args)
        try:
            return implementation(*args)
        except TypeError:
            # Arguments of other types or layouts than the exported signature: compile for them.
            jit_module(self.__module__)
            assert self.implementation is not None
            return self.implementation(*args)


def kernel(function: Callable[..., Any]) -> Kernel:
    """Mark ``function`` as a compiled kernel (numba nopython semantics)."""
    placeholder = Kernel(function)
    _REGISTRY.setdefault(function.__module__, []).append(placeholder)
    return placeholder


def source_digest(module_name: str) -> str:
    """Digest of a kernel module's source file (stored in its ahead-of-time module)."""
    module = sys.modules[module_name]
    assert module.__file__ is not None
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()[:16]


def aot_name(module_name: str) -> str:
    """``familyreach.locate._branch`` → ``familyreach.locate._aot_branch``."""
    package, _, base = module_name.rpartition(".")
    return f"{package}.{_AOT_PREFIX}{base.lstrip('_')}"


def _resolve(placeholder: Kernel) -> Callable[..., Any]:
    compiled = _load_aot(placeholder.__module__)
    if compiled is not None and hasattr(compiled, placeholder.__name__):
        placeholder.implementation = getattr(compiled, placeholder.__name__)
        placeholder.ahead_of_time = True
        return placeholder.implementation
    jit_module(placeholder.__module__)
    assert placeholder.implementation is not None
    return placeholder.implementation


_AOT_CACHE: dict[str, Any] = {}


def _load_aot(module_name: str) -> Any:
    if module_name in _AOT_CACHE:
        return _AOT_CACHE[module_name]
    compiled: Any = None
    if os.environ.get("FAMILYREACH_LOCATE_JIT"):
        _AOT_CACHE[module_name] = None  # asked for numba's JIT (e.g. to test both paths)
        return None
    try:
        compiled = importlib.import_module(aot_name(module_name))
    except ImportError:
        compiled = None
    if compiled is not None:
        built_from = getattr(compiled, "source_digest", None)
        if not callable(built_from) or _digest_text(built_from()) != source_digest(module_name):
            compiled = None  # built from other source: fall back to the JIT
    _AOT_CACHE[module_name] = compiled
    return compiled


def _digest_text(value: Any) -> str:
    # The exported digest is a number (pycc exports numeric types only): see build_kernels.
    return format(int(value), "016x")


def jit_module(module_name: str) -> None:
    """Compile every kernel of ``module_name`` with numba and put it in the module's namespace."""
    import numba

    module = sys.modules[module_name]
    for placeholder in _REGISTRY.get(module_name, []):
        current = module.__dict__[placeholder.__name__]
        if isinstance(current, Kernel):
            module.__dict__[placeholder.__name__] = numba.njit(cache=True, nogil=True)(
                placeholder.py_func
            )
    for placeholder in _REGISTRY.get(module_name, []):
        placeholder.implementation = module.__dict__[placeholder.__name__]
        placeholder.ahead_of_time = False


def kernels_of(module_name: str) -> list[Kernel]:
    """The kernels a module registered (for the ahead-of-time build)."""
    return list(_REGISTRY.get(module_name, []))
