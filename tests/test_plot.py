"""Plotting: line plots, image grids, and the Animator (also inside a real Jupyter kernel)."""

import importlib
import re
from pathlib import Path

import IPython.display
import matplotlib.figure
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


def test_animator_outside_jupyter_does_not_use_the_notebook_display(monkeypatch):
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


def test_animator_add_without_drawing_keeps_the_point_for_the_next_drawing(monkeypatch):
    class Handle:
        updates = 0

        def update(self, fig):
            Handle.updates += 1

    monkeypatch.setattr(plot_module, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda fig, display_id: Handle())
    animator = d2l.Animator()
    animator.add(1, 0.5)
    animator.add(2, 0.4, draw=False)
    assert Handle.updates == 0 and ydata(animator.axes[0]) == [[0.5]]  # not redrawn yet
    assert animator.Y == [[0.5, 0.4]]
    animator.add(3, 0.3)
    assert Handle.updates == 1 and ydata(animator.axes[0]) == [[0.5, 0.4, 0.3]]


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


# --- outside Jupyter: a window with an interactive back-end, else a PNG file ------------------

@pytest.fixture
def fresh_numbers(monkeypatch):
    """File numbers start from 1, as in a new process."""
    monkeypatch.setattr(plot_module, "_file_numbers", {})


@pytest.fixture
def windows(monkeypatch):
    """Pretend matplotlib has an interactive back-end; record what is shown and redrawn."""
    calls = []
    monkeypatch.setattr(plot_module, "_interactive_backend", lambda: True)
    monkeypatch.setattr(plot_module, "_told_about_windows", False)
    monkeypatch.setattr(matplotlib.figure.Figure, "show",
                        lambda fig, *args, **kwargs: calls.append(("show", fig)))
    monkeypatch.setattr(plt.FigureCanvasBase, "start_event_loop",
                        lambda canvas, timeout=0: calls.append(("events", canvas.figure)))
    return calls


def test_where_figures_show_is_the_notebook_inside_jupyter(monkeypatch):
    monkeypatch.setattr(plot_module, "in_notebook", lambda: True)
    assert d2l.where_figures_show() == "notebook"


def test_where_figures_show_is_a_file_with_the_agg_back_end():
    assert plt.get_backend().lower() == "agg"  # pytest runs headless
    assert d2l.where_figures_show() == "file"


def test_where_figures_show_is_a_window_with_an_interactive_back_end(monkeypatch):
    monkeypatch.setattr(plt, "get_backend", lambda: "TkAgg")
    assert d2l.where_figures_show() == "window"


def test_animator_with_agg_saves_one_file_rewritten_after_each_point(
        figure_dir, fresh_numbers, capsys):
    animator = d2l.Animator(xlabel="epoch", legend=["train loss", "test acc"])
    animator.add(1, (0.9, 0.5))
    first = (figure_dir / "d2l-animator-1.png").read_bytes()
    animator.add(2, (0.6, 0.7))
    assert animator.path == figure_dir / "d2l-animator-1.png"
    assert sorted(p.name for p in figure_dir.iterdir()) == ["d2l-animator-1.png"]
    assert animator.path.read_bytes().startswith(b"\x89PNG")
    assert animator.path.read_bytes() != first  # the second point is drawn too
    out = capsys.readouterr().out
    assert out.count("figure saved to") == 1 and str(animator.path) in out


def test_animator_outside_jupyter_prints_a_line_of_progress_per_point(fresh_numbers, capsys):
    animator = d2l.Animator(xlabel="epoch", legend=["train loss", "train acc", "test acc"])
    animator.add(0.5, (0.9, 0.4, None))
    animator.title = "50% done, about 3 s left"
    animator.add(1, (None, None, 0.75))
    lines = [line for line in capsys.readouterr().out.splitlines() if "saved" not in line]
    assert lines == ["epoch 0.5: train loss 0.9, train acc 0.4",
                     "epoch 1: test acc 0.75 (50% done, about 3 s left)"]


def test_each_animator_gets_its_own_file(figure_dir, fresh_numbers):
    for _ in range(2):
        d2l.Animator().add(1, 0.5)
    assert sorted(p.name for p in figure_dir.iterdir()) == ["d2l-animator-1.png",
                                                           "d2l-animator-2.png"]


