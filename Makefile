# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make demo   create .venv, install pinned dependencies, crawl the bundled mirror into ./archive.db
#   make test   same set-up, then the lint (make lint) and the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The stock pip 23.2 mis-resolves some extras: upgrade it inside the venv first.
PIP_VERSION := 26.3

# The browser test drives the distribution's Chromium through Playwright; Playwright's
# own browser downloads are never used (and cannot work on a closed network).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The scale-out tests run workers and the writer through Debian's redis-server, on a port of
# their own on loopback, in memory only (no dump file, no append-only file).
REDIS_TEST_PORT ?= 6399
REDIS_TEST_URL := redis://127.0.0.1:$(REDIS_TEST_PORT)/0

.PHONY: demo test lint install clean chromium redis

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==$(PIP_VERSION)"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,analysis]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsspider demo --db archive.db

chromium:
	@test -x $(CHROMIUM) || { \
		echo "installing Debian's chromium for the browser test"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

redis:
	@command -v redis-server >/dev/null || { \
		echo "installing Debian's redis-server for the scale-out tests"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; }
	@redis-cli -p $(REDIS_TEST_PORT) ping >/dev/null 2>&1 || { \
		redis-server --daemonize yes --save '' --appendonly no --bind 127.0.0.1 --port $(REDIS_TEST_PORT) \
			--pidfile /tmp/newsspider-redis-$(REDIS_TEST_PORT).pid --logfile /tmp/newsspider-redis-$(REDIS_TEST_PORT).log && \
		for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli -p $(REDIS_TEST_PORT) ping >/dev/null 2>&1 && break; sleep 0.5; done; \
		redis-cli -p $(REDIS_TEST_PORT) ping >/dev/null || { echo "redis-server did not start on port $(REDIS_TEST_PORT)"; exit 1; }; }

# ruff, configured in pyproject.toml ([tool.ruff]); `make test` stops on the first violation.
lint: $(STAMP)
	$(BIN)/ruff check newsspider tests bench

test: $(STAMP) lint chromium redis
	NEWSSPIDER_TEST_REDIS=$(REDIS_TEST_URL) $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) archive.db archive.db-wal archive.db-shm test-artifacts .pytest_cache

# Extraction quality against the shared Fundus pages, beside trafilatura and htmldate.
FUNDUS_CASES ?= ../shared/data/fundus/cases.jsonl
.PHONY: eval
eval: $(STAMP)
	$(BIN)/newsspider eval $(FUNDUS_CASES) --compare trafilatura,htmldate

# The same, with every field per fold of publishers and each rule measured in-sample and out-of-fold.
.PHONY: eval-folds
eval-folds: $(STAMP)
	$(BIN)/newsspider eval $(FUNDUS_CASES) --compare trafilatura,htmldate --folds 5 --worst 5

# Long parser fuzzing (not part of `make test`, which runs a few thousand cases):
#   make fuzz            10^5 mutated real pages and random documents, figures printed
#   make fuzz-atheris    coverage-guided (libFuzzer) run seeded with the fixture pages
FUZZ_CASES ?= 100000
ATHERIS_RUNS ?= 20000
.PHONY: fuzz fuzz-atheris
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz_parse.py -n $(FUZZ_CASES)

fuzz-atheris: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,fuzz]'
	mkdir -p test-artifacts/fuzz-crashes
	$(BIN)/python bench/atheris_parse.py -runs=$(ATHERIS_RUNS) -artifact_prefix=test-artifacts/fuzz-crashes/

# Crawl benchmark (not part of `make test`): pages/s, peak RSS and CPU of bare Scrapy, a
# newsspider crawl and two Redis workers + ingest on a synthetic mirror; see docs/PERFORMANCE.md.
# Run it on an otherwise idle machine: it warns when other processes took CPU meanwhile.
#   make bench                   10,000 articles, a few minutes
#   make bench BENCH_ARGS='-n 2000 --profile'
BENCH_ARGS ?=
.PHONY: bench
bench: $(STAMP) redis
	NEWSSPIDER_TEST_REDIS=$(REDIS_TEST_URL) $(BIN)/python bench/crawl.py $(BENCH_ARGS)
