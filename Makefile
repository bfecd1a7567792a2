# Brobygger: `make run` (demo server) and `make test` (everything). Nothing to do by hand first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATABASE ?= sqlite:///var/brobygger.db

.PHONY: run test soak bench pwa pwa-if-stale chromium

# Reinstall only when pyproject.toml (the dependencies) or this file (the extras) changes.
$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[test,postgres]'
	@touch $(STAMP)

run: $(STAMP) pwa-if-stale
	@mkdir -p var
	BROBYGGER_DEMO_MODE=true BROBYGGER_DATABASE_URL=$${BROBYGGER_DATABASE_URL:-$(DATABASE)} $(PY) -m server

# tests/postgres runs against Debian's PostgreSQL (installed and started when missing),
# unless BROBYGGER_TEST_POSTGRES_URL already names a server.
test: $(STAMP) chromium
	@if [ -f pwa/package.json ]; then $(MAKE) --no-print-directory pwa; fi
	@url=$${BROBYGGER_TEST_POSTGRES_URL:-$$(bash tests/postgres/start-postgres.sh)} && \
	  echo "PostgreSQL for tests: $${url%%:*}://…@$${url##*@}" && \
	  BROBYGGER_TEST_POSTGRES_URL=$$url $(PY) -m pytest -q

soak: $(STAMP)
	HYPOTHESIS_PROFILE=soak $(PY) -m pytest -q -m "soak or fuzz"

# Sync benchmarks (docs/benchmarks.md): push against the PouchDB peer (npm install in
# bench/peer), the floor and raw SQLite, scaling, two municipalities (PostgreSQL as for
# tests), then 100 devices at once. Short runs: make bench SYNC_ARGS="--ops 2000" LOAD_ARGS="--devices 20 --seconds 10"
bench: $(STAMP)
	cd bench/peer && npm install --no-audit --no-fund
	@url=$${BROBYGGER_TEST_POSTGRES_URL:-$$(bash tests/postgres/start-postgres.sh)} && \
	  BROBYGGER_TEST_POSTGRES_URL=$$url $(PY) bench/sync_push.py $(SYNC_ARGS)
	$(PY) bench/load.py $(LOAD_ARGS)

# The phone app takes the domain from schemas/ (pwa/src/gen/schema.js), then builds.
pwa: $(STAMP)
	$(PY) -m schemas.export
	cd pwa && npm install --no-audit --no-fund && npm run build

# Build the PWA only if it has sources and its build is missing or older than them.
pwa-if-stale:
	@if [ -f pwa/package.json ]; then \
	  src=$$(find pwa/src pwa/package.json -type f -printf '%T@\n' | sort -n | tail -1); \
	  dist=$$(find pwa/dist -type f -printf '%T@\n' 2>/dev/null | sort -n | tail -1); \
	  if [ -z "$$dist" ] || awk "BEGIN { exit !($$src > $$dist) }"; then $(MAKE) --no-print-directory pwa; fi; \
	fi

# Debian's chromium for the end-to-end tests (Playwright cannot download browsers here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi
