# The two commands of the README: `make run` and `make test`. Everything else is a helper of those.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
# uv lives in a private venv under the project, made by the machine's own python3 (works with
# Debian's, where PEP 668 refuses `pip install` outside a venv) and always called by its path.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(CURDIR)/.tools/bin/uv
# uv never downloads a Python (it uses the python3 found above) and compiles bytecode at install.
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
# the platform's certificate store (a proxy with its own CA answers for the package index here)
export UV_SYSTEM_CERTS := 1
export UV_PYTHON := $(shell command -v $(PYTHON))
RUN := $(UV) run --frozen --no-sync

.PHONY: run test env env-dev system lint typecheck bench clean

# The stamp names the version: changing UV_VERSION makes a new .tools on the next run.
UV_STAMP := .tools/.uv-$(UV_VERSION)
$(UV_STAMP):
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python >= 3.11" >&2; exit 2; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "make: $(UV_PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); carbonpeak needs >= 3.11 (make PYTHON=python3.12 …)" >&2; exit 2; }
	@$(PYTHON) -m venv --clear .tools || { \
	  echo "make: '$(PYTHON) -m venv' failed; on Debian install its venv module: apt-get install python3-venv" >&2; exit 2; }
	.tools/bin/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'
	@touch $@

# The runtime environment only (what `make run` needs; --inexact keeps the test tools of an
# earlier `make test`); env-dev adds the test and lint tools.
env: $(UV_STAMP)
	$(UV) sync --frozen --no-dev --inexact --quiet

env-dev: $(UV_STAMP)
	$(UV) sync --frozen --quiet

# Debian packages: CJK fonts and harfbuzz-subset for PDF reports, poppler for PDF tests,
# Chromium for browser tests. Needs root (CI and the dev machines run as root).
system:
	bash scripts/install-system.sh test

# Serve the platform on the embedded default: database under var/, the Jinan plan, the demo data.
# The port is checked first, so a taken one is said before init and demo load run.
run: env
	@$(RUN) carbonpeak serve --check-port --host $(HOST) --port $(PORT) --hint 'make run PORT={port}'
	@bash scripts/install-system.sh run
	$(RUN) carbonpeak init
	$(RUN) carbonpeak demo load
	$(RUN) carbonpeak serve --host $(HOST) --port $(PORT)

# The tests' caches (pint's unit-definition cache, under kaya-decomposition) live in the checkout:
# a cache in $HOME keeps the paths of another checkout's .venv and breaks when that one is gone.
test: env-dev system
	XDG_CACHE_HOME=$(CURDIR)/.cache/test $(RUN) pytest

lint: env-dev
	$(RUN) ruff check .
	$(RUN) mypy carbonpeak

# Every benchmark, then one table of all goals (met / missed) in benchmarks/RESULTS.md.
BENCHMARKS := cli inventory lmdi projection pages upload load enterprise metering
bench: env-dev
	for b in $(BENCHMARKS); do $(RUN) python benchmarks/$$b.py || exit 1; done
	$(RUN) python benchmarks/report.py

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache test-output
