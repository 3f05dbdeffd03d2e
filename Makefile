# familyreach: the project's front door. `make demo` and `make test` work on a fresh machine
# with python3 and make: uv is installed when missing, and uv installs everything else.

UV := sh scripts/uv.sh
RUN := $(UV) run --locked
# Two workers: the CI machine has two cores. PYTEST_WORKERS=0 runs in one process (for -x, pdb).
PYTEST_WORKERS ?= 2
PYTEST := $(RUN) pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help sync kernels demo demo-data serve test test-unit test-browser test-postgres test-stack test-replica smoke-demo fuzz lint format bench assets clean chromium

help:
	@echo "make demo           set up and serve the demo on http://$(HOST):$(PORT) (SQLite, real Norfolk data)"
	@echo "make test           the whole test suite on SQLite, browser tests included, with coverage"
	@echo "make fuzz           20,000 generated requests to every form and URL, SQLite then PostgreSQL: no 500s"
	@echo "make test-unit      the suite without the browser tests"
	@echo "make test-browser   the browser tests only (Playwright + Debian's Chromium + axe-core)"
	@echo "make test-postgres  the suite (no browser tests) on a throw-away PostgreSQL cluster"
	@echo "make test-stack     a production stack on loopback (PostgreSQL, Redis, 2 gunicorn, 2 workers) and tests/stack"
	@echo "make test-replica   the read-replica router on a PostgreSQL primary and streaming replica"
	@echo "make smoke-demo     make demo on a clean clone of HEAD, then its pages and demo sign-ins"
	@echo "make lint           ruff, mypy and the import contracts (import-linter)"
	@echo "make kernels        compile the locate kernels ahead of time (fast cold start; needs gcc)"
	@echo "make bench          benchmarks, printing figures (see docs/benchmarks.md)"
	@echo "make assets         rebuild the committed GOV.UK Frontend, Leaflet and Chart.js files (needs Node)"

sync:
	$(UV) sync --locked

demo: sync
	$(RUN) familyreach migrate --noinput
	FAMILYREACH_DEMO_MODE=true $(RUN) familyreach demo setup
	FAMILYREACH_DEMO_MODE=true HOST=$(HOST) PORT=$(PORT) $(RUN) sh scripts/serve-demo.sh

# tests/stack and the replica tests need the servers that `make test-stack` and `make test-replica`
# start: every other target leaves them out.
# `make test` also measures coverage (lines and branches of src/familyreach) and holds it to the
# floor in pyproject.toml (scripts/coverage_ratchet.py prints the figure, fails below the floor
# and raises it when the suite covers more). The other targets do not measure: it costs time.
test: sync chromium
	rm -f .coverage .coverage.*
	$(PYTEST) --cov --cov-report= --cov-fail-under=0 -m "not stack and not replica and not postgres_only"
	$(RUN) python scripts/coverage_ratchet.py

test-unit: sync
	$(PYTEST) -m "not browser and not stack and not replica and not postgres_only"

test-browser: sync chromium
	$(PYTEST) -m browser

test-postgres: sync
	scripts/with-postgres.sh $(PYTEST) -m "not browser and not stack and not replica"

test-stack: sync
	scripts/test-stack.sh

# The read-replica router against a real streaming replica (a primary and a hot standby).
test-replica: sync
	scripts/with-postgres-replica.sh $(RUN) pytest -p no:xdist -m replica tests/core/test_replica_router.py

smoke-demo:
	scripts/smoke-demo.sh

chromium:
	sh scripts/ensure-chromium.sh

lint: sync
	$(RUN) ruff check src tests benchmarks
	$(RUN) ruff format --check src tests benchmarks
	$(RUN) mypy
	$(RUN) lint-imports

format: sync
	$(RUN) ruff check --fix src tests benchmarks
	$(RUN) ruff format src tests benchmarks

# The property-based run of issue 18: 20,000 generated requests (4,000 per role) to every form
# and parameterised URL, on SQLite then PostgreSQL; none may get a 500. `make test` runs 600.
FUZZ_EXAMPLES ?= 4000
fuzz: sync
	FAMILYREACH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FAMILYREACH_FUZZ_RANDOM=1 $(RUN) pytest -n 2 --dist load tests/web/test_no_input_gives_a_500.py
	FAMILYREACH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FAMILYREACH_FUZZ_RANDOM=1 scripts/with-postgres.sh $(RUN) pytest -n 2 --dist load tests/web/test_no_input_gives_a_500.py

# The locate engine's compiled kernels as extension modules (docs/decisions/0010-compiled-kernels.md):
# without them numba compiles on first use. setuptools is needed by numba.pycc only for this build.
kernels: sync
	$(RUN) --with setuptools python -m familyreach.locate.build_kernels

bench: sync
	$(UV) sync --locked --group bench
	$(RUN) --group bench python benchmarks/run_all.py

assets:
	npm ci --no-audit --no-fund
	sh scripts/build-assets.sh

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
