# The two commands of the README: `make run` and `make test`. Everything else is a helper of those.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test env system lint typecheck bench clean

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

env: | $(UV)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen

# Debian packages: CJK fonts and harfbuzz-subset for PDF reports, poppler for PDF tests,
# Chromium for browser tests. Needs root (CI and the dev machines run as root).
system:
	bash scripts/install-system.sh

# Serve the platform on the embedded default: database under var/, the Jinan plan, the demo data.
run: env
	uv run carbonpeak init
	uv run carbonpeak demo load
	uv run carbonpeak serve --host $(HOST) --port $(PORT)

test: env system
	uv run pytest

lint: env
	uv run ruff check .
	uv run mypy carbonpeak

bench: env
	for b in benchmarks/*.py; do uv run python $$b || exit 1; done

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache test-output
