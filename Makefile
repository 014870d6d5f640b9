# Casework: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app casework
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres bench mutate lock translations translate-update clean

# The exact versions and hashes in requirements/dev-lock.txt (production installs requirements/lock.txt),
# then Casework itself without resolving anything again.
$(STAMP): pyproject.toml requirements/dev-lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Pin again after changing pyproject.toml's dependencies (LOCK_FLAGS=--upgrade for the newest releases).
# pip-tools lives in its own environment, so it never mixes with Casework's packages.
LOCK_TOOLS := $(VENV)/lock-tools
LOCK_FLAGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet pip-tools)
	$(PIP_COMPILE) --extra redis -o requirements/lock.txt pyproject.toml
	$(PIP_COMPILE) --extra demo,redis,test -c requirements/lock.txt -o requirements/dev-lock.txt pyproject.toml

translations: $(STAMP)
	$(FLASK) translate compile

# `make run PORT=8080` serves on another port; setup links printed by the app name the same one.
PORT ?= 5000
run: export CASEWORK_BASE_URL ?= http://127.0.0.1:$(PORT)
run: translations
	$(FLASK) keys init --exist-ok
	$(FLASK) db upgrade
	$(FLASK) demo accounts
	$(FLASK) demo seed --cases 300 --if-empty
	$(FLASK) deadlines refresh
	$(FLASK) stats release --period $$($(BIN)/python -c "from casework.stats.operations import closed_periods; print(closed_periods()[0])") --if-missing
	@echo "Casework is at http://127.0.0.1:$(PORT), its job worker beside it (stop both with Ctrl-C)"
	$(BIN)/huey_consumer casework.worker.queue --workers 1 --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The Nu HTML checker for tests/test_markup.py: the vnu-jar npm package (it needs Java to run; CI
# installs Debian's default-jre-headless). Without npm the markup test is skipped outside CI.
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	-command -v npm >/dev/null && mkdir -p $(VENV)/vnu && cd $(VENV)/vnu && \
	  npm install --no-save --no-audit --no-fund --silent vnu-jar@26.9.27

# The suite runs in TEST_WORKERS processes (pytest-xdist; `auto`: one per CPU); a worker that runs out
# of tests takes some of another's, so that one file of slow tests does not keep the other waiting.
# `make test TEST_WORKERS=0` runs it in this process alone.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# pytest exits 5 when it collected no tests: that is a failure here, never a pass.
test: translations $(VNU_JAR)
	$(PYTEST); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

# The whole suite against PostgreSQL: each test process builds one database on this server, emptied
# before each test (tests that need a fresh one, such as the migrations, still create their own).
CASEWORK_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
test-postgres: translations $(VNU_JAR)
	CASEWORK_TEST_DATABASE_URL=$(CASEWORK_TEST_DATABASE_URL) $(PYTEST); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

bench: translations
	$(BIN)/python -m benchmarks

# Changes security-critical lines one at a time (tests/mutations/mutations.toml) in a copy of the
# working tree and checks that the tests catch each; fails if any change goes unnoticed.
mutate: translations
	$(BIN)/python tests/mutations/run.py

translate-update: $(STAMP)
	$(FLASK) translate update

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
	find translations -name '*.mo' -delete
