"""Plotting: line plots, image grids, and the Animator (also inside a real Jupyter kernel)."""

import importlib
import re
from pathlib import Path

import IPython.display
import nbclient
import nbformat
import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt

import d2lutils as d2l

# ``d2lutils.plot`` is the function (the book's API); its module is reached like this.
plot_module = importlib.import_module("d2lutils.plot")

ROOT = Path(__file__).resolve().parent.parent


def ydata(ax):
    return [list(line.get_ydata()) for line in ax.lines]


def xdata(ax):
    return [list(line.get_xdata()) for line in ax.lines]


# --- plot ---------------------------------------------------------------------------------------

def test_plot_draws_one_list_against_its_index():
    ax = d2l.plot([1, 4, 9])
    assert xdata(ax) == [[0, 1, 2]]
    assert ydata(ax) == [[1, 4, 9]]


def test_plot_draws_each_row_of_a_2d_tensor_as_a_series():
    ax = d2l.plot(torch.arange(3.0), torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert ydata(ax) == [[1, 2, 3], [4, 5, 6]]
    assert xdata(ax) == [[0, 1, 2], [0, 1, 2]]


def test_plot_accepts_tensors_that_require_grad():
    x = torch.arange(3.0, requires_grad=True)
    ax = d2l.plot(x, [2 * x, x**2])
    assert ydata(ax) == [[0, 2, 4], [0, 1, 4]]


def test_plot_without_y_draws_several_series_against_their_index():
    ax = d2l.plot([np.array([5.0, 6.0]), np.array([7.0, 8.0, 9.0])])
    assert xdata(ax) == [[0, 1], [0, 1, 2]]


def test_plot_pairs_each_x_with_its_y():
    ax = d2l.plot([[0, 1], [10, 11]], [[1, 2], [3, 4]])
    assert xdata(ax) == [[0, 1], [10, 11]]


def test_plot_rejects_mismatched_numbers_of_x_and_y_series():
    with pytest.raises(ValueError, match="2 x series for 3 y series"):
        d2l.plot([[0, 1], [0, 1]], [[1, 2], [3, 4], [5, 6]])


def test_plot_draws_on_given_axes_and_replaces_what_was_there():
    _, ax = plt.subplots()
    ax.plot([0, 1], [5, 5])
    assert d2l.plot([1, 2], axes=ax) is ax
    assert ydata(ax) == [[1, 2]]


def test_plot_applies_labels_and_legend():
    ax = d2l.plot([1, 2], [[1, 2], [2, 1]], xlabel="x", ylabel="f(x)", legend=["f", "g"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "f(x)")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f", "g"]


def test_set_figsize_sets_the_default_figure_size():
    d2l.set_figsize((5, 4))
    assert list(plt.rcParams["figure.figsize"]) == [5, 4]


def test_set_axes_sets_labels_scales_limits_and_legend():
    _, ax = plt.subplots()
    ax.plot([1, 10], [1, 100])
    d2l.set_axes(ax, "epoch", "loss", [0, 10], [1, 100], "linear", "log", ["train"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "log")
    assert ax.get_xlim() == (0, 10) and ax.get_ylim() == (1, 100)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train"]


# --- show_images --------------------------------------------------------------------------------

def test_show_images_makes_a_rows_by_cols_grid():
    axes = d2l.show_images(torch.rand(6, 8, 8), 2, 3)
    assert len(axes) == 6
    assert axes[0].get_gridspec().get_geometry() == (2, 3)
    assert all(len(ax.images) == 1 for ax in axes)


def test_show_images_sets_titles():
    axes = d2l.show_images(torch.rand(3, 8, 8), 1, 3, titles=["a", "b", "c"])
    assert [ax.get_title() for ax in axes] == ["a", "b", "c"]


def test_show_images_shows_one_channel_images_in_gray():
    axes = d2l.show_images(torch.rand(2, 1, 8, 8), 1, 2)
    image = axes[0].images[0]
    assert image.get_array().shape == (8, 8)
    assert image.get_cmap().name == "gray"


def test_show_images_puts_color_channels_last():
    axes = d2l.show_images(torch.rand(2, 3, 8, 5), 1, 2)
    assert axes[0].images[0].get_array().shape == (8, 5, 3)


# --- Animator -----------------------------------------------------------------------------------

def test_animator_accumulates_one_point_per_series():
    animator = d2l.Animator(legend=["train loss", "train acc"])
    animator.add(1, (0.9, 0.5))
    animator.add(2, (0.6, 0.7))
    assert animator.X == [[1.0, 2.0], [1.0, 2.0]]
    assert animator.Y == [[0.9, 0.6], [0.5, 0.7]]


def test_animator_skips_none():
    animator = d2l.Animator()
    animator.add(0.5, (0.9, 0.5, None))
    animator.add(1, (0.6, 0.7, 0.8))
    assert animator.X == [[0.5, 1.0], [0.5, 1.0], [1.0]]
    assert animator.Y[2] == [0.8]


def test_animator_accepts_a_single_number():
    animator = d2l.Animator()
    animator.add(1, 0.25)
    assert (animator.X, animator.Y) == ([[1.0]], [[0.25]])


def test_animator_draws_its_points_with_the_axes_settings():
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 3], legend=["loss"])
    animator.add(1, 0.9)
    animator.add(2, 0.4)
    ax = animator.axes[0]
    assert ydata(ax) == [[0.9, 0.4]]
    assert ax.get_xlabel() == "epoch" and ax.get_xlim() == (1, 3)


def test_animator_does_not_display_outside_jupyter(monkeypatch):
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: shown.append(args))
    animator = d2l.Animator()
    animator.add(1, 0.5)
    assert shown == []
    assert animator._display is None


def test_animator_leaves_no_open_figure():
    d2l.Animator().add(1, 0.5)
    assert plt.get_fignums() == []  # else Jupyter would show it a second time at the cell's end


def test_animator_in_jupyter_displays_once_then_updates(monkeypatch):
    class Handle:
        updates = 0

        def update(self, fig):
            Handle.updates += 1

    shown = []

    def display(fig, display_id):
        shown.append((fig, display_id))
        return Handle()

    monkeypatch.setattr(plot_module, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    animator = d2l.Animator()
    for epoch in range(3):
        animator.add(epoch, 0.5)
    assert shown == [(animator.fig, True)]
    assert Handle.updates == 2


ANIMATOR_CELL = """\
animator = d2l.Animator(xlabel="epoch", legend=["loss"])
for epoch in range(1, 6):
    animator.add(epoch, 1 / epoch)
print(len(animator.X[0]))
print("after")
"""


def test_animator_keeps_one_final_figure_in_an_executed_notebook():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('import d2lutils as d2l\nprint("before")'),
                      nbformat.v4.new_code_cell(ANIMATOR_CELL)]
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=60,
                            resources={"metadata": {"path": str(ROOT)}}).execute()

    first, second = (cell.outputs for cell in notebook.cells)
    assert [o.get("text") for o in first] == ["before\n"]
    figures = [o for o in second if o.output_type == "display_data"]
    assert len(figures) == 1 and "image/svg+xml" in figures[0].data
    assert "".join(o.text for o in second if o.output_type == "stream") == "5\nafter\n"
    # The line of the series (matplotlib's first colour) has all 5 points: the final state.
    svg = figures[0].data["image/svg+xml"]
    lines = re.findall(r'<path d="([^"]*)"[^>]*stroke: #1f77b4', svg)
    assert max(line.count("L") + 1 for line in lines) == 5
