# Two commands for a fresh machine: `make demo` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test example bench picture bulletin-picture clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dispatchbook demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

example: $(STAMP)
	$(BIN)/dispatchbook init workbooks/example.xlsx --example --force

bench: $(STAMP)
	$(BIN)/python benchmarks/rules_100k.py
	$(BIN)/python benchmarks/xlsx_write.py
	$(BIN)/python benchmarks/sync_100k.py
	$(BIN)/python benchmarks/history_100k.py

picture: $(STAMP)
	$(BIN)/python docs/render_board.py

bulletin-picture: $(STAMP)
	$(BIN)/python docs/render_bulletin.py

clean:
	rm -rf $(VENV) build
