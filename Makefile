# make book | make test | make lab | make bench | make clean   (see README.md)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
# Runs one step of make test and records its time (tests/stage.sh).
STAGE := bash tests/stage.sh
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODE ?= full
FASHION_MNIST := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
TANG300 := /usr/share/games/fortunes/tang300
# Headless Chromium for the browser tests (pytest -m browser) and CJK fonts for its screenshots.
BROWSER_DEBS := chromium chromium-driver fonts-noto-cjk
# The book's diagrams (d2lutils/figures.py): Graphviz's dot and the CJK font of every label.
FIGURE_DEBS := graphviz fonts-noto-cjk
# make pdf: XeLaTeX with ctex (Chinese), latexmk, fonts (Noto CJK; FreeSerif and DejaVu Sans Mono for
# Latin text and code), rsvg-convert for the SVG figures, pdftoppm/pdftotext for the PDF tests.
TEX_DEBS := texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-fonts-recommended \
  tex-gyre latexmk fonts-noto-cjk fonts-freefont-otf fonts-dejavu-core librsvg2-bin poppler-utils
# apt-get waits for another apt/dpkg run (up to 15 min) instead of failing on its lock.
APT_GET := env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900

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
# Sphinx re-reads (and so re-executes) only pages whose source changed; after a d2lutils
# change every page must be re-read, so its saved environment goes with the cache.
DOCTREES := $(BUILD_DIR)/_build/.doctrees

.PHONY: help setup data browser figures tex cache-check book pdf test test-chapters lab bench clean

help:
	@echo "make book   build the HTML book (full mode; MODE=quick for the fast CI build)"
	@echo "make test   unit tests, every chapter under nbval (quick mode), the quick book from its cache, HTML and browser checks"
	@echo "make pdf    the book as one PDF (XeLaTeX; MODE=quick for CI), from the book's execution cache"
	@echo "make lab    JupyterLab with the chapters opening as notebooks"
	@echo "make bench  training time, the book's pipeline against the d2l book's (bench/results/)"
	@echo "make clean  remove the virtual environment and build outputs"

setup: $(STAMP) data browser figures

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
	  $$SUDO $(APT_GET) update -qq && $$SUDO $(APT_GET) install -y -qq dataset-fashion-mnist; \
	fi
	@# 唐诗三百首 for chapter 8 (Debian's fortunes-zh), unless the reader keeps it in $$D2L_DATA_DIR.
	@if [ -f "$(TANG300)" ] || [ -f "$${D2L_DATA_DIR:-/nonexistent}/tang300" ]; then \
	  true; \
	else \
	  echo "Installing the Tang poems (Debian package fortunes-zh)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO $(APT_GET) update -qq && $$SUDO $(APT_GET) install -y -qq fortunes-zh; \
	fi

# Install those of the Debian packages $(1) that are missing, saying what for ($(2)); $(3): extra
# apt-get flags. apt-get update runs only when something is missing.
define install_missing_debs
	@missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing" $$missing "(Debian) $(2)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO $(APT_GET) update -qq && $$SUDO $(APT_GET) install -y -qq $(3) $$missing; \
	fi
endef

# Debian's Chromium and its WebDriver (Playwright drives /usr/bin/chromium), only those missing.
browser:
	$(call install_missing_debs,$(BROWSER_DEBS),for the browser tests,)

