# Touchpoint: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate demo worker i18n-extract i18n-update i18n-compile bench clean

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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
