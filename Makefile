# Vitrine: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test lint format translations extract-messages clean bench

run: $(VENV)/.runtime $(COMPILED)
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	VITRINE_SCHEDULER=1 MFA_REQUIRED_ROLES= $(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.dev $(COMPILED)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations: $(COMPILED)

%.mo: %.po $(VENV)/.runtime
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +

bench: $(VENV)/.dev $(COMPILED)
	$(BIN)/python -m bench.run $(BENCH_ARGS)
