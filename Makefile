# Casework: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app casework
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres bench translations translate-update clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

translations: $(STAMP)
	$(FLASK) translate compile

run: translations
	$(FLASK) keys init --exist-ok
	$(FLASK) db upgrade
	$(FLASK) demo accounts
	$(FLASK) demo seed --cases 300 --if-empty
	$(FLASK) stats release --period $$($(BIN)/python -c "from casework.stats.operations import closed_periods; print(closed_periods()[0])") --if-missing
	@echo "Casework is at http://127.0.0.1:5000 (stop it with Ctrl-C)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# pytest exits 5 when it collected no tests: that is a failure here, never a pass.
test: translations
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

# The whole suite against PostgreSQL; each test creates and drops its own database on this server.
CASEWORK_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
test-postgres: translations
	CASEWORK_TEST_DATABASE_URL=$(CASEWORK_TEST_DATABASE_URL) $(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

bench: translations
	$(BIN)/python -m benchmarks

translate-update: $(STAMP)
	$(FLASK) translate update

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
	find translations -name '*.mo' -delete
