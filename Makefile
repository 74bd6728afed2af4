# Victim Log: the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint install sysdeps bench bench-quick clean screenshots package

# Byte-compiled as pip and PyInstaller install it (an editable install is not, and
# PYTHONDONTWRITEBYTECODE stops Python doing it on the way): compiling every module
# at each start would add a tenth of a second. Quick when nothing changed.
COMPILE := $(BIN)/python -m compileall -q victim_log

run: $(STAMP)
	@$(COMPILE)
	$(BIN)/victim-log gui

install: $(STAMP)

$(STAMP): pyproject.toml
	@./packaging/sysdeps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@$(COMPILE)
	@touch $(STAMP)

sysdeps:
	@./packaging/sysdeps.sh

lint: $(STAMP)
	$(BIN)/ruff check victim_log tests bench
	$(BIN)/ruff format --check victim_log tests bench
	$(BIN)/mypy

# The benchmarks run at small size first, so they never rot (they fail only if a case
# crashes); the suite runs last so its summary is the closing line.
test: $(STAMP) lint
	@$(MAKE) --no-print-directory bench-quick
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

bench: $(STAMP)
	@./packaging/sysdeps.sh bench
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

bench-quick: $(STAMP)
	@./packaging/sysdeps.sh bench
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench --quick

screenshots: $(STAMP)
	$(BIN)/python docs/make_screenshots.py
	$(BIN)/python docs/make_receive_screenshot.py
	$(BIN)/python docs/make_handoff_screenshot.py

# A one-folder desktop build in dist/victim-log/, then a smoke test of the built app.
package: $(STAMP)
	$(BIN)/pip install --quiet -e '.[package]'
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct) $(BIN)/pyinstaller --noconfirm --clean \
		--distpath dist --workpath build packaging/victim-log.spec
	./packaging/smoke-test.sh dist/victim-log/victim-log

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
