# Thăng Long — two commands do everything: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export THANGLONG_DATA_DIR ?= $(abspath ../shared/data)

.PHONY: install run test test-postgres lint typecheck bench messages clean

$(BIN)/thanglong: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/thanglong

# Installs, migrates, loads the Hanoi demo data, then serves web + worker on http://$(HOST):$(PORT)
run: install
	$(BIN)/thanglong migrate --noinput
	$(BIN)/thanglong demo
	$(BIN)/thanglong serve --host $(HOST) --port $(PORT)

# The whole suite: lint, types, tests on SQLite; on PostgreSQL/Redis too when their URLs are set.
test: install
	$(BIN)/ruff check thanglong tests bench
	$(BIN)/ruff format --check thanglong tests bench
	$(BIN)/mypy thanglong
	$(BIN)/pytest -p no:cacheprovider
	@if [ -n "$$THANGLONG_TEST_POSTGRES_URL" ]; then \
		echo "== test suite again on PostgreSQL"; \
		DATABASE_URL="$$THANGLONG_TEST_POSTGRES_URL" $(BIN)/pytest -p no:cacheprovider -m "not browser"; \
	else echo "THANGLONG_TEST_POSTGRES_URL not set: PostgreSQL run skipped"; fi

lint:
	$(BIN)/ruff check thanglong tests bench
	$(BIN)/ruff format --check thanglong tests bench

bench: install
	$(PY) -m bench

messages: install
	cd thanglong && ../$(BIN)/django-admin makemessages -l vi -l en --no-obsolete
	cd thanglong && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var staticfiles
