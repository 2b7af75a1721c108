"""A chapter opened and run in JupyterLab, as ``make lab`` serves it (marker ``browser``).

A Jupyter server on 127.0.0.1 with the project's JupyterLab settings (jupyter/lab-overrides.json:
a chapter ``.md`` opens as a notebook through jupytext) and ``D2L_QUICK=1``; headless Chromium opens
the chapter, clicks Run ▸ Run All Cells and waits for the kernel. The server's root is a temporary
copy of the chapter, and autosave is off, so the run never rewrites a file of the project; the
notebook renders every cell (no virtual scrolling) so that every output can be checked.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("D2L_SCREENSHOTS", ROOT / "_build" / "screenshots"))
CHAPTER = "chapters/preliminaries/ndarray.md"
RUN_TIMEOUT = 180  # seconds
# A section with exercises, solutions with code, display math, citations, references to other
# chapters and glued values, opened (not run) to see its MyST rendered by jupyterlab-myst.
MYST_CHAPTER = "chapters/convolutional-neural-networks/lenet.md"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server with the project's settings; yields (base URL, token)."""
    tmp = tmp_path_factory.mktemp("lab")
    root, settings = tmp / "root", tmp / "settings"
    for chapter in (CHAPTER, MYST_CHAPTER):
        (root / chapter).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / chapter, root / chapter)
    overrides = json.loads((ROOT / "jupyter" / "lab-overrides.json").read_text(encoding="utf-8"))
    overrides.setdefault("@jupyterlab/docmanager-extension:plugin", {})["autosave"] = False
    # Every cell in the page (no virtual scrolling), so that all outputs can be read.
    overrides.setdefault("@jupyterlab/notebook-extension:tracker", {})["windowingMode"] = "none"
    # No "get notified about Jupyter news?" pop-up over the notebook.
    overrides.setdefault("@jupyterlab/apputils-extension:notification", {})["fetchNews"] = "false"
    settings.mkdir()
    (settings / "overrides.json").write_text(json.dumps(overrides), encoding="utf-8")

    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.app_settings_dir={settings}",
        f"--LabApp.user_settings_dir={tmp / 'user-settings'}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        # As make lab: solutions folded, references readable (jupyter/myst_lab.py).
        "--ServerApp.contents_manager_class=myst_lab.MystLabContentsManager",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, "D2L_QUICK": "1", "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "PYTHONPATH": str(ROOT / "jupyter")}
    log = (tmp / "server.log").open("w", encoding="utf-8")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log_text = (tmp / "server.log").read_text(encoding="utf-8", errors="replace")
                    pytest.fail("JupyterLab did not start:\n" + log_text)
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def execution_state(page):
    """The kernel's status and the input prompts of the code cells ("[3]:", "[*]:", "[ ]:")."""
    return page.evaluate("""() => [
        document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator')
            ?.getAttribute('data-status'),
        [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')]
            .map(p => p.textContent.trim())]""")


def kernel_settled(page, looks=3, timeout=90):
    """Wait until the kernel is idle on ``looks`` looks half a second apart.

    A new kernel reports idle, then briefly "connecting" while the page attaches to it; cells
    sent in between can be lost.
    """
    deadline, idle = time.monotonic() + timeout, 0
    while idle < looks:
        assert time.monotonic() < deadline, f"kernel not idle: {execution_state(page)[0]}"
        idle = idle + 1 if execution_state(page)[0] == "idle" else 0
        time.sleep(0.5)


def expand_all(page):
    """View ▸ Expand All Code and Expand All Outputs: the folded solutions' cells show their
    prompts and outputs too (make lab opens them folded, jupyter/myst_lab.py)."""
    for item in ("Expand All Code", "Expand All Outputs"):
        page.locator(".lm-MenuBar-item", has_text="View").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text=item).first.click()


def run_all_cells(page, tries=3):
    """Run ▸ Run All Cells from the menu bar, until the cells are queued ([*])."""
    for _ in range(tries):
        kernel_settled(page)
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text="Run All Cells").first.click()
        start = time.monotonic()
        while time.monotonic() < start + 15:
            if any("*" in p or p[1:-2].isdigit() for p in execution_state(page)[1]):
                return
            time.sleep(0.2)
    pytest.fail(f"Run All Cells queued nothing in {tries} tries")


def wait_until_finished(page, timeout=RUN_TIMEOUT):
    """Wait until the kernel is idle with no cell queued (queued cells show [*]).

    After an error in a cell tagged raises-exception JupyterLab blanks the prompts of the queued
    cells ([ ]) while the kernel goes on running them, so the end is a kernel that stays idle
    (two looks a second apart) with no [*] left.
    """
    deadline = time.monotonic() + timeout
    settled = 0
    while settled < 2:
        assert time.monotonic() < deadline, f"still running after {timeout} s"
        status, prompts = execution_state(page)
        settled = settled + 1 if status == "idle" and not any("*" in p for p in prompts) else 0
        time.sleep(1)


def test_a_chapter_runs_in_jupyterlab_without_errors(chromium, lab):
    base, token = lab
    code_cells = [c for c in jupytext.read(ROOT / CHAPTER, fmt="md:myst").cells
                  if c.cell_type == "code"]
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    outside = []
    context.on("request", lambda r: outside.append(r.url)
               if urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
               and urlsplit(r.url).netloc != urlsplit(base).netloc else None)
    page = context.new_page()
    try:
        page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}")
        # The .md opened as a notebook (jupytext), not in the text editor, and its kernel is up.
        notebook = page.locator(".jp-NotebookPanel .jp-Notebook")
        notebook.wait_for(timeout=90_000)
        cells = notebook.locator(".jp-CodeCell")
        expect(cells).to_have_count(len(code_cells), timeout=60_000)  # rendered in batches
        assert notebook.locator(".jp-CodeCell .jp-Placeholder").count() > 0  # solutions folded
        expand_all(page)
        expect(notebook.locator(".jp-CodeCell .jp-Placeholder")).to_have_count(0)

        run_all_cells(page)
        wait_until_finished(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "jupyterlab-ndarray.png")

        # Error outputs (tracebacks) and stderr both render as application/vnd.jupyter.stderr.
        # Only a cell tagged raises-exception (a failure the text shows on purpose) may have one;
        # JupyterLab runs on past such a cell, as the book build and nbval do.
        ran = cells.evaluate_all("""cells => cells.map(cell => [
            cell.querySelector('.jp-InputArea-prompt').textContent.trim(),
            [...cell.querySelectorAll('.jp-OutputArea-output')]
                .filter(o => o.dataset.mimeType === 'application/vnd.jupyter.stderr')
                .map(o => o.textContent)])""")
        for (prompt, errors), cell in zip(ran, code_cells):
            assert re.fullmatch(r"\[\d+\]:", prompt), f"not run ({prompt}):\n{cell.source}"
            if "raises-exception" not in cell.metadata.get("tags", []):
                assert not errors, f"error output of\n{cell.source}\n" + "\n".join(errors)
        assert notebook.locator(".jp-OutputArea-output").count() > len(code_cells) // 2
        assert not outside, f"requests outside localhost: {outside}"
    finally:
        context.close()


def test_a_section_renders_its_myst_like_the_book(chromium, lab):
    base, token = lab
    notebook_cells = jupytext.read(ROOT / MYST_CHAPTER, fmt="md:myst").cells
    markdown = sum(c.cell_type == "markdown" for c in notebook_cells)
    sys.path.insert(0, str(ROOT / "jupyter"))
    from solutions import solution_code_cells

    folded = solution_code_cells(notebook_cells)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{base}/lab/tree/{MYST_CHAPTER}?token={token}")
        # The panel of this chapter (the workspace may also restore another one, hidden).
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
        notebook.wait_for(timeout=90_000)
        rendered = notebook.locator(".jp-MarkdownCell .jp-RenderedMarkdown, .jp-MarkdownCell .myst")
        expect(rendered).to_have_count(markdown, timeout=60_000)
        # No MyST syntax left in the text a reader sees (rendered cells; editors are hidden).
        text = notebook.inner_text()
        raw = [line for line in text.split("\n") if line.lstrip().startswith(":::{")
               or re.search(r"\{(ref|numref|eq|cite|glue:text)\}`", line)]
        assert not raw, raw[:10]
        # Exercises render as boxes with their number, display math is typeset (KaTeX).
        exercises = notebook.locator(".jp-MarkdownCell", has_text=re.compile(r"Exercise \d"))
        assert exercises.count() >= 1
        assert notebook.locator(".jp-MarkdownCell .katex-display").count() >= 1
        # References to other chapters, figures and citations: readable, none "Not Found".
        assert notebook.locator('.jp-MarkdownCell [title$="Not Found"]').count() == 0
        assert notebook.locator(".jp-MarkdownCell a", has_text="“").count() >= 1
        assert "‹lenet-test-acc›" in text  # a glued value's clear placeholder
        # The solutions' code cells are folded (their source hidden behind a placeholder).
        code = notebook.locator(".jp-CodeCell")
        hidden = code.evaluate_all("cells => cells.map(c => !!c.querySelector('.jp-Placeholder'))")
        assert [i for i, h in enumerate(hidden) if h] == [
            [j for j, c in enumerate(notebook_cells) if c.cell_type == "code"].index(i)
            for i in folded]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        exercises.first.scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOTS / "jupyterlab-myst-exercise.png")
    finally:
        context.close()


def test_saving_a_chapter_writes_its_md_unchanged(lab, tmp_path):
    """Folded solutions and readable references are undone when the notebook is saved."""
    base, token = lab
    url = f"{base}/api/contents/{MYST_CHAPTER}?token={token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        model = json.load(response)
    assert any(c["metadata"].get("jupyter", {}).get("source_hidden")
               for c in model["content"]["cells"])
    assert any("<!--myst:" in c["source"] for c in model["content"]["cells"])
    body = json.dumps({"type": "notebook", "format": "json",
                       "content": model["content"]}).encode()
    request = urllib.request.Request(url, data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).close()
    with urllib.request.urlopen(f"{base}/api/contents/{MYST_CHAPTER}?token={token}"
                                f"&type=file&format=text", timeout=30) as response:
        saved = json.load(response)["content"]
    # Exactly what jupytext alone writes for the chapter (it stamps its version in the header
    # and normalises blank lines): the folding and the readable references leave no trace.
    def unstamped(text):
        return re.sub(r"\n +jupytext_version: [^\n]*", "", text)

    plain = jupytext.writes(jupytext.read(ROOT / MYST_CHAPTER, fmt="md:myst"), fmt="md:myst")
    assert unstamped(saved) == unstamped(plain)