# Graphviz and the CJK font for the diagrams, only those missing.
figures:
	$(call install_missing_debs,$(FIGURE_DEBS),for the book's diagrams,)

# Debian's TeX Live for make pdf, only the packages missing (without recommends: a 210 MB download).
tex:
	$(call install_missing_debs,$(TEX_DEBS),for make pdf,--no-install-recommends)

# Empty this mode's execution cache (and Sphinx's saved pages) when d2lutils changed, so no
# output of an older package survives.
cache-check:
	@hash=$$(cat d2lutils/*.py | sha256sum | cut -c1-16); stamp=$(BUILD_DIR)/_build/.d2lutils-hash; \
	if [ "$$(cat $$stamp 2>/dev/null)" != "$$hash" ]; then rm -rf $(CACHE) $(DOCTREES); fi; \
	mkdir -p $(BUILD_DIR)/_build; echo $$hash > $$stamp

book: setup cache-check
	@# The reproducibility page pastes results glued in other pages; Sphinx does not track that
	@# dependency, so the page is always re-read (it executes nothing).
	@touch chapters/appendix/reproducibility.md
	D2L_QUICK=$(QUICK) $(VENV)/bin/jupyter-book build . --path-output $(BUILD_DIR) -n -W --keep-going
	@echo "Book ($(MODE) mode): $(abspath $(BUILD_DIR))/_build/html/index.html"

# The same pages, execution cache and saved environment as make book in this mode, so after
# make book nothing is executed again; Sphinx writes LaTeX, latexmk runs XeLaTeX.
pdf: setup tex cache-check
	@touch chapters/appendix/reproducibility.md
	D2L_QUICK=$(QUICK) LATEXMKOPTS=-silent $(VENV)/bin/jupyter-book build . --builder pdflatex \
	  --path-output $(BUILD_DIR) -n -W --keep-going
	@echo "PDF ($(MODE) mode): $(abspath $(BUILD_DIR))/_build/latex/book.pdf"

# Unit tests; then every chapter executed once, in quick mode, cell by cell under nbval (each
# cell a test item; hidden check cells are asserts, so a false claim fails); nbval stores each
# executed chapter in the quick book's execution cache, so the quick-mode book build that
# follows executes nothing again; then checks of the built HTML, also in headless Chromium,
# and a chapter run in JupyterLab; then the PDF from the same cache, and checks of its pages.
# Screenshots land in _build/screenshots; each step's time in _build/test-stages.txt.
test: setup
	@rm -f _build/test-stages.txt
	$(STAGE) lint $(VENV)/bin/ruff check d2lutils tests bench _ext jupyter
	$(STAGE) "unit tests" env D2L_QUICK=1 $(VENV)/bin/pytest tests
	$(MAKE) --no-print-directory cache-check MODE=quick
	$(STAGE) "nbval, every chapter" env D2L_QUICK=1 \
	  D2L_NB_CACHE=$(abspath _build/quick/_build/.jupyter_cache) $(VENV)/bin/pytest chapters
	$(STAGE) "quick-mode book" $(MAKE) --no-print-directory book MODE=quick
	$(STAGE) "HTML checks" env D2L_BOOK_HTML=_build/quick/_build/html $(VENV)/bin/pytest -m book tests
	$(STAGE) "browser and JupyterLab tests" env D2L_BOOK_HTML=_build/quick/_build/html \
	  D2L_SCREENSHOTS=_build/screenshots $(VENV)/bin/pytest -m browser tests
	$(STAGE) "quick-mode PDF" $(MAKE) --no-print-directory pdf MODE=quick
	$(STAGE) "PDF checks" env D2L_BOOK_PDF=_build/quick/_build/latex/book.pdf \
	  D2L_SCREENSHOTS=_build/screenshots $(VENV)/bin/pytest -m pdf tests

# The chapters cell by cell under nbval (each cell a test item): to debug one chapter, run
# `D2L_QUICK=1 .venv/bin/pytest chapters/<part>/<section>.md`.
test-chapters: setup
	D2L_QUICK=1 $(VENV)/bin/pytest chapters

# Chapters (.md) open as notebooks on double-click: jupytext's viewer is made the default;
# jupyterlab-myst renders their MyST and jupyter/myst_lab.py folds the solutions' code cells.
lab: setup
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp jupyter/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	PYTHONPATH=$(CURDIR)/jupyter $(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) \
	  --ServerApp.contents_manager_class=myst_lab.MystLabContentsManager \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Side by side: our in-memory pipeline against torchvision + DataLoader (see bench/run.py);
# then whether torch.compile would pay for itself in the sections' training (bench/compile.py).
bench: setup
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.compile

clean:
	rm -rf $(VENV) _build *.egg-info
