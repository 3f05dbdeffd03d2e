"""The layers contract bites: the tree as it is passes import-linter, and the same tree with one
import from families into delivery (the dependency ADR 0014 removed) fails it, naming the line.

import-linter runs as `make lint` does (`lint-imports` with pyproject.toml's contracts), in a
subprocess so that the copy, not the installed package, is what it reads. The copy links to the
real files and adds one module, so it costs no more than a second graph.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import familyreach

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(familyreach.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
FORBIDDEN = "familyreach.families is not allowed to import familyreach.delivery"


def _lint_imports(python_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(python_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=python_path,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_its_layers() -> None:
    result = _lint_imports(PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_an_import_from_families_into_delivery_fails_the_linter(tmp_path: Path) -> None:
    copy = tmp_path / "familyreach"
    shutil.copytree(
        PACKAGE,
        copy,
        copy_function=os.symlink,
        ignore=shutil.ignore_patterns("__pycache__", "*.so"),
    )
    (copy / "families" / "layer_probe.py").write_text(
        "from familyreach.delivery.models import Booking\n\nBOOKING = Booking\n"
    )

    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Apps are layered from core and accounts up to config BROKEN" in result.stdout
    assert FORBIDDEN in result.stdout
    assert "familyreach.families.layer_probe -> familyreach.delivery.models (l.1)" in result.stdout
    # Delivery imports families, so the probe also closes a cycle between the two apps; the
    # cycles inside apps and the engine's independence are untouched.
    assert "No cycles between apps BROKEN" in result.stdout
    assert "Contracts: 2 kept, 2 broken." in result.stdout
