# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make demo   create .venv, install pinned dependencies, crawl the bundled mirror into ./archive.db
#   make test   same set-up, then the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The stock pip 23.2 mis-resolves some extras: upgrade it inside the venv first.
PIP_VERSION := 26.3

.PHONY: demo test install clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==$(PIP_VERSION)"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsspider demo --db archive.db

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) archive.db archive.db-wal archive.db-shm test-artifacts .pytest_cache
