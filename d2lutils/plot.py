"""Plotting: SVG figures in notebooks, line plots, image grids, and a live Animator.

Where a figure appears depends on where the code runs (``where_figures_show``): in Jupyter
it is shown in the notebook; in a script or a terminal with an interactive matplotlib
back-end (a desktop), in a window; otherwise it is saved as a PNG file in the working
directory (or ``$D2L_FIGURE_DIR``), whose path is printed once. Under several processes
(e.g. ``torchrun``) only rank 0 shows or saves figures.
"""

import os
from itertools import count, cycle
from pathlib import Path

import torch
from matplotlib import pyplot as plt
from matplotlib_inline import backend_inline
from tqdm import tqdm

DEFAULT_FMTS = ("-", "m--", "g-.", "r:")


def use_svg_display():
    """Show figures in notebooks as SVG (sharp at any zoom)."""
    backend_inline.set_matplotlib_formats("svg")


def set_figsize(figsize=(3.5, 2.5)):
    """Set the default figure size (inches) for new figures."""
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set labels, limits, scales and legend of matplotlib axes."""
    axes.set_xlabel(xlabel), axes.set_ylabel(ylabel)
    axes.set_xscale(xscale), axes.set_yscale(yscale)
    axes.set_xlim(xlim), axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def _as_series(data):
    """Turn one series or a list of series (lists, arrays or tensors) into a list of series."""
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    if hasattr(data, "ndim"):
        return [data] if data.ndim == 1 else list(data)
    if len(data) > 0 and not hasattr(data[0], "__len__"):
        return [data]
    return [d.detach().cpu().numpy() if isinstance(d, torch.Tensor) else d for d in data]


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=DEFAULT_FMTS, figsize=(3.5, 2.5), axes=None):
    """Plot one or several series: ``plot(x, [f(x), g(x)])``, or ``plot(y)`` against 0, 1, ...

    ``X`` and ``Y`` may be lists, NumPy arrays or tensors (detached and moved to the CPU).
    """
    if Y is None:
        ys = _as_series(X)
        xs = [range(len(y)) for y in ys]
    else:
        xs, ys = _as_series(X), _as_series(Y)
        if len(xs) == 1:
            xs = xs * len(ys)
    if len(xs) != len(ys):
        raise ValueError(f"got {len(xs)} x series for {len(ys)} y series; pass one x for all "
                         f"or one x per y")
    set_figsize(figsize)
    own_axes = axes is None  # else the caller's figure, shown when the caller is done
    axes = plt.gca() if own_axes else axes
    axes.cla()
    for x, y, fmt in zip(xs, ys, cycle(fmts)):
        axes.plot(x, y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    if own_axes:
        show_figure(axes.figure, "plot")
    return axes


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):  # @save
    """Show images in a grid of ``num_rows`` x ``num_cols``; return the axes (flat).

    ``imgs``: tensors of shape (H, W) or (C, H, W), or arrays of shape (H, W) or (H, W, C).
    One-channel images are drawn in gray; ``scale`` is the size of one image in inches.
    """
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if isinstance(img, torch.Tensor):
            img = img.detach().cpu()
            if img.ndim == 3:  # (C, H, W) -> (H, W, C), or (H, W) for one channel
                img = img.permute(1, 2, 0).squeeze(-1)
            img = img.numpy()
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.axis("off")
        if titles:
            ax.set_title(titles[i])
    show_figure(axes[0].figure, "images")  # outside Jupyter: a window or a file
    return axes


def _rank():
    """This process's rank among several (torch.distributed, else torchrun's RANK or
    LOCAL_RANK); 0 for a single process."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank()
    for name in ("RANK", "LOCAL_RANK"):
        value = os.environ.get(name, "").strip()
        if value.isdigit():
            return int(value)
    return 0


def _interactive_backend():
    """True when matplotlib's back-end opens windows (TkAgg, QtAgg, macosx, ...)."""
    from matplotlib.backends import BackendFilter, backend_registry

    interactive = backend_registry.list_builtin(BackendFilter.INTERACTIVE)
    return plt.get_backend().lower() in interactive


def where_figures_show():
    """Where figures appear here: ``'notebook'`` (inside Jupyter), ``'window'`` (an
    interactive matplotlib back-end, e.g. TkAgg on a desktop) or ``'file'`` (PNG files in
    the working directory, or in ``$D2L_FIGURE_DIR`` when it is set)."""
    if in_notebook():
        return "notebook"
    return "window" if _interactive_backend() else "file"


_file_numbers = {}  # kind ('animator', 'plot', 'images') -> count of files named so far
_told_about_windows = False


def _new_figure_path(kind):
    """A new file name for a figure of ``kind``: d2l-animator-1.png, d2l-animator-2.png, ..."""
    number = _file_numbers.setdefault(kind, count(1))
    return Path(os.environ.get("D2L_FIGURE_DIR") or ".") / f"d2l-{kind}-{next(number)}.png"


