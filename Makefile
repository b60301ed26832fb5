# Réflex'tics bot — everything a fresh machine needs goes through these targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test demo demo-week bench validate-decks clean-local clean

# The virtual environment, with the bot, a local Synapse and the test tools.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The foreign test client (tests/foreign: matrix-js-sdk with Element's Rust crypto) and
# its pinned packages. matrix-js-sdk 43 declares Node >= 22 but runs on 20 (client.mjs
# polyfills Promise.withResolvers); npm's EBADENGINE warnings about it are expected.
NODE_STAMP := tests/foreign/node_modules/.installed-stamp
$(NODE_STAMP): tests/foreign/package.json tests/foreign/package-lock.json
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null || \
		{ echo "Node.js 20 or newer (with npm) is needed for the foreign-client tests in tests/foreign"; exit 1; }
	npm ci --prefix tests/foreign --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The bot on an embedded local Synapse (data under .local/), with a trainer login;
# the homeserver listens on 127.0.0.1:$(PORT).
PORT ?= 8008
run: $(STAMP)
	$(PY) -m bot local --dir .local --port $(PORT)

# The whole test suite, including the tests against a real Synapse.
# pytest exits with 5 when nothing was collected (e.g. a -k filter matching
# nothing): that is reported, not hidden as a pass or a crash.
test: $(STAMP) $(NODE_STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests"; fi; \
	exit $$status

# A whole scripted game with simulated players on a throw-away local Synapse.
demo: $(STAMP)
	$(PY) -m bot demo

# The same with a game over a week, the bot's clock sped up (a week in under a minute).
demo-week: $(STAMP)
	$(PY) -m bot demo --week

# The bot against a bare matrix-nio bot on a throw-away Synapse: reply latency, 50 games
# at once, restart with 1,000 games, memory (about 6-7 min on 2 cores; see
# benchmarks/README.md). Prints one table, writes benchmarks/results/<date>-<commit>.json.
# BENCH_ARGS="--profile" adds py-spy profiles of both bots during the load.
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# Check the deck files (the built-in ones, or DECKS="path ...").
validate-decks: $(STAMP)
	$(PY) -m bot validate-decks $(DECKS)

clean-local:
	rm -rf .local

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache tests/foreign/node_modules
