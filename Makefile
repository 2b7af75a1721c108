# make book | make test | make lab | make bench | make clean   (see README.md)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODE ?= full
FASHION_MNIST := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

# Full mode builds into _build/html; quick mode (CI) into _build/quick/_build/html. Each has
# its own execution cache, emptied whenever d2lutils changes so outputs match the package.
ifeq ($(MODE),quick)
BUILD_DIR := _build/quick
QUICK := 1
else ifeq ($(MODE),full)
BUILD_DIR := .
QUICK := 0
else
$(error MODE must be full or quick, got '$(MODE)')
endif
CACHE := $(BUILD_DIR)/_build/.jupyter_cache

.PHONY: help setup data book test lab bench clean

help:
	@echo "make book   build the HTML book (full mode; MODE=quick for the fast CI build)"
	@echo "make test   unit tests + every chapter executed in quick mode"
	@echo "make lab    JupyterLab with the chapters opening as notebooks"
	@echo "make clean  remove the virtual environment and build outputs"

setup: $(STAMP) data

# Reinstall only when the pinned requirements or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Fashion-MNIST from Debian's package, unless the reader keeps it in $D2L_DATA_DIR.
data:
	@if [ -f "$(FASHION_MNIST)" ] || ls "$${D2L_DATA_DIR:-/nonexistent}"/*train-images-idx3-ubyte* >/dev/null 2>&1; then \
	  true; \
	else \
	  echo "Installing Fashion-MNIST (Debian package dataset-fashion-mnist)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq dataset-fashion-mnist; \
	fi

book: setup
	@hash=$$(cat d2lutils/*.py | sha256sum | cut -c1-16); stamp=$(BUILD_DIR)/_build/.d2lutils-hash; \
	if [ "$$(cat $$stamp 2>/dev/null)" != "$$hash" ]; then rm -rf $(CACHE); fi; \
	mkdir -p $(BUILD_DIR)/_build; echo $$hash > $$stamp
	D2L_QUICK=$(QUICK) $(VENV)/bin/jupyter-book build . --path-output $(BUILD_DIR) -n -W --keep-going
	@echo "Book ($(MODE) mode): $(abspath $(BUILD_DIR))/_build/html/index.html"

test: setup
	$(VENV)/bin/ruff check d2lutils tests
	D2L_QUICK=1 $(VENV)/bin/pytest

# Chapters (.md) open as notebooks on double-click: jupytext's viewer is made the default.
lab: setup
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp jupyter/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean:
	rm -rf $(VENV) _build *.egg-info
