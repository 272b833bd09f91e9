# rota: two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SIZE ?= county
SEED ?= 1
TIME_LIMIT ?= 60
DEMO_DIR ?= demo

.PHONY: install demo serve test lint bench bench-quick bench-vrp bench-bound clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,bench,dask]'
	touch $@

install: $(VENV)/.installed

demo: install
	mkdir -p $(DEMO_DIR)
	$(BIN)/rota generate --size $(SIZE) --seed $(SEED) -o $(DEMO_DIR)/$(SIZE).xlsx --force
	$(BIN)/rota solve $(DEMO_DIR)/$(SIZE).xlsx -o $(DEMO_DIR)/rota-$(SIZE).xlsx \
		--time-limit $(TIME_LIMIT) --schools $(DEMO_DIR)/schools-$(SIZE) \
		--therapists $(DEMO_DIR)/therapists-$(SIZE) --force
	$(BIN)/rota check $(DEMO_DIR)/$(SIZE).xlsx $(DEMO_DIR)/rota-$(SIZE).xlsx

# The coordinator's page on this computer (http://127.0.0.1:$(PORT)/?token=...), opened in the browser.
PORT ?= 8000
serve: install
	$(BIN)/rota serve --port $(PORT) --open

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench.run

bench-quick: install
	$(BIN)/python -m bench.run --quick

# rota against proven optima on VRP-shaped services (Solomon instances): about 15 minutes.
bench-vrp: install
	$(BIN)/python -m bench.vrp.run

# The proven lower bound on the small and county demos, against rota's rota: about 6 minutes.
bench-bound: install
	$(BIN)/python -m bench.bound

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache
