"""Shared fixtures: the execution mode, the data cache, figures, no network, headless Chromium."""

import os

import matplotlib
import pytest
from matplotlib import pyplot as plt

from d2lutils import data

# The real downloader, kept before ``no_network`` replaces it in every test.
real_download_fashion_mnist = data._download_fashion_mnist


@pytest.fixture
def quick_mode(monkeypatch):
    """Run the test in quick mode (``D2L_QUICK=1``)."""
    monkeypatch.setenv("D2L_QUICK", "1")


@pytest.fixture
def full_mode(monkeypatch):
    """Run the test in full mode (``D2L_QUICK`` unset; the nbval plugin sets it by default)."""
    monkeypatch.delenv("D2L_QUICK", raising=False)


@pytest.fixture
def empty_cache(monkeypatch):
    """A fresh, empty ``d2lutils.data._cache``; the shared one (data read once) comes back after."""
    cache = {}
    monkeypatch.setattr(data, "_cache", cache)
    return cache


@pytest.fixture
def fashion_mnist(monkeypatch, tmp_path):
    """Fashion-MNIST from the Debian package only: no $D2L_DATA_DIR, no ./data."""
    if not all((data.DEBIAN_DIR / f"{name}.gz").is_file() for name in data.FASHION_MNIST_FILES):
        pytest.skip(f"Fashion-MNIST is not in {data.DEBIAN_DIR}: "
                    f"apt-get install dataset-fashion-mnist")
    monkeypatch.delenv("D2L_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    return data.DEBIAN_DIR


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """No test downloads anything; a test that needs a download fakes it."""

    def refuse(target):
        raise OSError("network access is disabled in the unit tests")

    monkeypatch.setattr(data, "_download_fashion_mnist", refuse)


@pytest.fixture(autouse=True)
def figure_dir(monkeypatch, tmp_path_factory):
    """Figures saved outside Jupyter (PNG files) go to a fresh folder, not the project."""
    folder = tmp_path_factory.mktemp("figures")
    monkeypatch.setenv("D2L_FIGURE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def clean_matplotlib():
    """Each test starts from the default rcParams and leaves no figure open."""
    with matplotlib.rc_context():
        yield
    plt.close("all")


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium (``make setup`` installs it), driven by Playwright.

    Playwright never downloads a browser here: it is pointed at ``$D2L_CHROMIUM``
    (default ``/usr/bin/chromium``).
    """
    executable = os.environ.get("D2L_CHROMIUM", "/usr/bin/chromium")
    if not os.access(executable, os.X_OK):
        pytest.fail(f"no Chromium at {executable}: make setup (apt-get install chromium) "
                    f"or set D2L_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()