def test_figures_go_to_the_working_directory_by_default(monkeypatch, tmp_path, fresh_numbers):
    monkeypatch.delenv("D2L_FIGURE_DIR")
    monkeypatch.chdir(tmp_path)
    d2l.Animator().add(1, 0.5)
    assert (tmp_path / "d2l-animator-1.png").is_file()


def test_animator_with_a_window_shows_and_redraws_it_without_files(
        windows, figure_dir, capsys):
    animator = d2l.Animator()
    animator.add(1, 0.5)
    animator.add(2, 0.4)
    assert ("show", animator.fig) in windows and ("events", animator.fig) in windows
    assert len([c for c in windows if c[0] == "events"]) == 2  # redrawn after each point
    assert plt.fignum_exists(animator.fig.number)  # the window stays open
    assert list(figure_dir.iterdir()) == [] and animator.path is None
    assert capsys.readouterr().out.count("figures are shown in windows") == 1


@pytest.mark.parametrize("env", ["RANK", "LOCAL_RANK"])
def test_only_rank_0_draws_under_torchrun(monkeypatch, figure_dir, capsys, env):
    monkeypatch.setenv(env, "1")
    animator = d2l.Animator()
    animator.add(1, 0.5)
    d2l.plot([1, 2])
    d2l.show_images(torch.rand(2, 4, 4), 1, 2)
    assert animator.Y == [[0.5]]  # the data are still kept
    assert list(figure_dir.iterdir()) == [] and len(animator.axes[0].lines) == 0
    assert capsys.readouterr().out == ""


def test_only_rank_0_draws_under_torch_distributed(monkeypatch, figure_dir):
    monkeypatch.setattr(torch.distributed, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.distributed, "get_rank", lambda: 2)
    d2l.Animator().add(1, 0.5)
    assert list(figure_dir.iterdir()) == []


def test_rank_0_draws(monkeypatch, figure_dir):
    monkeypatch.setenv("RANK", "0")
    d2l.Animator().add(1, 0.5)
    assert len(list(figure_dir.iterdir())) == 1


def test_plot_with_agg_saves_a_new_file_each_time_and_prints_its_path(
        figure_dir, fresh_numbers, capsys):
    d2l.plot([1, 4, 9])
    d2l.plot([1, 2])
    assert sorted(p.name for p in figure_dir.iterdir()) == ["d2l-plot-1.png", "d2l-plot-2.png"]
    assert capsys.readouterr().out.splitlines() == [
        f"figure saved to {figure_dir / 'd2l-plot-1.png'}",
        f"figure saved to {figure_dir / 'd2l-plot-2.png'}"]
    assert len(plt.gca().get_lines()) == 1  # still pyplot's current figure, as in d2l


def test_plot_on_the_callers_axes_leaves_showing_to_the_caller(figure_dir):
    _, ax = plt.subplots()
    d2l.plot([1, 2], axes=ax)
    assert list(figure_dir.iterdir()) == []


def test_show_images_with_agg_saves_the_grid(figure_dir, fresh_numbers, capsys):
    d2l.show_images(torch.rand(2, 8, 8), 1, 2)
    assert (figure_dir / "d2l-images-1.png").is_file()
    assert "d2l-images-1.png" in capsys.readouterr().out


def test_plot_and_show_images_with_a_window_show_it(windows, figure_dir):
    ax = d2l.plot([1, 2])
    axes = d2l.show_images(torch.rand(2, 8, 8), 1, 2)
    shown = [fig for kind, fig in windows if kind == "show"]
    assert shown == [ax.figure, axes[0].figure]
    assert list(figure_dir.iterdir()) == []


def test_show_figure_does_nothing_in_jupyter(monkeypatch, figure_dir):
    monkeypatch.setattr(plot_module, "in_notebook", lambda: True)
    fig, _ = plt.subplots()
    assert d2l.show_figure(fig) is None
    assert list(figure_dir.iterdir()) == [] and plt.fignum_exists(fig.number)


def test_show_figure_returns_the_file_it_wrote(figure_dir, fresh_numbers):
    fig, _ = plt.subplots()
    assert d2l.show_figure(fig, "loss") == figure_dir / "d2l-loss-1.png"
