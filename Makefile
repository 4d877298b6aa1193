# The two set-up commands of the README:
#   make run    build the graph from the bundled evidence and answer the query library
#   make test   run the test suite: installs the test extra into .venv, then (servers) the Debian
#               packages the tests talk to, with apt-get: default-jdk-headless chromium chromium-driver
#               virtuoso-opensource nginx-light apache2 graphviz (only those missing)
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOME_DIR ?= build
RESULTS ?= results

.PHONY: run test install install-test servers bench docs clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-deps

install: $(VENV)/.run-deps
install-test: $(VENV)/.test-deps

run: install
	$(BIN)/datawork --home $(HOME_DIR) build
	$(BIN)/datawork --home $(HOME_DIR) query --all --out $(RESULTS)

servers:
	bash .ci/install-servers.sh

# the suite on TEST_WORKERS processes (pytest-xdist), each test file whole on one of them (its module
# fixtures: one server, one browser); TEST_WORKERS=0 runs it in this process
TEST_WORKERS ?= 2

test: install-test servers
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: install-test
	mkdir -p $(RESULTS)
	$(BIN)/python -m benchmarks --sizes 10k,100k,1M --baseline-max 100k --out $(RESULTS)/bench.jsonl
	$(BIN)/python -m benchmarks.report $(RESULTS)/bench.jsonl > $(RESULTS)/bench.md

docs: install
	$(BIN)/datawork docs --out build/docs

clean:
	rm -rf $(VENV) build results dist
