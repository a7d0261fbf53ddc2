# Touchpoint: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate demo worker i18n-extract i18n-update i18n-compile bench bench-data bench-all clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo
	@echo "Touchpoint: http://127.0.0.1:5000  (demo password in README.md)"
	@trap 'kill 0' INT TERM EXIT; $(FLASK) outbox work --loop & $(FLASK) run --host 127.0.0.1 --port 5000

worker: install
	$(FLASK) outbox work --loop

test: install
	$(BIN)/python -m pytest; status=$$?; if [ $$status -eq 5 ]; then echo "no tests ran"; exit 0; fi; exit $$status

lint: install
	$(BIN)/ruff check app tests bench migrations

i18n-extract: install
	mkdir -p app/translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -o app/translations/messages.pot app

i18n-update: i18n-extract
	for lang in da sv nb nl; do \
	  if [ -f app/translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l $$lang; \
	  else \
	    $(BIN)/pybabel init -i app/translations/messages.pot -d app/translations -l $$lang; \
	  fi; \
	done

i18n-compile: install
	$(BIN)/pybabel compile -f -d app/translations || true

# Benchmarks: `make bench` (SQLite, small company); override BENCH_DB, BENCH_SIZE, BENCH_DURATION, e.g.
# make bench BENCH_DB=postgresql://postgres@127.0.0.1:5432/bench_large BENCH_SIZE=large
BENCH_SIZE ?= small
BENCH_DB ?= sqlite:///$(CURDIR)/instance/bench-$(BENCH_SIZE).sqlite3
BENCH_DURATION ?= 10

bench-data: install
	mkdir -p instance
	$(BIN)/python -m bench.generate --database-url $(BENCH_DB) --size $(BENCH_SIZE)

bench: bench-data
	command -v wrk >/dev/null || (apt-get install -y -qq wrk || { echo "install wrk (Debian: apt-get install wrk)"; exit 1; })
	$(BIN)/python -m bench.run --database-url $(BENCH_DB) --size $(BENCH_SIZE) --duration $(BENCH_DURATION)

# Both sizes on SQLite and PostgreSQL, then the growth table (bench/results/growth.md).
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432
bench-all: install
	command -v wrk >/dev/null || (apt-get install -y -qq wrk || { echo "install wrk (Debian: apt-get install wrk)"; exit 1; })
	mkdir -p instance
	for size in small large; do \
	  $(BIN)/python -m bench.generate --database-url sqlite:///$(CURDIR)/instance/bench-$$size.sqlite3 --size $$size && \
	  $(BIN)/python -m bench.run --database-url sqlite:///$(CURDIR)/instance/bench-$$size.sqlite3 --size $$size --duration $(BENCH_DURATION) || exit 1; \
	  $(BIN)/python -m bench.generate --database-url $(BENCH_PG)/bench_$$size --size $$size && \
	  $(BIN)/python -m bench.run --database-url $(BENCH_PG)/bench_$$size --size $$size --duration $(BENCH_DURATION) || exit 1; \
	done
	$(BIN)/python -m bench.growth

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