def _save(fig, path):
    """Write ``fig`` to ``path`` as PNG; a viewer never sees a half-written file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    os.replace(tmp, path)


def _show_in_window(fig):
    """Show ``fig`` in its window (or redraw it there) without blocking the program."""
    global _told_about_windows
    if not _told_about_windows:
        print("figures are shown in windows, which close when the program ends "
              "(call matplotlib.pyplot.show() at the end to keep them open)")
        _told_about_windows = True
    fig.show()
    fig.canvas.draw_idle()
    fig.canvas.start_event_loop(0.001)  # let the window draw itself now


def show_figure(fig, kind="figure"):
    """Show the finished matplotlib figure ``fig`` where figures show here.

    In Jupyter this does nothing: the notebook shows the figure at the end of the cell.
    With an interactive back-end the figure opens in a window, without blocking; otherwise
    it is saved to a new file ``d2l-<kind>-<n>.png`` in the working directory (or in
    ``$D2L_FIGURE_DIR``), and the path is printed. On a process of rank other than 0
    nothing happens. Returns the path of the file written, else None.
    """
    if _rank() != 0:
        return None
    where = where_figures_show()
    if where == "window":
        _show_in_window(fig)
    elif where == "file":
        path = _new_figure_path(kind)
        _save(fig, path)  # the figure stays open: a script may still use plt.gcf()
        print(f"figure saved to {path}")
        return path
    return None


def in_notebook():
    """True inside a Jupyter kernel (where figures can be displayed and updated)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def _is_sequence(v):
    return hasattr(v, "__len__") and not (isinstance(v, torch.Tensor) and v.ndim == 0)


def _as_points(v):
    """A number, a 0-dim tensor or a sequence of them, as a list."""
    return list(v) if _is_sequence(v) else [v]


class Animator:
    """Plot data points as they arrive, e.g. the loss after every epoch.

    In Jupyter the figure is drawn once and then updated in place, so a notebook keeps a
    single, final figure (also in the HTML book). Outside Jupyter each point is also
    printed as a line of text, and the figure is shown in a window (interactive matplotlib
    back-end) or saved to ``d2l-animator-<n>.png`` in the working directory, rewritten after
    every point; its path is printed once. Under several processes only rank 0 draws.
    The figure is available as ``animator.fig``.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=DEFAULT_FMTS, nrows=1, ncols=1,
                 figsize=(3.5, 2.5)):
        use_svg_display()
        self.where = where_figures_show() if _rank() == 0 else None  # None: do not draw
        self.fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
        if self.where != "window":  # a window needs pyplot's figure; the others do not
            plt.close(self.fig)  # in Jupyter: shown through our handle, not again at cell end
        self.axes = list(axes.flatten())
        self.axes_config = (xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.fmts = fmts
        self.X, self.Y = None, None
        self.title = None  # shown above the plot when set, e.g. the time left in training
        self._display = None
        self.path = None  # the file the figure is saved to, outside Jupyter without windows

    def add(self, x, y, draw=True):
        """Add one point per series: ``y`` is a number or a sequence (None skips a series).

        ``draw=False`` keeps the point without redrawing the figure (drawing takes tens of
        milliseconds); the next drawn point shows it too.
        """
        ys = _as_points(y)
        xs = _as_points(x) if _is_sequence(x) else [x] * len(ys)
        if self.X is None:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        for i, (a, b) in enumerate(zip(xs, ys)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        if self.where is None:
            return
        if self.where != "notebook":
            self._print_point(xs, ys)
        if not draw:
            return
        ax = self.axes[0]
        ax.cla()
        for xs_i, ys_i, fmt in zip(self.X, self.Y, cycle(self.fmts)):
            ax.plot(xs_i, ys_i, fmt)
        set_axes(ax, *self.axes_config)
        if self.title:
            ax.set_title(self.title, fontsize="small")
        self._show()

    def _print_point(self, xs, ys):
        """One line of progress, e.g. 'epoch 2: train loss 0.512, test acc 0.801'."""
        legend = self.axes_config[-1] or []
        points = [(i, a, b) for i, (a, b) in enumerate(zip(xs, ys))
                  if a is not None and b is not None]
        if not points:
            return
        values = ", ".join(f"{legend[i] if i < len(legend) else f'y{i}'} {float(b):.4g}"
                           for i, _, b in points)
        title = f" ({self.title})" if self.title else ""
        line = f"{self.axes_config[0] or 'x'} {float(points[0][1]):.4g}: {values}{title}"
        tqdm.write(line)  # printed above a terminal progress bar, if one is drawn

    def _show(self):
        if self.where == "window":
            _show_in_window(self.fig)
        elif self.where == "file":
            if self.path is None:
                self.path = _new_figure_path("animator")
                print(f"figure saved to {self.path} (rewritten as points arrive)")
            _save(self.fig, self.path)
        else:
            from IPython.display import display

            if self._display is None:
                self._display = display(self.fig, display_id=True)
            else:
                self._display.update(self.fig)
